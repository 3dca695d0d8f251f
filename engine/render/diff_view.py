"""Float against exact, drawn: the layer or neuron view of either record, every value
coloured by its relative error, the first diverging value and the operation that made
it marked.

The picture is the view's own (frames.view_picture) with its attributes rebuilt: edges,
neurons and label lines take a colour from :data:`SCALE` (values equal in both
arithmetics are neutral), the first diverging value is drawn in bold (its edge widest),
the layer whose operation made it and the gates it flips are framed (in the neuron
view: the layer's column; there each neuron shows its own components' errors). Both arithmetics are drawn with
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
from .frames import view_picture
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


def _bin(rel: float) -> int:
    """1 … len(SCALE): the bin of a relative error (inf: the last)."""
    return 1 + next(n for n, (top, _) in enumerate(SCALE) if rel <= top or n == len(SCALE) - 1)


def severity(node: NodeDiff) -> int:
    """0: equal; 1 … len(SCALE): the bin of its largest relative error."""
    return _bin(largest_rel_error(node)) if node.differs else 0


def legend(theme: str = "light") -> list[tuple[str, str]]:
    """(colour, relative error) rows: neutral (equal values) first, then the scale."""
    t = style.theme(theme)
    return [(t.fg, NEUTRAL)] + [(c, text) for c, (_, text) in zip(COLORS[t.name], SCALE)]


def _component_severity(node: NodeDiff, i: tuple) -> tuple[int, float]:
    """(severity, relative error) of one component; (0, 0.0) where float is exact."""
    rel, gap = float(node.rel_error[i]), float(node.abs_error[i])
    if gap == 0 and not math.isnan(rel):
        return 0, 0.0
    r = math.inf if math.isnan(rel) else rel
    return _bin(r), r


def _mark(marks: dict, key: str, line: int, sev: int, rel: float, first: bool, differs: bool,
          read: bool = False) -> None:
    """Record one label line's comparison on element ``key``; ``read``: a value float only
    holds rounded (the data, the weights), not one it computed."""
    m = marks.setdefault(key, {"severity": 0, "rel": 0.0, "diff": "same", "lines": {}})
    m["lines"][line] = sev
    m["severity"], m["rel"] = max(m["severity"], sev), max(m["rel"], rel)
    if first:
        m["diff"], m["first_line"] = "first", line
    elif differs and (m["diff"] == "same" or (m["diff"] == "read" and not read)):
        m["diff"] = "read" if read else "differs"


def _layer_marks(found: FloatDiff, told: Story, row: int) -> dict[str, dict]:
    """Each element id of the layer view → what it shows of the comparison."""
    g = found.exact_graph
    by_name = {n.name: n for n in (*read_errors(found), *found.nodes)}
    marks: dict[str, dict] = {}
    places = [(e.id, line, name) for e in g.edges for line, name in enumerate((e.forward, e.backward))]
    for key, line, name in places + [("Loss", 2, "loss")]:
        if name in by_name:
            n = by_name[name]
            _mark(marks, key, line, severity(n), largest_rel_error(n), n.name == told.first, n.differs,
                  n.phase == "read")
    return marks


def _neuron_marks(found: FloatDiff, told: Story, row: int) -> dict[str, dict]:
    """Each neuron X{c}_{i} of the neuron view: its o (line 1) and δ (line 2) component
    of the shown row; the first is the first component in evaluation order that differs
    in this row."""
    by_name = {n.name: n for n in (*read_errors(found), *found.nodes)}
    K = found.exact_graph.K
    marks: dict[str, dict] = {}
    first = None
    for n in found.nodes:
        if first is None and n.phase in ("forward", "backward"):
            vals = n.exact[row] if n.exact.ndim == 2 else n.exact
            for i in range(len(vals)):
                if _component_severity(n, (row, i) if n.exact.ndim == 2 else (i,))[0]:
                    first = (n.name, i)
                    break
    for c in range(1, K + 2):
        for line, name in ((1, "x" if c == 1 else f"o{c - 1}"), (2, f"δ{c}")):
            n = by_name.get(name)
            if n is None:
                continue
            for i in range(n.exact.shape[-1]):
                sev, rel = _component_severity(n, (row, i) if n.exact.ndim == 2 else (i,))
                _mark(marks, f"X{c}_{i + 1}", line, sev, rel, first == (name, i), bool(sev), n.phase == "read")
    if "loss" in by_name:
        n = by_name["loss"]
        _mark(marks, "Loss", 3, severity(n), largest_rel_error(n), False, n.differs)
    return marks


def _marks(found: FloatDiff, told: Story, view: str, row: int) -> dict[str, dict]:
    """Each element id → what it shows: its values' severities, first/differs/read/same,
    and the role of a layer (cause, gate: the layer's node, or its column in the neuron view)."""
    marks = (_layer_marks if view == "layer" else _neuron_marks)(found, told, row)
    g = found.exact_graph

    def element(k: int) -> str:
        if k == g.K + 1:
            return "Loss"
        return f"L{k}" if view == "layer" else f"cluster_X{k + 1}"
    if told.cause is not None:
        marks.setdefault(element(told.cause), {})["role"] = "cause"
    for k in told.gates:
        marks.setdefault(element(k), {}).setdefault("role", "gate")
    return marks


def diff_picture(found: FloatDiff, arithmetic: str = "float", **kw) -> picture.Picture:
    """The view (``view``: layer or neuron) of the ``arithmetic`` record, painted by the
    comparison (its ``source`` is the DOT; label lines are coloured in the SVG only, as
    the views' are)."""
    return _painted(found, arithmetic, **kw)[0]


def _painted(found: FloatDiff, arithmetic: str, *, view: str = "layer", sample: int = 0, theme: str = "light",
             rankdir: str = "LR", feature_names=(), told: Story | None = None) -> tuple[picture.Picture, dict]:
    if arithmetic not in ("exact", "float"):
        raise ValueError(f"unknown arithmetic {arithmetic!r}; choose exact or float")
    t = style.theme(theme)
    colors = COLORS[t.name]
    told = told or story(found, feature_names)
    graph = found.exact_graph if arithmetic == "exact" else found.float_graph
    pic = view_picture(graph, view, sample=sample, theme=theme, rankdir=rankdir, legend=False,
                       feature_names=feature_names)
    # Tighter ranks than Explore's: the widths of the labels stay, so the text is
    # drawn larger in the same width (the article's labels ≥ 9 px at 1280 px).
    pic.attr(ranksep="0.3", pad="0.15")
    marks = _marks(found, told, view, sample)

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
        elif m.get("role") and kind == "attr":  # the neuron view's column of that layer
            out.update(color=colors[-1], penwidth="3", fillcolor=t.current_bg,
                       style="rounded,filled" if m["role"] == "cause" else "rounded,dashed")
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
