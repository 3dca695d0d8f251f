"""Where an element of an SVG document draws, read from its geometry.

Points, path coordinates (absolute M, L, C, Q, Z: a Bézier curve lies inside its
control points), ellipses, rectangles, each widened by its stroke; a line of text is
bounded generously from its size and length. Transforms are Graphviz's scale and
translate, nested ``<svg>`` viewports are read. Anything else raises ``Unknown``:
the caller then draws the whole document, never trusting a box it could not read.
"""
from __future__ import annotations

import math
import unicodedata
import xml.etree.ElementTree as ET

from .svgdoc import SVG

CONTAINERS = {f"{SVG}svg", f"{SVG}g", f"{SVG}a"}
UNDRAWN = {f"{SVG}title", f"{SVG}desc", f"{SVG}metadata"}
UNITS = {"": 1.0, "px": 1.0, "pt": 4 / 3}  # CSS pixels per unit
GROUPS = ("node", "edge", "cluster")


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


def length(value: str | None) -> tuple[float, float]:
    """A length attribute: (number, CSS pixels per unit); percentages are not read."""
    if value is None:
        raise Unknown("no size")
    value = value.strip()
    for unit in ("pt", "px", ""):
        if value.endswith(unit):
            try:
                return float(value[:len(value) - len(unit)] if unit else value), UNITS[unit]
            except ValueError:
                break
    raise Unknown(f"length {value!r}")


def transform(value: str | None) -> tuple[float, float, float, float]:
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
        m = then(m, f)
    return m


def then(a, b):
    """The mapping that applies ``b`` first, then ``a``."""
    return (a[0] * b[0], a[1] * b[1], a[0] * b[2] + a[2], a[1] * b[3] + a[3])


def viewport(el: ET.Element, top: bool) -> tuple[float, float, float, float]:
    """A nested ``<svg>``'s mapping of its viewBox into its parent's units."""
    w, fw = length(el.get("width"))
    h, fh = length(el.get("height"))
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


def text_box(el: ET.Element, size: float) -> tuple[float, float, float, float]:
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


def shape_box(el: ET.Element, tag: str) -> tuple[float, float, float, float]:
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
        w, fw = length(el.get("width"))
        h, fh = length(el.get("height"))
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
