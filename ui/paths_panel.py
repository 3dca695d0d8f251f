"""Explore's "Sum over paths" panel: a weight's gradient δw as the sum of its paths to
the loss (engine/paths.py), each path with its factors and product, the paths
highlighted one by one in the graph (engine/render/path_view.py), the sum under it.

It speaks the graph's language: units and components counted from 1 and named as the
neuron view labels them (o²₁, W2[1,3] the edge o¹₃ → o²₁), through path_view's
``counted``/``uncounted``/``named``; the engine and the CLI's --index count from 0."""
from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

from engine.numbers import format_number
from engine.paths import weight_paths
from engine.render import path_view
from engine.render.frames import view_picture
from engine.render.neuron_view import DEFAULT_MAX_EDGES, DEFAULT_MAX_NEURONS
from engine.render.svg import to_svg
from engine.render.svgdoc import portable_fonts, prefix_ids, serialise, size_pt

from .explore_data import FRAMES
from .text import md

# st.html sanitises with an HTML-only profile and drops the whole SVG, so the graph comes
# in as the player's frames do: a v2 component setting the SVG (Graphviz's, serialised by
# ElementTree: every text escaped) as its markup, only when it changed.
_graph = st.components.v2.component(
    "backprop_paths_graph",
    html="",
    css=".bp-paths-box { overflow: auto; } .bp-paths-box svg { display: block; }",
    js="""export default function ({ data, parentElement }) {
  let box = parentElement.querySelector(".bp-paths-box");
  if (!box) {
    box = document.createElement("div");
    box.className = "bp-paths-box";
    parentElement.appendChild(box);
  }
  if (box.dataset.signature !== data.signature) {
    box.innerHTML = data.svg;
    box.dataset.signature = data.signature;
  }
}""",
)

LISTED = 1024  # components listed in one selectbox; a bigger matrix takes row and column
ID_PREFIX = "paths-"
SUM_TERMS = 6  # products written out in the sum; past that the first ones and a count


def _final_svg(key: str, graph, view: str, row: int, theme: str, rankdir: str, names: tuple) -> str:
    """The view with everything computed and no current step, drawn once per graph and
    look (in the frames' cache: it is one more frame of the same graph)."""
    def draw():
        return to_svg(view_picture(graph, view, step=None, sample=row, theme=theme, rankdir=rankdir,
                                   feature_names=names, legend=False))
    return FRAMES.get_or_compute(("paths-final", key, view, row, theme, rankdir, names), draw)


def _take_click(graph) -> bool:
    """A weight clicked in the player (its last report) becomes the panel's weight, once
    per click; True when it did, so the panel opens."""
    selected = (st.session_state.get("player") or {}).get("selected")
    if not selected or selected == st.session_state.get("_paths_clicked"):
        return False
    st.session_state["_paths_clicked"] = selected
    hit = path_view.clicked_weight(graph, selected)
    if hit is None:
        return False
    st.session_state["paths_weight"], index = hit
    if index is not None:  # the selectbox holds the engine's index, the row and column inputs the shown one
        st.session_state["paths_component"] = index
        st.session_state["paths_i"], st.session_state["paths_j"] = path_view.counted(index)
    return True


def _component(weight: str, values, grads, names: tuple) -> tuple[int, ...]:
    """The component of ``weight`` the user picks, shown counted from 1 as the graph's
    units are, returned as the engine counts it (from 0)."""
    shape = values.shape
    options = list(np.ndindex(shape))
    if len(options) <= LISTED:
        if st.session_state.get("paths_component") not in options:  # the largest |δw| first: a 0 says little
            st.session_state["paths_component"] = max(options, key=lambda ix: abs(float(grads[ix])))

        def label(ix):  # "W2[1,3] (o¹₃ → o²₁) = 1/5800, δw = -3000": the weight and its gradient
            return (f"{path_view.component(weight, ix)} ({path_view.joins(weight, ix, names)}) = "
                    f"{format_number(values[ix], 4)}, δ{weight[0].lower()} = {format_number(grads[ix], 4)}")
        return st.selectbox("Component", options, key="paths_component", format_func=label)
    for axis, size in zip(("paths_i", "paths_j"), shape):  # a bigger matrix's row may lie past this one's
        st.session_state[axis] = min(max(int(st.session_state.get(axis, 1)), 1), size)
    left, right = st.columns(2)
    i = left.number_input("Row i", 1, shape[0], key="paths_i")
    j = right.number_input("Column j", 1, shape[1], key="paths_j") if len(shape) > 1 else None
    return path_view.uncounted((i,) if j is None else (i, j))


