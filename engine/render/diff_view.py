"""Float against exact, drawn: the layer view of either record, every value coloured by
its relative error, the first diverging value and the operation that made it marked.

The picture is the layer view's (layer_view.py) with its attributes rebuilt: edges and
label lines take a colour from :data:`SCALE` (values equal in both arithmetics are
neutral), the edge of the first diverging value is drawn widest, the layer whose
operation made it and the gates it flips are framed. Both arithmetics are drawn with
the same colours, so switching between them only changes the numbers. The SVG then
carries what a page or a test reads, as attributes on each element's ``<g>``
(``data-diff``: first | differs | read | same, ``data-role``: cause | gate, ``data-rel-error``),
set on the parsed tree (svgdoc), never by editing SVG text."""
from __future__ import annotations

import math

import numpy as np

from ..float_diff import FloatDiff, NodeDiff, read_errors
from ..float_words import Story, story
from . import picture, style
from .layer_view import layer_view
from .svg import to_svg
from .svgdoc import SVG, parse, serialise

# (largest relative error of the bin, its legend); past the last: 1 or more, or a value
# float made out of an exact 0 (relative error infinite), or not finite.
SCALE = ((1e-12, "≤ 10⁻¹² (rounding)"), (1e-6, "10⁻¹² … 10⁻⁶"), (1.0, "10⁻⁶ … 1"),
         (math.inf, "≥ 1, or exact 0 and float not (the value is lost)"))
# Readable as text on each theme's background, light to strong.
COLORS = {"light": ("#b08800", "#e8590c", "#c92a2a", "#862e9c"),
          "dark": ("#ffd43b", "#ff922b", "#ff6b6b", "#e599f7")}
NEUTRAL = "0 (float is exact)"


def largest_rel_error(node: NodeDiff) -> float:
    """The node's largest relative error; inf where exact is 0 and float is not."""
    if not node.differs:
        return 0.0
    rel = np.where(np.isnan(node.rel_error), math.inf, node.rel_error)
    return float(np.max(rel)) if rel.size else 0.0


def severity(node: NodeDiff) -> int:
    """0: equal; 1 … len(SCALE): the bin of its largest relative error."""
    if not node.differs:
        return 0
    r = largest_rel_error(node)
    return 1 + next(n for n, (top, _) in enumerate(SCALE) if r <= top or n == len(SCALE) - 1)


def legend(theme: str = "light") -> list[tuple[str, str]]:
    """(colour, relative error) rows: neutral (equal values) first, then the scale."""
    t = style.theme(theme)
    return [(t.fg, NEUTRAL)] + [(c, text) for c, (_, text) in zip(COLORS[t.name], SCALE)]


def _marks(found: FloatDiff, told: Story) -> dict[str, dict]:
    """Each element id of the layer view → what it shows of the comparison."""
    g = found.exact_graph
    by_name = {n.name: n for n in (*read_errors(found), *found.nodes)}
    marks: dict[str, dict] = {}

    def mark(key: str, node: NodeDiff, line: int) -> None:
        m = marks.setdefault(key, {"severity": 0, "rel": 0.0, "diff": "same", "lines": {}})
        m["lines"][line] = severity(node)
        m["severity"] = max(m["severity"], severity(node))
        m["rel"] = max(m["rel"], largest_rel_error(node))
        if node.name == told.first:
            m["diff"], m["first_line"] = "first", line
        elif node.differs and m["diff"] != "first":
            m["diff"] = "read" if node.phase == "read" and m["diff"] == "same" else "differs"

    for edge in g.edges:
        for line, name in enumerate((edge.forward, edge.backward)):
            if name in by_name:
                mark(edge.id, by_name[name], line)
    if "loss" in by_name:
        mark("Loss", by_name["loss"], 2)
    if told.cause is not None:
        marks.setdefault("Loss" if told.cause == g.K + 1 else f"L{told.cause}", {})["role"] = "cause"
    for k in told.gates:
        marks.setdefault(f"L{k}", {}).setdefault("role", "gate")
    return marks


