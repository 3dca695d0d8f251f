"""One path of a weight (engine/paths.py) drawn in a view: which elements it runs
through, and the view's SVG with those marked.

In the neuron view a path is its own neurons and edges: for W^k[i, j] the input
neuron X^k_{j+1}, the weight's edge ``L{k}_{i+1}_{j+1}``, then one edge per later
layer to the unit the path picks, to the loss. In the layer view every path of a
weight runs through the same layers: the weight's node and edge, L^k … L^K, the loss.

Named in the graph's words (:func:`named`): the neuron view labels unit u of o^m
o^m_{u+1} (o²₁), counting from 1, where the engine and the CLI's ``--index`` count
from 0. :func:`counted` and :func:`uncounted` are the one place the two meet;
:func:`value` names any recorded value so (Explore's float-vs-exact words use it too).

Marking edits the parsed SVG (engine/render/svgdoc.py), never its text: each
element of the path gets the class ``bp-path`` and ``data-path-order`` (its place
along the path), is redrawn in the path's colour; the other nodes and edges are
dimmed (class ``bp-dim``), so the path stands out without moving anything.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from ..graph import Graph
from ..names import one_line
from ..paths import Path, Paths, last_layer, weight_layer
from . import picture, svgdoc
from .svgdoc import SVG

PATH_CLASS = "bp-path"
DIM_CLASS = "bp-dim"
# Violet: not the blue (forward), orange (backward) or amber (current step) of style.py.
COLORS = {"light": "#8250df", "dark": "#d2a8ff"}
_SHAPES = {f"{SVG}path", f"{SVG}polygon", f"{SVG}ellipse", f"{SVG}polyline"}


def layer_ids(graph: Graph, paths: Paths) -> list[str]:
    """The layer view's ids along any path of ``paths``: the weight's node and edge,
    then each layer and the edge leaving it, to the loss."""
    name, k = weight_layer(paths.weight)
    ids = [f"L{k}.{name}", f"{name}{k}"]
    for m in range(k, graph.K + 1):
        ids += [f"L{m}", f"X{m + 1}"]
    return ids + ["Loss"]


def neuron_ids(graph: Graph, paths: Paths, path: Path) -> list[str]:
    """The neuron view's ids along ``path``, in order (a column's X^c holds o^{c-1})."""
    name, k = weight_layer(paths.weight)
    i = path.units[0]
    ids = []
    if name == "W":  # the weight is the edge from its input neuron; a bias has no edge
        j = paths.index[1]
        ids += [f"X{k}_{j + 1}", f"L{k}_{i + 1}_{j + 1}"]
    ids.append(f"X{k + 1}_{i + 1}")
    for m, (a, b) in enumerate(zip(path.units, path.units[1:]), k + 1):
        ids += [f"L{m}_{b + 1}_{a + 1}", f"X{m + 1}_{b + 1}"]
    c, last = path.units[-1], last_layer(graph.model)
    for m in range(last + 1, graph.K + 1):  # a fused last layer: element-wise, unit to unit
        ids += [f"L{m}_{c + 1}_{c + 1}", f"X{m + 1}_{c + 1}"]
    return ids + [f"Loss_{c + 1}", "Loss"]


def scripted(symbol: str, layer, unit=None) -> str:
    """A layer's quantity as the labels write it: ("o", 2) is o², ("o", 2, 1) o²₁ (``unit``
    as shown, counted from 1); also L³, δ³, X³."""
    m = symbol + picture.sup(layer)
    return (m if unit is None else m + picture.sub(unit)).text


def _o(layer: int, unit: str) -> str:
    return scripted("o", layer, unit)  # as the labels write it: o²₂


def counted(index) -> tuple[int, ...]:
    """The engine's unit or component (from 0, as the CLI's --index) as the graph counts it, from 1."""
    return tuple(int(i) + 1 for i in index)


def uncounted(shown) -> tuple[int, ...]:
    """A unit or component counted from 1 (as shown) as the engine counts it, from 0."""
    return tuple(int(i) - 1 for i in shown)


@dataclass(frozen=True)
class Named:
    """A path in the graph's words: what the panel writes and the neuron view highlights."""
    neurons: tuple[str, ...]  # each neuron the path runs through, as labelled: ("o¹₃", "o²₁", "o³₁")
    labels: tuple[str, ...]  # each factor's name: ("o¹₃", "∂o³₁/∂o²₁", "∂loss/∂o³₁")
    fused: str | None  # why the last factor spans two steps (a sigmoid fused with its loss), or None

    @property
    def route(self) -> str:
        return " → ".join(self.neurons) + " → loss"


