"""An animation's frames rasterised once, then only where they change.

vl-convert (resvg) turns every glyph into outlines on every call, about 0.17 ms a
character, and draws every shape again: a frame of the spiral preset's neuron view
took 0.5 s, its GIF 12–25 s. The frames of an animation share one layout
(``layout``) and differ in paint, a few elements at a time. So frame 0 is rasterised
whole and every later frame only inside the rectangles where some element's drawing
changed since the frame before. Each rectangle is rasterised from that frame's own
SVG, cropped to it (``viewBox``) and stripped of every element drawn wholly outside
it: the same elements, painted in the same order, give the pixels of the whole frame.

Text is drawn apart (see ``frames``): each distinct line once, then laid over the
shapes. Where an edge crossed a label in the SVG, the label now lies over the edge.

Where an element draws is read from its geometry (points, path coordinates, ellipses,
rectangles) and, for text, bounded generously from its size and length. A document
this reading does not understand (a rotation, a relative path, an image, an unknown
element) is rasterised whole, frame by frame, as before: never a stale pixel.
"""
from __future__ import annotations

import io
import math
import xml.etree.ElementTree as ET

import numpy as np
import vl_convert
from PIL import Image, ImageColor

from .extent import Unknown
from .leaves import Frame
from .svgdoc import drop_hidden_text, serialise

PAD_PX = 2  # around every rectangle: anti-aliasing reaches a pixel past the geometry
MARGIN_PX = 8  # drawn around a rectangle and cut off (see _Canvas.draw)
WHOLE = 0.5  # a frame whose changes cover more than this share is rasterised whole


def _merged(rects: list[list[int]]) -> list[list[int]]:
    """Overlapping or touching pixel rectangles joined until none overlap."""
    out: list[list[int]] = []
    for r in sorted(rects):
        r = list(r)
        grown = True
        while grown:
            grown = False
            for o in out:
                if r[0] <= o[2] and o[0] <= r[2] and r[1] <= o[3] and o[1] <= r[3]:
                    out.remove(o)
                    r = [min(r[0], o[0]), min(r[1], o[1]), max(r[2], o[2]), max(r[3], o[3])]
                    grown = True
                    break
        out.append(r)
    return out


def _png(svg: str, scale: float, mode: str = "RGB") -> Image.Image:
    return Image.open(io.BytesIO(bytes(vl_convert.svg_to_png(svg, scale=scale)))).convert(mode)


class _Canvas:
    """The pixel grid of the frames: root units ↔ whole pixels."""

    def __init__(self, root: ET.Element, first: Frame, scale: float):
        self.scale = scale
        self.vx, self.vy, vw, _ = first.view
        self.k = first.size[0] * first.unit[0] * scale / vw  # pixels per root unit
        # the size resvg gives the document (it rounds), read from a drawing of nothing
        self.w, self.h = _png(serialise(ET.Element(root.tag, root.attrib)), scale).size

    def view(self, rect) -> tuple[float, float, float, float]:
        x0, y0, x1, y1 = rect
        return (self.vx + x0 / self.k, self.vy + y0 / self.k, self.vx + x1 / self.k, self.vy + y1 / self.k)

    def rect(self, box) -> list[int]:
        """The whole pixels a box (root units) touches, with PAD_PX around, on the canvas."""
        return [max(0, math.floor((box[0] - self.vx) * self.k) - PAD_PX),
                max(0, math.floor((box[1] - self.vy) * self.k) - PAD_PX),
                min(self.w, math.ceil((box[2] - self.vx) * self.k) + PAD_PX),
                min(self.h, math.ceil((box[3] - self.vy) * self.k) + PAD_PX)]

    def draw(self, frame: Frame, keep: np.ndarray, rect, mode: str = "RGB", **kw) -> Image.Image:
        """The chosen leaves of ``frame`` in a pixel rectangle of the canvas."""
        # tiny-skia draws a path cut by the picture's edge differently within a pixel or
        # two of it (up to the full colour): MARGIN_PX more on every side, cut off after
        x0, y0, x1, y1 = (rect[0] - MARGIN_PX, rect[1] - MARGIN_PX, rect[2] + MARGIN_PX, rect[3] + MARGIN_PX)
        size = (x1 - x0, y1 - y0)
        # resvg truncates the pixel size (216 px asked in points came out 215.99…, so 215)
        # and maps the viewBox onto the truncated size: a hundredth of a pixel more is
        # asked, view and size alike (a shift of 1/20,000 of a pixel at most)
        svg = frame.svg(keep, self.view((x0, y0, x1 + 0.01, y1 + 0.01)), (size[0] + 0.01, size[1] + 0.01),
                        self.scale, **kw)
        im = _png(svg, self.scale, mode)
        if im.size != size:  # never seen; a wrong size would leave stale pixels
            raise Unknown(f"drawn {im.size}, not {size}")
        return im.crop((MARGIN_PX, MARGIN_PX, size[0] - MARGIN_PX, size[1] - MARGIN_PX))