def diff_picture(found: FloatDiff, arithmetic: str = "float", **kw) -> picture.Picture:
    """The layer view of the ``arithmetic`` record, painted by the comparison (its
    ``source`` is the DOT; the label lines' colours are in the SVG only, as the views')."""
    return _painted(found, arithmetic, **kw)[0]


def _painted(found: FloatDiff, arithmetic: str, *, sample: int = 0, theme: str = "light", rankdir: str = "LR",
             told: Story | None = None) -> tuple[picture.Picture, dict[str, dict]]:
    if arithmetic not in ("exact", "float"):
        raise ValueError(f"unknown arithmetic {arithmetic!r}; choose exact or float")
    t = style.theme(theme)
    colors = COLORS[t.name]
    told = told or story(found)
    graph = found.exact_graph if arithmetic == "exact" else found.float_graph
    pic = layer_view(graph, sample=sample, theme=theme, rankdir=rankdir, legend=False)
    # Tighter ranks than Explore's: the widths of the labels stay, so the text is
    # drawn larger in the same width (the article's labels ≥ 9 px at 1280 px).
    pic.attr(ranksep="0.3", pad="0.15")
    marks = _marks(found, told)

    def paint(kind: str, key, attrs: dict) -> dict:
        m = marks.get(key)
        if m is None:
            return attrs
        out = dict(attrs)
        if kind == "edge":
            sev = m.get("severity", 0)
            width = 3.2 if m.get("diff") == "first" else 2.4 if sev else 1.2
            # penwidth, not the views' setlinewidth (this Graphviz draws that at 1.2): both
            # frames share these attributes, so the layout it reads stays the same
            out.update(color=colors[sev - 1] if sev else t.muted, penwidth=f"{width:g}", style="solid")
        elif m.get("role"):  # the operation that made the first difference, a gate it flips
            out.update(color=colors[-1], penwidth="3", fillcolor=t.current_bg,
                       style="rounded,filled" + (",dashed" if m["role"] == "gate" else ""))
        elif m.get("severity"):
            out.update(color=colors[m["severity"] - 1], penwidth="3")
        return out

    pic.ops = [(kind, key, where, None if plain is None else paint(kind, key, plain),
                None if rich is None else paint(kind, key, rich))
               for kind, key, where, plain, rich in pic.ops]
    for key, m in marks.items():
        lines = pic.styles.get(key)
        if not lines or "lines" not in m:
            continue
        for n in range(len(lines)):
            if n in m["lines"]:
                sev = m["lines"][n]
                lines[n] = picture.Line(lines[n].body, colors[sev - 1] if sev else t.fg, lines[n].size)
    return pic, marks


def _rel_text(rel: float) -> str:
    return "inf" if math.isinf(rel) else f"{rel:.3g}"


def diff_svg(found: FloatDiff, arithmetic: str = "float", **kw) -> str:
    """The SVG of :func:`diff_picture`, each marked element's ``<g>`` carrying
    ``data-diff``, ``data-rel-error`` and ``data-role``, the first value's line in bold."""
    pic, marks = _painted(found, arithmetic, **kw)
    root = parse(to_svg(pic))
    for g in root.iter(f"{SVG}g"):
        m = marks.get(g.get("id"))
        if m is None:
            continue
        if "diff" in m:
            g.set("data-diff", m["diff"])
            g.set("data-rel-error", _rel_text(m["rel"]))
            g.set("class", f"{g.get('class', '')} diff-{m['diff']}".strip())
        if m.get("role"):
            g.set("data-role", m["role"])
        if m.get("diff") == "first":
            first = m.get("first_line")
            texts = [el for el in g if el.tag == f"{SVG}text"]
            if first is not None and first < len(texts):
                texts[first].set("font-weight", "bold")
                texts[first].set("data-first", "true")
    return serialise(root)