def _neuron(m: int, u: int, features) -> str:
    """Unit u (from 0) of o^m as the neuron view labels it: o²₁; an input by its
    feature's name, or x₁ (column 1 of the view holds x)."""
    (shown,) = counted((u,))
    if m == 0:
        return one_line(features[u]) if u < len(features) else ("x" + picture.sub(shown)).text
    return _o(m, str(shown))


def component(weight: str, index) -> str:
    """A weight's component as shown: "W2[1,3]" (counted from 1, as the graph's units)."""
    return f"{weight}[{','.join(map(str, counted(index)))}]"


def value(name: str, index=(), features=()) -> str:
    """A recorded value (the engine's names: "o2", "δ3", "x", "y", "W2", "δw2", "loss"), or
    its component ``index`` (from 0), as the graph and this panel write it: o², o²₁, δ³₁,
    an input by its feature's name or x₁; a weight or its gradient always by
    :func:`component` (W2[1,3], δw2[1,3])."""
    if name[:1] in ("o", "δ") and name[1:].isdigit():  # o2, δ3: a layer's vector
        return scripted(name[0], name[1:], *counted(index))
    if name == "x" and len(index) == 1:
        return _neuron(0, index[0], features)
    if name in ("x", "y"):
        return name + "".join(picture.sub(i).text for i in counted(index))
    return component(name, index) if index else name


def gradient(paths: Paths) -> str:
    """The gradient the paths add up to, as shown: "δw2[1,3]"."""
    name, k = weight_layer(paths.weight)
    return "δ" + component(f"{name.lower()}{k}", paths.index)


def joins(weight: str, index, features=()) -> str:
    """What a component joins in the neuron view: W2[1,3] is the edge "o¹₃ → o²₁"; a
    bias b2[1] feeds "o²₁"."""
    name, k = weight_layer(weight)
    head = _neuron(k, index[0], features)
    return f"{_neuron(k - 1, index[1], features)} → {head}" if name == "W" else head


def named(graph: Graph, paths: Paths, path: Path, features=()) -> Named:
    """``path`` in the graph's words. Its neurons are exactly the ones :func:`neuron_ids`
    marks: after a Sigmoid fused with binary cross-entropy that includes o^K, the
    sigmoid's output, though no factor of its own reaches it. The arithmetic is one step
    there, ∂loss/∂o^{K-1} = o^K − y (σ' and the loss's derivative cancelled, as the
    backward pass's δ^K), yet the loss is read from o^K: the path does run through it,
    so the text names it and says why it has no factor, rather than the highlight
    skipping a neuron the loss sits behind."""
    name, k = weight_layer(paths.weight)
    units = [_neuron(m, u, features) for m, u in enumerate(path.units, k)]
    # A weight's first factor is its input, ∂o^k_i/∂W^k[i,j] = o^{k-1}_j; a bias's is
    # ∂o^k_i/∂b^k[i] = 1, named as that derivative (a bare "1" read as "1 = 1" in the table).
    first = _neuron(k - 1, paths.index[1], features) if name == "W" else None
    labels = [first if name == "W" else f"∂{units[0]}/∂{component(paths.weight, paths.index)}"]
    labels += [f"∂{b}/∂{a}" for a, b in zip(units, units[1:])]
    labels.append(f"∂loss/∂{units[-1]}")
    neurons = ([first] if name == "W" else []) + units
    model, last = graph.model, last_layer(graph.model)
    fused = None
    if last < graph.K:  # the loss does layer K's backward itself
        top = _neuron(graph.K, path.units[-1], features)
        neurons.append(top)
        share = model.layer(graph.K).size_out * graph.batch_size  # the loss's mean over outputs and rows
        y = f"{top} − y{picture.sub(counted(path.units[-1:])[0]).text}"
        fused = (f"{top} = {model.layer(graph.K).kind}({units[-1]}) and the {model.loss.title} are "
                 f"differentiated together: the last factor, {labels[-1]} = "
                 f"{f'({y})/{share}' if share > 1 else y}, spans {units[-1]} → {top} → loss in one step, "
                 "as the backward pass computes it: o − y has no clip and no division by the sigmoid's "
                 "slope o(1 − o), which nears 0 where the sigmoid saturates, so it stays accurate there.")
    return Named(tuple(neurons), tuple(labels), fused)


