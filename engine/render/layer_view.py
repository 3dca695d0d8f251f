"""The layer view: x → L1 → … → LK → Loss, with a weight node feeding each layer that has one
(and, with an L2/L1 penalty, a Penalty node feeding the loss).

Each edge X^k carries o^{k-1} forward and δ^k backward; a weight edge carries W^k
forward and δw^k backward. A value not reached yet at ``step`` keeps its text in the
label but is drawn transparent, and drawn widths use ``setlinewidth``: every frame
then has the same label sizes and layout, so nothing moves during the animation.
An edge's width grows with log |δ| once the learning flow has passed (thin: vanishing,
thick: exploding); a zero learning flow is dashed.
"""
from __future__ import annotations

import numpy as np

from ..graph import Graph, weight_key
from ..numbers import format_number
from . import picture, style
from .progress import check_sample, progress

MAX_COMPONENTS = 3
# The tooltip lists the values in full up to this many: W2 of a 784-256 model written
# out whole made a 3 MB DOT per frame and held the shared Graphviz lock for ~2 s each.
MAX_TOOLTIP = 64


def short(values) -> str:
    """A vector written readably: its first components and a count."""
    flat = np.ravel(values)
    parts = [format_number(v) for v in flat[:MAX_COMPONENTS]]
    if flat.size == 1:
        return parts[0]
    more = f", … ({flat.size})" if flat.size > MAX_COMPONENTS else ""
    return "(" + ", ".join(parts) + more + ")"


def full(values) -> str:
    flat = np.ravel(values)
    more = f", … ({flat.size} values)" if flat.size > MAX_TOOLTIP else ""
    return "(" + ", ".join(format_number(v) for v in flat[:MAX_TOOLTIP]) + more + ")"


def _largest(values) -> float:
    flat = np.ravel(values)
    if flat.dtype != object:  # float: one numpy pass, not a Python loop over 200,000 weights
        return float(np.abs(flat).max()) if flat.size else 0.0
    return max((style.magnitude(v) for v in flat), default=0.0)


def _label(rows) -> picture.Label:
    return picture.table([picture.Line(picture.text(text), color) for color, text in rows])


def layer_view(graph: Graph, *, step: int | None = None, sample: int = 0,
               theme: str = "light", rankdir: str = "LR", legend: bool = True) -> picture.Picture:
    """The layer view at ``step`` (None: everything has flowed; 0: nothing yet); its
    ``source`` is the DOT. ``legend=False`` leaves the legend out, for a host that
    draws its own (the app)."""
    t = style.theme(theme)
    p = progress(graph, step)
    shown, current = p.shown, p.current
    check_sample(graph, sample)
    model = graph.model
    if f"δ{model.K + 1}" in shown:  # the penalty's edge carries ∂(loss + P)/∂P = 1 once learning starts
        shown = shown | {"δP"}
    sample_grads = graph.shown_weight_grads(sample)

    def value(name: str):
        if name.startswith("δw") or name.startswith("δb"):
            return sample_grads[weight_key(name)]
        v = graph.value(name)
        return v if name[0] not in "xoδ" or name == "δP" else v[sample]

    def color(name: str, family: str) -> str:
        visible = name in shown or name == "x" or name[0] in "Wb"
        return getattr(t, family) if visible else picture.HIDDEN

    pic = style.digraph("backprop", t, rankdir, nodesep="0.5", ranksep="0.7")
    for node in graph.nodes:
        if node.kind == "input":
            label, attrs = "x", {"shape": "ellipse"}
        elif node.kind == "layer":
            label, attrs = node.label + "\n" + model.layer(node.k).describe(), {}
        elif node.kind == "weight":
            label, attrs = node.label, {"shape": "note"}
        elif node.kind == "penalty":  # L2/L1 on the weight matrices, feeding the loss (engine/penalty.py)
            pen = model.penalty
            label = picture.stacked([picture.Line(picture.text("Penalty")),
                                     picture.Line(picture.text("λ₂·½Σw² + λ₁·Σ|w|"), size="10"),
                                     picture.Line(picture.text(pen.describe()), size="10"),
                                     picture.Line(picture.text(f"P = {format_number(graph.penalty)}"),
                                                  t.fg if "P" in shown else picture.HIDDEN)])
            attrs = {"shape": "octagon"}
        else:
            loss_color = t.fg if "loss" in shown else picture.HIDDEN
            total = "mean loss + P" if model.penalty.active else "loss"
            label = picture.stacked([picture.Line(picture.text("Loss")),
                                     picture.Line(picture.text(model.loss.title), size="10"),
                                     picture.Line(picture.text(f"{total} = {format_number(graph.loss)}"), loss_color)])
            attrs = {"shape": "doubleoctagon"}
        if node.kind not in ("weight", "penalty"):
            attrs["group"] = "flow"  # one group: dot keeps x, L1 … LK, Loss on a straight line
        if current is not None and current.edge == node.id:
            attrs.update(color=t.current, fillcolor=t.current_bg)
        pic.node(node.id, label, **attrs)
    for edge in graph.edges:
        fwd, bwd = value(edge.forward), value(edge.backward)
        label = _label([(color(edge.forward, "forward"), f"{edge.forward} = {short(fwd)}"),
                        (color(edge.backward, "backward"), f"{edge.backward} = {short(bwd)}")])
        attrs = {"tooltip": picture.escaped(f"{edge.forward} = {full(fwd)}\n{edge.backward} = {full(bwd)}"),
                 "id": edge.id}
        if current is not None and current.edge == edge.id:
            attrs.update(color=t.current, style=style.stroke(4))
            if current.phase != "forward":
                attrs["dir"] = "back"
        elif edge.backward in shown:
            size = _largest(bwd)
            attrs.update(color=t.backward, style=style.stroke(style.penwidth(size), dashed=size == 0))
        elif edge.forward in shown or edge.forward[0] in "Wb":
            attrs.update(color=t.forward, style=style.stroke(2))
        pic.edge(edge.source, edge.target, label, **attrs)
    if legend:
        style.legend(pic, t)
    return pic
