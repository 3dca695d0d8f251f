"""An animation's frames rasterised once, then only where they change.

vl-convert (resvg) turns every glyph into outlines on every call, about 0.17 ms a
character, and draws every shape again: a frame of the spiral preset's neuron view
took 0.5 s, its GIF 12–25 s. The frames of an animation share one layout
(``layout``) and differ in paint, a few elements at a time. So frame 0 is rasterised
whole and every later frame only inside the rectangles where some element's drawing
changed since the frame before. Each rectangle is rasterised from that frame's own
SVG, cropped to it (``viewBox``) and stripped of every element drawn wholly outside
it: the same elements, painted in the same order, give the pixels of the whole frame.

Where an element draws is read from its geometry (points, path coordinates, ellipses,
rectangles) and, for text, bounded generously from its size and length. A document
this reading does not understand (a rotation, a relative path, an image, an unknown
element) is rasterised whole, frame by frame, as before: never a stale pixel.
"""
from __future__ import annotations

import io
import math
import unicodedata
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import vl_convert
from PIL import Image, ImageColor

from .svgdoc import SVG, XLINKNS as XLINK, serialise

_CONTAINERS = {f"{SVG}svg", f"{SVG}g", f"{SVG}a"}
_UNDRAWN = {f"{SVG}title", f"{SVG}desc", f"{SVG}metadata"}
_UNITS = {"": 1.0, "px": 1.0, "pt": 4 / 3}  # CSS pixels per unit
_GROUPS = ("node", "edge", "cluster")
PAD_PX = 2  # around every rectangle: anti-aliasing reaches a pixel past the geometry
MARGIN_PX = 8  # drawn around a rectangle and cut off (see _Canvas.draw)
WHOLE = 0.5  # a frame whose changes cover more than this share is rasterised whole


# letters (path commands, units) and commas separate numbers; "e" belongs to them (1e-5)
_SEPARATE = str.maketrans({ch: " " for ch in "ABCDFGHIJKLMNOPQRSTUVWXYZabcdfghijklmnopqrstuvwxyz,"})


def numbers(value: str) -> list[float]:
    """The numbers of a points, path or viewBox value (``svgdoc.numbers``, 5× faster)."""
    try:
        return [float(v) for v in value.translate(_SEPARATE).split()]
    except ValueError:
        raise Unknown(f"numbers {value[:40]!r}") from None


class Unknown(Exception):
    """Something whose drawn extent is not read here."""


def _length(value: str | None) -> tuple[float, float]:
    """A length attribute: (number, CSS pixels per unit); percentages are not read."""
    if value is None:
        raise Unknown("no size")
    value = value.strip()
    for unit in ("pt", "px", ""):
        if value.endswith(unit):
            try:
                return float(value[:len(value) - len(unit)] if unit else value), _UNITS[unit]
            except ValueError:
                break
    raise Unknown(f"length {value!r}")


def _transform(value: str | None) -> tuple[float, float, float, float]:
    """Graphviz's ``scale(s s) rotate(0) translate(x y)`` as (sx, sy, tx, ty)."""
    m = (1.0, 1.0, 0.0, 0.0)
    for part in (value or "").split(")"):
        if not part.strip():
            continue
        name, _, args = part.partition("(")
        v = numbers(args)
        name = name.strip(" ,")
        if name == "scale" and len(v) in (1, 2):
            f = (v[0], v[-1], 0.0, 0.0)
        elif name == "translate" and len(v) in (1, 2):
            f = (1.0, 1.0, v[0], v[1] if len(v) == 2 else 0.0)
        elif name == "rotate" and v and v[0] % 360 == 0:
            continue
        else:
            raise Unknown(f"transform {value!r}")
        m = _then(m, f)
    return m


def _then(a, b):
    """The mapping that applies ``b`` first, then ``a``."""
    return (a[0] * b[0], a[1] * b[1], a[0] * b[2] + a[2], a[1] * b[3] + a[3])


def _viewport(el: ET.Element, top: bool) -> tuple[float, float, float, float]:
    """A nested ``<svg>``'s mapping of its viewBox into its parent's units."""
    w, fw = _length(el.get("width"))
    h, fh = _length(el.get("height"))
    if not top and (fw != 1 or fh != 1):
        raise Unknown("a nested svg sized in units")
    x, y = (0.0, 0.0) if top else (float(el.get("x", 0)), float(el.get("y", 0)))
    box = numbers(el.get("viewBox") or f"0 0 {w} {h}")
    if len(box) != 4 or box[2] <= 0 or box[3] <= 0:
        raise Unknown("viewBox")
    sx, sy = w / box[2], h / box[3]
    if not math.isclose(sx, sy, rel_tol=1e-6):
        raise Unknown("a viewBox of another aspect")
    return (sx, sy, x - box[0] * sx, y - box[1] * sy)


