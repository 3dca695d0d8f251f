"""The timeline as animation frames: frame 0 (nothing computed) then one per event.

Each frame is a complete picture of what has flowed so far, the current event
highlighted. The views keep every label's text in every frame (values not reached
yet are transparent), so Graphviz places every node and edge at the same spot in
every frame; :func:`node_positions` lets tests and callers check it.
"""
from __future__ import annotations

from ..explain import step_title
from ..graph import Graph
from .layer_view import layer_view
from .neuron_view import neuron_view
from .picture import Picture
from . import layout, svgdoc

VIEWS = {"layer": layer_view, "neuron": neuron_view}


def view_picture(graph: Graph, view: str = "layer", **kw) -> Picture:
    """One view's Picture; ``kw`` are the view's own options (step, sample, theme, rankdir, …)."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; choose one of: {', '.join(VIEWS)}")
    if view == "layer":  # the layer view draws no per-feature nodes
        kw.pop("feature_names", None)
        kw.pop("max_neurons", None)
        kw.pop("max_edges", None)
    return VIEWS[view](graph, **kw)


def steps(graph: Graph) -> range:
    return range(len(graph.timeline) + 1)


def view_dot(graph: Graph, view: str = "layer", **kw) -> str:
    """DOT of one view (HTML-like labels, for any Graphviz)."""
    return view_picture(graph, view, **kw).source


def frame_pictures(graph: Graph, *, view: str = "layer", **kw) -> list[Picture]:
    """The Picture of every frame, frame 0 first."""
    return [view_picture(graph, view, step=s, **kw) for s in steps(graph)]


def frame_dots(graph: Graph, *, view: str = "layer", **kw) -> list[str]:
    """The DOT of every frame, frame 0 first."""
    return [p.source for p in frame_pictures(graph, view=view, **kw)]


def frame_svgs(graph: Graph, *, view: str = "layer", **kw) -> list[str]:
    """The SVG of every frame, laid out once (see ``layout``)."""
    return layout.frame_svgs(frame_pictures(graph, view=view, **kw))


def frame_trees(graph: Graph, *, view: str = "layer", **kw) -> list:
    """The SVG tree of every frame (``frame_svgs`` unwritten), laid out once."""
    return layout.frame_trees(frame_pictures(graph, view=view, **kw))


def captions(graph: Graph) -> list[str]:
    """One line per frame, the titles Explore shows: "Step 6 of 9 · learning flow · δ3
    through L3 (relu)" (it was "backward: δ3 on X3", and "loss: loss on Loss")."""
    return [step_title(graph, s) for s in steps(graph)]


def node_positions(svg: str) -> dict[str, tuple[float, ...]]:
    """Each node's id → the coordinates of its shape, read from Graphviz's SVG."""
    out = {}
    for g in svgdoc.parse(svg).iter(f"{svgdoc.SVG}g"):
        if g.get("class") != "node":
            continue
        title = g.find(f"{svgdoc.SVG}title").text
        coords = []
        for shape in g:
            for attr in ("points", "d", "cx", "cy", "x", "y"):
                if shape.get(attr) and shape.tag != f"{svgdoc.SVG}text":
                    coords += svgdoc.numbers(shape.get(attr))
        out[title] = tuple(coords)
    return out

