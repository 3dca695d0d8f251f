"""Looks shared by the layer and neuron views: themes, escaping, edge widths, legend.

Forward values (the information flow o^k) are drawn in a blue family, backward
values (the learning flow δ^k, δw^k) in an orange-red family, the current step in
amber. Nothing here may change a label's text or font between frames: Graphviz
would then move things, and the animation would jump.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from . import picture
from .picture import Picture

RANKDIRS = ("LR", "TB")
FONT = "Helvetica"  # one of the few names Graphviz-in-wasm has metrics for


@dataclass(frozen=True)
class Theme:
    name: str
    bg: str
    fg: str
    muted: str
    node: str
    border: str
    forward: str
    forward_bg: str
    backward: str
    backward_bg: str
    current: str
    current_bg: str


THEMES = {
    "light": Theme("light", bg="#ffffff", fg="#1f2328", muted="#8c959f", node="#f6f8fa",
                   border="#afb8c1", forward="#1f6fb4", forward_bg="#e7f1fb",
                   backward="#d9480f", backward_bg="#fff0e6", current="#e8a700",
                   current_bg="#fff3bf"),
    "dark": Theme("dark", bg="#0e1117", fg="#e6edf3", muted="#7d8590", node="#1c2128",
                  border="#545d68", forward="#58a6ff", forward_bg="#132840",
                  backward="#ff8f4f", backward_bg="#3a2010", current="#ffd43b",
                  current_bg="#3d3200"),
}


def theme(name: str) -> Theme:
    if name not in THEMES:
        raise ValueError(f"unknown theme {name!r}; choose one of: {', '.join(THEMES)}")
    return THEMES[name]


def check_rankdir(rankdir: str) -> str:
    if rankdir not in RANKDIRS:
        raise ValueError(f"unknown rankdir {rankdir!r}; choose LR or TB")
    return rankdir


def html(text) -> str:
    """Text for an HTML-like label, as typed (see ``picture.text``)."""
    return picture.text(text).html


def magnitude(v) -> float:
    """|v| as a float, safe for huge exact fractions (inf rather than OverflowError)."""
    try:
        return abs(float(v))
    except OverflowError:
        return math.inf if not isinstance(v, Fraction) or v.numerator else 0.0


def penwidth(v) -> float:
    """Edge width from |v| on a log scale: |v| = 1 draws 2.6 pt, each factor of 10
    adds or removes 0.65 pt, so vanishing (1e-6) and exploding (1e4) gradients
    look thin and thick instead of all alike."""
    m = magnitude(v)
    if m == 0 or math.isnan(m):
        return 0.8
    if math.isinf(m):
        return 7.0
    return round(min(7.0, max(0.8, 2.6 + 0.65 * math.log10(m))), 2)


def stroke(width: float, *, dashed: bool = False) -> str:
    """An edge's drawn width, as the value of ``style``: Graphviz's layout reads
    ``penwidth`` (a thicker edge pulls its ends into line), so a width that changes
    from frame to frame would move nodes; ``setlinewidth`` is only drawn."""
    return f"{'dashed,' if dashed else ''}setlinewidth({width:g})"


def digraph(name: str, t: Theme, rankdir: str, **extra) -> Picture:
    """A view's Picture with the shared graph, node and edge defaults."""
    graph = {"rankdir": check_rankdir(rankdir), "bgcolor": t.bg, "fontname": FONT, "fontcolor": t.fg,
             "fontsize": "12", "pad": "0.3", **extra}
    node = {"fontname": FONT, "fontsize": "12", "fontcolor": t.fg, "color": t.border,
            "style": "rounded,filled", "fillcolor": t.node, "shape": "box", "penwidth": "1.6"}
    edge = {"fontname": FONT, "fontsize": "10", "color": t.muted, "fontcolor": t.fg,
            # a width by style, not penwidth: a default penwidth wins over every
            # edge's own setlinewidth (stroke), and all edges were drawn alike
            "arrowsize": "0.7", "style": "setlinewidth(1.2)"}
    return Picture(name, graph_attr=graph, node_attr=node, edge_attr=edge)


def legend(pic: Picture, t: Theme, beside: str = "Loss", *, extra: tuple[str, ...] = ()) -> None:
    """A small box explaining the colours and widths. Same text in every frame.
    Swatches are text (——), not cell colours, so the plain twin keeps them."""
    rows = [
        (t.forward, "——  forward: o, the information flow"),
        (t.backward, "——  backward: δ and δw, the learning flow"),
        (t.current, "——  the current step"),
        (t.muted, "thin → thick: |value| on a log scale (vanishing, exploding)"),
        (t.muted, "- - -  zero: no learning flow passes"),
    ] + [(t.muted, e) for e in extra]
    label = picture.table([picture.Line(picture.text(s), c, "10") for c, s in rows], spacing=2, padding=0)
    pic.node("legend", label, shape="box", style="rounded", color=t.border, margin="0.12,0.08")
    # on the last rank, beside the loss: on the first it widened the input column
    pic.same_rank(beside, "legend")