def _paths(key: str, graph, weight: str, index, row: int):
    """The paths, computed once per graph (``key``: its content), component and row in
    a session: the reruns that step through them reuse them."""
    memo = st.session_state.get("_paths_memo")
    if memo and memo[0] == (key, weight, index, row):
        return memo[1]
    found = weight_paths(graph, weight, index, row)
    st.session_state["_paths_memo"] = ((key, weight, index, row), found)
    return found


def _step(delta: int, n: int) -> None:
    st.session_state["paths_path"] = (st.session_state.get("paths_path", 1) - 1 + delta) % n + 1


def _navigator(n: int, what) -> int:
    """Which path is highlighted: a slider and previous/next buttons (wrapping round)."""
    if st.session_state.get("_paths_for") != what or not 1 <= st.session_state.get("paths_path", 1) <= n:
        st.session_state["_paths_for"], st.session_state["paths_path"] = what, 1
    if n == 1:
        st.session_state["paths_path"] = 1
        return 1
    prev, nxt, slider = st.columns([1.6, 1.7, 5], vertical_alignment="bottom")  # room for "Previous"
    prev.button("Previous", key="paths_prev", on_click=_step, args=(-1, n), icon=":material/chevron_left:")
    nxt.button("Next path", key="paths_next", on_click=_step, args=(1, n), icon=":material/chevron_right:")
    return slider.slider("Path", 1, n, key="paths_path")


def _signed(v) -> str:
    text = format_number(v)
    return f"({text})" if text.startswith("-") else text


def _verdict(total, recorded, grad: str, exact: bool, batch: bool) -> str:
    """``total`` against the backward pass's ``recorded`` value of ``grad``."""
    what = f"this row's share of {grad}" if batch else f"the backward pass's {grad}"
    shown = format_number(recorded)
    if total == recorded:
        return f"✓ equal to {what} = {shown}" + (", exactly" if exact else "")
    if exact:
        return f"✗ {what} is {shown}"
    # float adds in another order than the backward pass: the last bits may differ
    gap = format_number(abs(float(total) - float(recorded)))
    return f"≈ {what} = {shown} (float rounding: they differ by {gap})"


def _sum_line(found, grad: str, exact: bool, batch: bool, penalty) -> str:
    """The products' sum against δw. With a penalty (a weight matrix, one sample) the
    paths are δw's data term only: the penalty's term λ₂·w + λ₁·sign(w) is added in
    words, and the total is what is compared with the δw the backward pass descends."""
    products = [p.product for p in found.paths]
    terms = " + ".join(_signed(v) for v in products[:SUM_TERMS])
    if len(products) > SUM_TERMS:
        terms += f" + … ({len(products):,} products)"
    total = format_number(found.total)
    if found.penalty is None:
        return f"**Sum of the products:** {grad} = {terms} = **{total}**  " + \
            _verdict(found.total, found.recorded, grad, exact, batch)
    term = "λ₂·w + λ₁·sign(w)" if penalty.l2 and penalty.l1 else "λ₂·w" if penalty.l2 else "λ₁·sign(w)"
    # "\\+": a line opening with "+ " would be drawn as a bullet, the addition lost
    return (f"**Sum of the products:** {terms} = **{total}** (the data's term of {grad});  \n"
            f"\\+ the penalty's term {term} = **{format_number(found.penalty)}** ({penalty.describe()});  \n"
            f"= **{format_number(found.penalised_total)}**  "
            + _verdict(found.penalised_total, found.descended, grad, exact, batch))


def _table(graph, found, names: tuple) -> list[dict]:
    rows = []
    for n, p in enumerate(found.paths, 1):
        said = path_view.named(graph, found, p, names)
        rows.append({"path": n, "route": said.route,
                     "factors": " · ".join(f"{label} = {format_number(f)}" for label, f in zip(said.labels, p.factors)),
                     "product": format_number(p.product)})
    return rows