def _text_box(el: ET.Element, size: float) -> tuple[float, float, float, float]:
    """Where a line of text can draw, generously: every character 1 em wide (2 past
    the alphabets and symbols), ascent 1.2 em, descent 0.5 em, more for stacked marks."""
    if len(el) or any(a in el.attrib for a in ("dx", "dy", "rotate", "transform", "textLength")):
        raise Unknown("positioned text")
    xs, ys = numbers(el.get("x", "0")), numbers(el.get("y", "0"))
    if len(xs) != 1 or len(ys) != 1:
        raise Unknown("positioned text")
    s = el.text or ""
    marks = sum(1 for ch in s if unicodedata.combining(ch))
    width = size * (0.5 + sum(1.0 if ord(ch) < 0x2E80 else 2.0 for ch in s))
    right_to_left = any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in s)
    anchor = el.get("text-anchor", "start")
    if right_to_left or anchor not in ("start", "middle", "end"):
        x0, x1 = xs[0] - width, xs[0] + width
    else:
        x0 = xs[0] - {"start": size, "middle": width / 2, "end": width}[anchor]
        x1 = x0 + width + size
    return (x0, ys[0] - size * (1.2 + 0.6 * marks), x1, ys[0] + size * (0.5 + 0.6 * marks))


def _shape_box(el: ET.Element, tag: str) -> tuple[float, float, float, float]:
    if tag in ("polygon", "polyline"):
        v = numbers(el.get("points", ""))
    elif tag == "path":
        d = el.get("d", "")
        if set(ch for ch in d if ch.isalpha()) - set("MLCQZ"):
            raise Unknown("a path command whose extent is not its numbers")
        v = numbers(d)
    elif tag in ("ellipse", "circle"):
        cx, cy = float(el.get("cx", 0)), float(el.get("cy", 0))
        rx = float(el.get("r") if tag == "circle" else el.get("rx"))
        ry = float(el.get("r") if tag == "circle" else el.get("ry"))
        v = [cx - rx, cy - ry, cx + rx, cy + ry]
    elif tag == "rect":
        x, y = float(el.get("x", 0)), float(el.get("y", 0))
        w, fw = _length(el.get("width"))
        h, fh = _length(el.get("height"))
        if fw != 1 or fh != 1:
            raise Unknown("a rect sized in units")
        v = [x, y, x + w, y + h]
    elif tag == "line":
        v = [float(el.get(a, 0)) for a in ("x1", "y1", "x2", "y2")]
    else:
        raise Unknown(f"element {tag}")
    if not v or len(v) % 2:
        raise Unknown(f"{tag} coordinates")
    pad = 2 * float(el.get("stroke-width", 1)) + 1  # a sharp miter reaches 2 stroke widths
    return (min(v[0::2]) - pad, min(v[1::2]) - pad, max(v[0::2]) + pad, max(v[1::2]) + pad)


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
            if tag in _UNDRAWN:
                return
            if tag in _CONTAINERS:
                if el.get("transform"):
                    m = _then(m, _transform(el.get("transform")))
                if tag == f"{SVG}svg" and chain:
                    m = _then(m, _viewport(el, False))
                if el.get("id") and el.get("class") in _GROUPS:
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
                    b = _text_box(el, float(el.get("font-size", size)))
                else:
                    b = _shape_box(el, local)
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
        w, fw = _length(root.get("width"))
        h, fh = _length(root.get("height"))
        if fw != fh:
            raise Unknown("width and height in different units")
        self.size = (w, h)
        self.unit = (fw, next(u for u, f in _UNITS.items() if f == fw))  # CSS px per unit, its name
        self.view = tuple(numbers(root.get("viewBox") or f"0 0 {w * fw} {h * fh}"))
        _viewport(root, True)  # the aspect checked
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


def frames(roots: list[ET.Element], scale: float, workers: int = 4) -> tuple[Image.Image, list[list]]:
    """Frame 0's pixels, and for every frame the patches ``(x, y, image)`` that turn the
    frame before into it (frame 0: none). ``roots`` are complete SVG documents of one
    size; hidden text (``fill="none"``) is left out of the drawing.

    Text is drawn apart: each distinct line once, white on black (its coverage: resvg's
    transparent PNGs clamp the colour of half-covered pixels), then laid in its colour
    over the shapes of every patch it falls in (text over shapes, as in these pictures:
    an edge never crosses a label). A frame's patch is its shapes in that rectangle,
    drawn again, with its text laid over."""
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

        with ThreadPoolExecutor(max_workers=workers) as pool:
            drawn = list(pool.map(shapes, [(n, r) for n, rects in enumerate(plans) for r in rects]))
            pieces = dict(zip(lines, pool.map(line, lines.values())))
    except Unknown:
        return _whole(roots, scale, workers)
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


def _whole(roots: list[ET.Element], scale: float, workers: int) -> tuple[Image.Image, list[list]]:
    """Every frame rasterised whole (a document the patches cannot follow)."""
    def one(root):
        from .svgdoc import drop_hidden_text
        return _png(serialise(drop_hidden_text(root)), scale)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        images = list(pool.map(one, roots))
    return images[0], [[]] + [[(0, 0, im)] for im in images[1:]]
