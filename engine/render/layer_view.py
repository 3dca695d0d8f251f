"""The layer view: x → L1 → … → LK → Loss, weight nodes beside their layers.

Each edge X^k carries o^{k-1} forward and δ^k backward. A value not reached yet at
``step`` keeps its text in the label but is drawn transparent: every frame then has
the same label sizes, so Graphviz lays every frame out identically.
"""
from __future__ import annotations

from html import escape

import numpy as np

from ..graph import Graph
from ..numbers import format_number
from . import style
from .progress import check_sample, progress

MAX_COMPONENTS = 3
THEMES = {
    "light": {"bg": "white", "fg": "#222222", "node": "#f4f4f4", "forward": "#1f6fb4",
              "backward": "#d1495b", "current": "#f2a900", "current_bg": "#fff3bf", "muted": "#9a9a9a"},
    "dark": {"bg": "#0e1117", "fg": "#e8e8e8", "node": "#262730", "forward": "#6cb4ff",
             "backward": "#ff7b8a", "current": "#ffd34d", "current_bg": "#3d3200", "muted": "#777777"},
}


def short(values) -> str:
    """A vector written readably: its first components and a count."""
    flat = np.ravel(values)
    parts = [format_number(v) for v in flat[:MAX_COMPONENTS]]
    if flat.size == 1:
        return parts[0]
    more = f", … ({flat.size})" if flat.size > MAX_COMPONENTS else ""
    return "(" + ", ".join(parts) + more + ")"


def full(values) -> str:
    return "(" + ", ".join(format_number(v) for v in np.ravel(values)) + ")"


def _sym(name: str) -> str:
    """δ2 → δ²-free plain text the SVG can show: names stay as the article writes them."""
    return name


def _row(color: str, text: str) -> str:
    return f'<TR><TD ALIGN="LEFT"><FONT COLOR="{color}">{escape(text)}</FONT></TD></TR>'


def _label(rows) -> str:
    return '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">' + "".join(rows) + "</TABLE>>"


def layer_view(graph: Graph, *, step: int | None = None, sample: int = 0,
               theme: str = "light", rankdir: str = "LR") -> str:
    """DOT of the layer view at ``step`` (None: everything has flowed)."""
    style.theme(theme)  # one message for an unknown theme, shared with the neuron view
    t = THEMES[theme]
    p = progress(graph, step)
    shown, current = p.shown, p.current
    check_sample(graph, sample)
    style.check_rankdir(rankdir)
    model = graph.model

    def value(name: str):
        if name.startswith("δw") or name.startswith("δb"):
            key = name[1:].replace("w", "W", 1)
            if graph.batch_size > 1:
                return graph.sample_weight_grads(sample)[key]
            return graph.weight_grads[key]
        v = graph.value(name)
        return v if name[0] not in "xoδ" else v[sample]

    def color(name: str, family: str) -> str:
        if name in shown or name in ("x",) or name[0] in "Wb":
            return t[family]
        return "transparent"

    lines = [
        "digraph backprop {",
        f'  graph [rankdir={rankdir}, bgcolor="{t["bg"]}", fontname="Helvetica", nodesep=0.5, ranksep=0.6];',
        f'  node [fontname="Helvetica", fontcolor="{t["fg"]}", color="{t["muted"]}", style="rounded,filled", '
        f'fillcolor="{t["node"]}", shape=box];',
        f'  edge [fontname="Helvetica", fontsize=11, color="{t["muted"]}", fontcolor="{t["fg"]}"];',
    ]
    for node in graph.nodes:
        if node.kind == "input":
            attrs = f'label="x", shape=ellipse'
        elif node.kind == "layer":
            layer = model.layer(node.k)
            attrs = f'label="{escape(node.label)}\\n{escape(layer.describe())}"'
        elif node.kind == "weight":
            attrs = f'label="{escape(node.label)}", shape=note'
        else:
            loss_color = t["fg"] if "loss" in shown else "transparent"
            attrs = (f'label=<Loss<BR/><FONT POINT-SIZE="10">{escape(model.loss.title)}</FONT><BR/>'
                     f'<FONT COLOR="{loss_color}">loss = {escape(format_number(graph.loss))}</FONT>>, '
                     'shape=doubleoctagon')
        if current is not None and current.edge == node.id:
            attrs += f', color="{t["current"]}", fillcolor="{t["current_bg"]}"'
        lines.append(f'  "{node.id}" [{attrs}];')
    for k, layer in enumerate(model.layers, 1):
        if layer.params:
            names = " ".join(f'"L{k}.{p}"' for p in layer.params)
            lines.append(f'  {{ rank=same; "L{k}"; {names} }}')
    for edge in graph.edges:
        fwd, bwd = value(edge.forward), value(edge.backward)
        rows = [_row(color(edge.forward, "forward"), f"{edge.forward} = {short(fwd)}"),
                _row(color(edge.backward, "backward"), f"{edge.backward} = {short(bwd)}")]
        tooltip = f"{edge.forward} = {full(fwd)}\\n{edge.backward} = {full(bwd)}"
        attrs = f'label={_label(rows)}, tooltip="{escape(tooltip)}", id="{edge.id}"'
        if current is not None and current.edge == edge.id:
            family = "forward" if current.phase == "forward" else "backward"
            attrs += f', color="{t["current"]}", {style.stroke(3.5)}'
            if family == "backward":
                attrs += ", dir=back"
        elif edge.backward in shown:
            attrs += f', color="{t["backward"]}", {style.stroke(2)}'
        elif edge.forward in shown:
            attrs += f', color="{t["forward"]}", {style.stroke(2)}'
        lines.append(f'  "{edge.source}" -> "{edge.target}" [{attrs}];')
    lines.append("}")
    return "\n".join(lines) + "\n"