def _picture(root) -> str:
    """The marked SVG as HTML: as wide as the panel, never wider than drawn; its ids
    prefixed (ID_PREFIX), as the player's graph on the same page has the same ones."""
    prefix_ids(root, ID_PREFIX)
    width = size_pt(root)[0]
    root.set("width", "100%")
    root.attrib.pop("height", None)
    root.set("style", f"max-width:{width:.0f}pt;height:auto")
    root.set("class", "bp-paths-graph")
    return serialise(portable_fonts(root), declaration=False)


def paths_panel(graph, key: str, view: str, row: int, theme: str, rankdir: str, names: tuple = ()) -> None:
    """The panel: pick a weight (or click one in the graph), see its paths."""
    weights = graph.model.weights()
    if not weights:
        return
    if _take_click(graph):
        st.session_state["paths_open"] = True
    # Its state tracked (key, on_change): a closed panel computes and sends nothing, and
    # a click in the graph opens it.
    panel = st.expander("Sum over paths: one weight's gradient, path by path", key="paths_open",
                        on_change="rerun", icon=":material/route:")
    if not panel.open:
        return
    with panel:
        st.caption("A weight reaches the loss along every path through the later layers' units; each "
                   "path's product of local derivatives (this sample's numbers) is its share of δw, and the "
                   "shares add up to δw. Pick a weight here, or click a weight edge in the graph above.")
        if st.session_state.get("paths_weight") not in weights:
            st.session_state["paths_weight"] = next(iter(weights))
        left, right = st.columns([1, 2])
        weight = left.selectbox("Weight", list(weights), key="paths_weight",
                                format_func=lambda w: f"{w} ({'×'.join(map(str, weights[w].shape))})")
        grads = graph.shown_weight_grads(row)
        with right:
            index = _component(weight, weights[weight], grads[weight], names)
        try:
            found = _paths(key, graph, weight, index, row)
        except ValueError as e:  # past the paths budget: said before any is computed
            st.warning(f"{e}. Pick a weight of a later layer: it has fewer paths.", icon=":material/route:")
            return
        grad, n = path_view.gradient(found), len(found.paths)
        if graph.batch_size > 1:
            st.caption(f"Row {row + 1} of the batch: its paths add up to its share of {grad} (its δ carry 1/n); "
                       "the batch's δw is the sum of every row's"
                       + (", plus the penalty's term for a weight matrix." if graph.model.penalty.active else "."))
        number = _navigator(n, (key, weight, index, row))
        path = found.paths[number - 1]
        ids = path_view.path_ids(graph, found, path, view)
        root, missing = path_view.mark(_final_svg(key, graph, view, row, theme, rankdir, names), ids, theme)
        said = path_view.named(graph, found, path, names)  # the neurons it names are the ones highlighted
        st.markdown(f"**Path {number} of {n:,}:** {md(said.route)}  \n"
                    f"{md(' · '.join(said.labels))} = {md(' · '.join(_signed(f) for f in path.factors))} "
                    f"= **{md(format_number(path.product))}**")
        if said.fused:
            st.caption(md(said.fused))
        svg = _picture(root)
        _graph(data={"svg": svg, "signature": hashlib.sha256(svg.encode()).hexdigest()[:16]},
               key="paths_graph", height="content")
        if missing:
            st.caption(f"{len(missing)} of this path's elements are not drawn in the neuron view "
                       f"({', '.join(map(path_view.described, missing[:4]))}{', …' if len(missing) > 4 else ''}):"
                       " it shows at most "
                       f"{DEFAULT_MAX_NEURONS} neurons per layer and {DEFAULT_MAX_EDGES} edges, and a zero weight "
                       "draws no edge.")
        elif view == "layer":
            st.caption("The layer view shows the layers a path crosses; the neuron view shows its own units.")
        st.markdown(_sum_line(found, grad, graph.arithmetic == "exact", graph.batch_size > 1, graph.model.penalty))
        st.dataframe(_table(graph, found, names), hide_index=True, width="stretch")