def frames(roots: list[ET.Element], scale: float) -> tuple[Image.Image, list[list]]:
    """Frame 0's pixels, and for every frame the patches ``(x, y, image)`` that turn the
    frame before into it (frame 0: none). ``roots`` are complete SVG documents of one
    size; hidden text (``fill="none"``) is left out of the drawing.

    Text is drawn apart: each distinct line once, white on black (its coverage: resvg's
    transparent PNGs clamp the colour of half-covered pixels), then laid in its colour
    over the shapes of every patch it falls in (so a label that an edge crossed lies
    over it). A frame's patch is its shapes in that rectangle, drawn again, with its
    text laid over."""
    try:
        known: dict = {}
        parsed = [Frame(r, known) for r in roots]
        if any(f.view != parsed[0].view or f.size != parsed[0].size for f in parsed):
            raise Unknown("frames of different sizes")
        canvas = _Canvas(roots[0], parsed[0], scale)
        whole = [0, 0, canvas.w, canvas.h]
        plans = [[whole]]  # per frame, the pixel rectangles drawn again
        for n in range(1, len(parsed)):
            boxes = parsed[n].changed(parsed[n - 1])
            rects = [whole] if boxes is None else [r for r in _merged([canvas.rect(b) for b in boxes])
                                                   if r[2] > r[0] and r[3] > r[1]]
            if sum((r[2] - r[0]) * (r[3] - r[1]) for r in rects) > WHOLE * canvas.w * canvas.h:
                rects = [whole]
            plans.append(rects)
        lines = {}  # each distinct line of text: (frame, leaf index) of its first appearance
        colour = []  # per frame, each drawn line's colour
        for n, f in enumerate(parsed):
            colour.append({})
            for i in np.flatnonzero(f.text & f.drawn):
                lines.setdefault(f.looks[i], (n, i))
                colour[n][i] = _colour(f.leaves[i].get("fill", "black"))

        def shapes(job):
            n, rect = job
            f = parsed[n]
            return canvas.draw(f, f.drawn & ~f.text & f.inside(canvas.view(rect)), rect)

        def line(job):
            n, i = job
            f = parsed[n]
            rect = canvas.rect(f.boxes[i])
            keep = np.zeros(len(f.leaves), bool)
            keep[i] = True
            white = ET.Element(f.leaves[i].tag, {**f.leaves[i].attrib, "fill": "#ffffff"})
            white.text = f.leaves[i].text
            return rect, canvas.draw(f, keep, rect, "L", instead={i: white}, background="#000000")

        # one after the other: vl-convert holds the GIL (8 calls took as long on 2 or 4
        # threads as in a row), so the thread pool the GIF used to have bought nothing
        drawn = [shapes((n, r)) for n, rects in enumerate(plans) for r in rects]
        pieces = {looks: line(where) for looks, where in lines.items()}
    except Unknown:
        return _whole(roots, scale)
    out: list[list] = []
    drawn.reverse()
    for n, rects in enumerate(plans):
        f, colours = parsed[n], colour[n]
        patches = []
        for rect in rects:
            im = drawn.pop()
            for i in np.flatnonzero(f.text & f.drawn & f.inside(canvas.view(rect))):
                (x0, y0, x1, y1), piece = pieces[f.looks[i]]
                cut = (max(x0, rect[0]), max(y0, rect[1]), min(x1, rect[2]), min(y1, rect[3]))
                if cut[2] > cut[0] and cut[3] > cut[1]:
                    im.paste(colours[i], (cut[0] - rect[0], cut[1] - rect[1]),
                             piece.crop((cut[0] - x0, cut[1] - y0, cut[2] - x0, cut[3] - y0)))
            patches.append((rect[0], rect[1], im))
        out.append(patches)
    return out[0][0][2], [[]] + out[1:]


def _colour(fill: str) -> tuple[int, int, int]:
    try:
        rgb = ImageColor.getrgb(fill)
    except ValueError:
        raise Unknown(f"fill {fill!r}") from None
    if len(rgb) == 4 and rgb[3] != 255:
        raise Unknown(f"fill {fill!r}")
    return rgb[:3]


def _whole(roots: list[ET.Element], scale: float) -> tuple[Image.Image, list[list]]:
    """Every frame rasterised whole (a document the patches cannot follow)."""
    images = [_png(serialise(drop_hidden_text(root)), scale) for root in roots]
    return images[0], [[]] + [[(0, 0, im)] for im in images[1:]]
