"""Graphviz's SVG read and changed as an XML tree (``xml.etree``), never as text.

A regular expression over SVG text is blind to what the text means: a label that
reads ``font-family="Helvetica,sans-Serif"`` or ``id="x"`` is text, not an
attribute, and a ``<text>`` element nested or written differently slips past it.
Every change the exports make (fonts, sizes, hidden labels, ids) is therefore made
on the parsed tree, and the tree is written back once.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

SVGNS = "http://www.w3.org/2000/svg"
XLINKNS = "http://www.w3.org/1999/xlink"
# written back as <svg xmlns="…"> and xlink:href, as Graphviz wrote them, not ns0:svg
ET.register_namespace("", SVGNS)
ET.register_namespace("xlink", XLINKNS)
SVG = f"{{{SVGNS}}}"  # an element's tag is SVG + its local name: f"{SVG}text"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'

# Graphviz writes font-family="Helvetica,sans-Serif"; the SVG rasteriser has no
# Helvetica and does not read the capitalised generic name, so text vanished from
# PNG and PDF. Liberation Sans has Helvetica's metrics, the widths Graphviz assumed.
GRAPHVIZ_FONT = "Helvetica,sans-Serif"
# (multi-word names must be quoted, or the rasteriser drops to a serif face)
PORTABLE_FONT = "Helvetica,Arial,'Liberation Sans','DejaVu Sans',sans-serif"


def parse(svg: str | bytes) -> ET.Element:
    """The document's root ``<svg>``; its XML declaration, DOCTYPE and comments are dropped."""
    return ET.fromstring(svg)


def serialise(root: ET.Element, *, declaration: bool = True) -> str:
    """The tree as an SVG document; without ``declaration``, fit to sit inside HTML
    or another SVG (no ``<?xml …?>`` line)."""
    return (XML_DECLARATION if declaration else "") + ET.tostring(root, encoding="unicode")


def size_pt(root: ET.Element) -> tuple[float, float]:
    """The picture's width and height in points, as Graphviz gives them ("1199pt")."""
    try:
        return tuple(float(root.get(side, "").removesuffix("pt")) for side in ("width", "height"))
    except ValueError:
        raise ValueError(f"the SVG gives no size in points (width={root.get('width')!r}, "
                         f"height={root.get('height')!r})") from None


def portable_fonts(root: ET.Element) -> ET.Element:
    """Graphviz's font family replaced by one every rasteriser here has (in place)."""
    for el in root.iter():
        if el.get("font-family") == GRAPHVIZ_FONT:
            el.set("font-family", PORTABLE_FONT)
    return root


def drop_hidden_text(root: ET.Element) -> ET.Element:
    """Every ``<text fill="none">`` removed (in place): it draws nothing, yet the
    rasteriser turns each of its glyphs into outlines."""
    for parent in root.iter():
        for child in [c for c in parent if c.tag == f"{SVG}text" and c.get("fill") == "none"]:
            parent.remove(child)
    return root


def prefix_ids(root: ET.Element, prefix: str) -> ET.Element:
    """Every ``id`` given ``prefix`` (in place), so that several SVGs can share one HTML page."""
    for el in root.iter():
        if "id" in el.attrib:
            el.set("id", prefix + el.get("id"))
    return root


def numbers(value: str) -> list[float]:
    """The numbers in a ``points`` or path ``d`` value ("M27,-36C27,-36 …", "0,-4 5,6"):
    commas, spaces and path commands (letters) separate them."""
    spaced = "".join(" " if ch.isalpha() or ch == "," else ch for ch in value)
    return [float(v) for v in spaced.split()]
