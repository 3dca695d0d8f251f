"""An animation's frames laid out once, and each frame painted on the SVG tree.

The frames of a view differ only in paint: colours, drawn widths, dashes, and which
end of the current edge carries the arrow (``dir``); their labels keep the same text,
so Graphviz places everything at the same spot in every frame. Drawing 23 frames
therefore needs no 23 layouts. Each element (by its id) takes a few distinct paints
over the animation (an edge: not reached, forward, backward, current); variant ``v``
of the plain DOT gives every element its ``v``-th paint, so a handful of renders holds
every element in every paint it ever has, each drawn by Graphviz itself. A frame is
then the first variant's SVG tree with each element's ``<g>`` taken from the variant
holding its paint in that frame, and its label lines painted (``picture.paint_tree``).

If the frames differ in anything but paint, or a variant's layout differs, every
frame is drawn on its own, as before.
"""
from __future__ import annotations

import copy
import xml.etree.ElementTree as ET

from .picture import Picture, paint_tree
from .svgdoc import SVGNS, parse, serialise
from .svg import render, to_svg

# Attributes only drawn, never read by the layout.
PAINT = frozenset({"color", "fillcolor", "fontcolor", "style", "dir"})
_G = f"{{{SVGNS}}}g"
_TEXT = f"{{{SVGNS}}}text"


def _skeleton(pic: Picture) -> list:
    return [(kind, key, where, None if a is None else {k: v for k, v in a.items() if k not in PAINT})
            for kind, key, where, a, _ in pic.ops]


def _elements(root: ET.Element) -> dict[str, tuple[ET.Element, int]]:
    """Each top-level element's id → (its parent, its index there)."""
    out = {}
    for parent in root.iter(_G):
        for n, child in enumerate(parent):
            if child.tag == _G and child.get("class") in ("node", "edge", "cluster") and child.get("id"):
                out[child.get("id")] = (parent, n)
    return out


def _geometry(root: ET.Element) -> tuple:
    """What the layout decides: the picture's size and where every text is drawn."""
    return (root.get("viewBox"),
            tuple((t.get("x"), t.get("y"), t.text) for t in root.iter(_TEXT)))


def frame_svgs(pictures: list[Picture]) -> list[str]:
    """Every frame's SVG; the same as ``[to_svg(p) for p in pictures]``, laid out once."""
    trees = _laid_out_once(pictures)
    return [to_svg(p) for p in pictures] if trees is None else [serialise(root) for root in trees]


def frame_trees(pictures: list[Picture]) -> list[ET.Element]:
    """Every frame's SVG tree (``frame_svgs`` parsed), for callers that change the trees
    anyway (the GIF): writing 21 big frames out as text and reading them back took 0.6 s."""
    trees = _laid_out_once(pictures)
    return [parse(to_svg(p)) for p in pictures] if trees is None else trees


def _laid_out_once(pictures: list[Picture]) -> list[ET.Element] | None:
    """Every frame's tree from one layout; None when each frame must be drawn on its own."""
    first = pictures[0] if pictures else None
    if len(pictures) < 3 or any(_skeleton(p) != _skeleton(first) for p in pictures[1:]):
        return None
    paints: dict[str, list[dict]] = {}
    chosen = []  # per frame: element id → index of its paint
    for pic in pictures:
        frame = {}
        for _, key, _, attrs, _ in pic.ops:
            if key is None:
                continue
            seen = paints.setdefault(key, [])
            if attrs not in seen:
                seen.append(attrs)
            frame[key] = seen.index(attrs)
        chosen.append(frame)
    count = max((len(p) for p in paints.values()), default=1)
    if count >= len(pictures):  # nothing to save
        return None
    variants = []
    for v in range(count):
        dot = first.replay({key: seen[min(v, len(seen) - 1)] for key, seen in paints.items()}).source
        variants.append(parse(render(dot, "svg")))
    if any(_geometry(v) != _geometry(variants[0]) for v in variants[1:]):
        return None
    template = copy.deepcopy(variants[0])  # its elements are swapped in each frame
    slots = _elements(template)
    drawn = [{key: parent[n] for key, (parent, n) in _elements(v).items()} for v in variants]
    out = []
    for pic, frame in zip(pictures, chosen):
        for key, (parent, n) in slots.items():
            parent[n] = drawn[frame.get(key, 0)][key]
        root = copy.deepcopy(template)  # painting must not touch the variants
        paint_tree(root, pic.styles)
        out.append(root)
    return out
