"""One animation frame as its drawn elements (leaves), for ``raster``.

Each leaf keeps a key that stays the same from frame to frame (its group's id and its
rank there), its box (``extent``), its ancestors, and, for a line of text, all that
decides its coverage, so that two frames can be compared leaf by leaf and a frame cut
to any rectangle with only the leaves drawn there.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np

from .extent import (CONTAINERS, GROUPS, UNDRAWN, UNITS, Unknown, length, numbers, shape_box, text_box, then,
                     transform, viewport)
from .svgdoc import SVG, XLINKNS as XLINK, serialise


class Frame:
    """One frame's leaves (drawn elements) in document order: each one's key, which
    stays the same from frame to frame, its box in the root's units and its ancestors."""

    def __init__(self, root: ET.Element, known: dict | None = None):
        self.root = root
        self.leaves: list[ET.Element] = []
        self.keys: list[tuple] = []
        self.chains: list[tuple] = []
        self.looks: list = []  # a line of text: all that decides its pixels (else None)
        boxes = []
        counts: dict[str, int] = {}
        known = {} if known is None else known  # a leaf's box, by all that decides it
        painted: dict = {}  # see _painted

        def walk(el, m, size, chain, group):
            tag = el.tag
            if tag in UNDRAWN:
                return
            if tag in CONTAINERS:
                if el.get("transform"):
                    m = then(m, transform(el.get("transform")))
                if tag == f"{SVG}svg" and chain:
                    m = then(m, viewport(el, False))
                if el.get("id") and el.get("class") in GROUPS:
                    group = el.get("id")
                size = float(el.get("font-size", size))
                chain = (*chain, el)
                for child in el:
                    walk(child, m, size, chain, group)
                return
            if not tag.startswith(SVG) or "style" in el.attrib or "clip-path" in el.attrib:
                raise Unknown(f"element {tag}")
            seen = (tag, m, size, el.text, *el.attrib.items())  # frames share most leaves
            box = known.get(seen)
            if box is None:
                local = tag[len(SVG):]
                if local == "text":
                    b = text_box(el, float(el.get("font-size", size)))
                else:
                    b = shape_box(el, local)
                xs = sorted((m[0] * b[0] + m[2], m[0] * b[2] + m[2]))
                ys = sorted((m[1] * b[1] + m[3], m[1] * b[3] + m[3]))
                box = known[seen] = (xs[0], ys[0], xs[1], ys[1])
            n = counts[group] = counts.get(group, -1) + 1
            self.looks.append(_looks(el, seen, chain, painted) if tag == f"{SVG}text" else None)
            self.leaves.append(el)
            self.keys.append((group, n))
            self.chains.append(chain)
            boxes.append(box)

        if root.tag != f"{SVG}svg":
            raise Unknown("not an svg document")
        w, fw = length(root.get("width"))
        h, fh = length(root.get("height"))
        if fw != fh:
            raise Unknown("width and height in different units")
        self.size = (w, h)
        self.unit = (fw, next(u for u, f in UNITS.items() if f == fw))  # CSS px per unit, its name
        self.view = tuple(numbers(root.get("viewBox") or f"0 0 {w * fw} {h * fh}"))
        viewport(root, True)  # the aspect checked
        walk(root, (1.0, 1.0, 0.0, 0.0), 16.0, (), "")
        self.boxes = np.array(boxes, dtype=float).reshape(-1, 4)
        self.text = np.array([el.tag == f"{SVG}text" for el in self.leaves], dtype=bool)
        self.drawn = ~(self.text & np.array([el.get("fill") == "none" for el in self.leaves], dtype=bool))

    def changed(self, before: "Frame") -> list[tuple] | None:
        """The boxes (root units) where this frame draws differently from ``before``;
        None when the common elements changed order (every pixel may differ)."""
        old = dict(zip(before.keys, range(len(before.keys))))
        new = dict(zip(self.keys, range(len(self.keys))))
        if [k for k in before.keys if k in new] != [k for k in self.keys if k in old]:
            return None
        out = []
        for k, i in new.items():
            j = old.get(k)
            a = self.leaves[i]
            if j is None:
                out.append(self.boxes[i])
                continue
            b = before.leaves[j]
            if a.tag != b.tag or a.text != b.text or a.attrib != b.attrib:
                out += [self.boxes[i], before.boxes[j]]
        out += [before.boxes[j] for k, j in old.items() if k not in new]
        return out

    def svg(self, keep: np.ndarray, view: tuple[float, float, float, float], pixels: tuple[int, int],
            scale: float, *, instead: dict | None = None, background: str | None = None) -> str:
        """The leaves chosen by ``keep`` (leaf ``i`` replaced by ``instead[i]`` if given),
        each under copies of its ancestors, in the same order, in a document cut to
        ``view`` (root units) of ``pixels`` at ``scale``, on ``background`` if given."""
        root = ET.Element(self.root.tag, dict(self.root.attrib))
        x0, y0, x1, y1 = view
        if background:
            ET.SubElement(root, f"{SVG}rect", {"x": f"{x0}", "y": f"{y0}", "width": f"{x1 - x0}",
                                                "height": f"{y1 - y0}", "fill": background})
        root.set("viewBox", f"{x0} {y0} {x1 - x0} {y1 - y0}")
        root.set("preserveAspectRatio", "none")  # never centred in one direction: no shift
        unit = self.unit[1]  # the document's size in its own unit: pixels / (CSS px per unit × scale)
        root.set("width", f"{pixels[0] / (self.unit[0] * scale)}{unit}")
        root.set("height", f"{pixels[1] / (self.unit[0] * scale)}{unit}")
        copies = {id(self.root): root}
        for n in np.flatnonzero(keep):
            parent = root
            for anc in self.chains[n][1:]:
                made = copies.get(id(anc))
                if made is None:
                    made = copies[id(anc)] = ET.SubElement(parent, anc.tag, anc.attrib)
                parent = made
            parent.append(self.leaves[n] if instead is None else instead.get(n, self.leaves[n]))
        return serialise(root)

    def inside(self, view) -> np.ndarray:
        """Which leaves may draw inside ``view`` (root units)."""
        b = self.boxes
        return (b[:, 0] < view[2]) & (b[:, 2] > view[0]) & (b[:, 1] < view[3]) & (b[:, 3] > view[1])


_UNPAINTED = {"id", "class", "target", f"{{{XLINK}}}title", f"{{{XLINK}}}href"}


def _painted(el: ET.Element, cache: dict) -> tuple:
    """An ancestor's attributes that may change how its text looks (a link's tooltip,
    which changes as values are reached, does not); ``cache``: by element, per frame."""
    got = cache.get(id(el))
    if got is None:
        if any(a in el.attrib for a in ("fill", "opacity", "fill-opacity", "filter", "mask")):
            raise Unknown("text painted beyond one colour")
        got = cache[id(el)] = tuple(item for item in el.attrib.items() if item[0] not in _UNPAINTED)
    return got


def _looks(el: ET.Element, seen: tuple, chain: tuple, cache: dict) -> tuple:
    """What decides a line of text's coverage (its colour does not: the line is drawn
    white on black once, then laid in each colour it takes, see ``frames``)."""
    if "stroke" in el.attrib or "opacity" in el.attrib or "fill-opacity" in el.attrib:
        raise Unknown("text painted beyond one colour")
    return (*seen[:4], *(item for item in seen[4:] if item[0] != "fill"), *(_painted(a, cache) for a in chain))