def described(element: str) -> str:
    """A neuron view's id in the graph's own words: "L4_1_2" is the edge o³₂ → o⁴₁,
    "X3_2" the neuron o²₂ (the ids count units from 1, as the labels do)."""
    parts = element.split("_")
    if len(parts) == 3 and parts[0][:1] == "L" and all(p.isdigit() for p in (parts[0][1:], *parts[1:])):
        k = int(parts[0][1:])
        return f"the edge {_o(k - 1, parts[2])} → {_o(k, parts[1])}"
    if len(parts) == 2 and parts[0][:1] == "X" and parts[0][1:].isdigit() and parts[1].isdigit():
        return f"the neuron {_o(int(parts[0][1:]) - 1, parts[1])}"
    return element


def path_ids(graph: Graph, paths: Paths, path: Path, view: str) -> list[str]:
    """The ids, in the SVG of ``view`` ("layer" or "neuron"), that ``path`` runs through."""
    if view == "layer":
        return layer_ids(graph, paths)
    if view == "neuron":
        return neuron_ids(graph, paths, path)
    raise ValueError(f"unknown view {view!r}; choose layer or neuron")


def _elements(root: ET.Element):
    for g in root.iter(f"{SVG}g"):
        if g.get("class") in ("node", "edge") and g.get("id"):
            yield g


def mark(svg: str, ids: list[str], theme: str = "light") -> tuple[ET.Element, list[str]]:
    """The SVG tree of a view with the elements ``ids`` marked as the path and the
    others dimmed, and the ids the drawing lacks (a neuron or edge the neuron view
    leaves out: past its limits, or a zero weight, which draws no edge)."""
    color = COLORS.get(theme, COLORS["light"])
    order = {id_: n for n, id_ in enumerate(ids)}
    root = svgdoc.parse(svg)
    found = set()
    for g in _elements(root):
        n = order.get(g.get("id"))
        if n is None:
            g.set("class", f"{g.get('class')} {DIM_CLASS}")
            g.set("opacity", "0.3")
            continue
        found.add(g.get("id"))
        g.set("class", f"{g.get('class')} {PATH_CLASS}")
        g.set("data-path-order", str(n))
        edge = g.get("class").startswith("edge")
        for shape in g.iter():  # a tooltip puts the shapes inside <g><a>
            if shape.tag not in _SHAPES or shape.get("stroke") in (None, "transparent", "none"):
                continue
            shape.set("stroke", color)
            shape.set("stroke-width", "4" if edge else "3")
            if edge and shape.tag == f"{SVG}polygon":  # the arrowhead
                shape.set("fill", color)
    return root, [i for i in ids if i not in found]


def clicked_weight(graph: Graph, element: str | None) -> tuple[str, tuple[int, ...] | None] | None:
    """The weight a clicked element is, or None: the layer view's weight edge or node
    ("W2", "L2.W") names a matrix; the neuron view's edge ``L{k}_{i+1}_{j+1}`` of a
    linear layer is its component W^k[i, j]."""
    weights = graph.model.weights()
    if not isinstance(element, str):
        return None
    if element in weights:
        return element, None
    layer, _, name = element.partition(".")
    if name and f"{name}{layer[1:]}" in weights and layer == f"L{layer[1:]}":
        return f"{name}{layer[1:]}", None
    parts = element.split("_")
    if len(parts) == 3 and parts[0][:1] == "L" and all(p.isdigit() for p in (parts[0][1:], *parts[1:])):
        weight = f"W{int(parts[0][1:])}"
        index = (int(parts[1]) - 1, int(parts[2]) - 1)
        if weight in weights and all(0 <= i < n for i, n in zip(index, weights[weight].shape)):
            return weight, index
    return None
