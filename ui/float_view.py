"""Explore's float-vs-exact view: where float departs from the truth.

Both records drawn large (the one player, ui/player.py, with its zoom and full screen,
one frame per arithmetic: the player's step and the "Graph" control both switch), every
value coloured by its relative error (engine/render/diff_view.py), the first diverging
value and the operation that made it named in words (engine/float_words.py: in the
graph's names, o², L³, a unit o²₁, a weight W2[1,1] as the paths panel writes it, counted
from 1), and in a table every value the graph colours (what float reads, x and the
weights, and y and λ₂, λ₁ where float holds them rounded, since a cause may blame them;
then each computed value: W2, o², δw2, named as the graph names them), its numbers, its
relative error and why it differs (the first difference, reached from it, its own, or
both: engine/float_reach.py). Nothing is computed until the view is switched on. A link
keeps the switch (``diff=on``, ui/share.py) for the models it can compare."""
from __future__ import annotations

from html import escape

import numpy as np
import streamlit as st

from engine.float_diff import exact_impossible, float_diff, read_errors
from engine.float_reach import Cause, causes, penalty_term
from engine.float_names import listed, node_name
from engine.float_words import story
from engine.limits import check_exact_sizes
from engine.numbers import NotExactError, format_number
from engine.render.diff_view import diff_svg, largest_rel_error, legend
from engine.render.path_view import value

from .byte_cache import MB, ByteCache
from .explore_data import BATCH
from .player import player
from .share import share_diff, shared_diff, warn_link
from .text import message

HOVER = 64  # components in a cell's hover text
SHOWN = ("exact", "float")  # the player's frames, in this order
DIFFS = ByteCache("float-vs-exact views", 8 * MB)
TITLES = ("Exact arithmetic (rational numbers): the truth. Colours: how far float lands from each value.",
          "Float arithmetic (float64): each value coloured by its relative error, the first difference in bold.")


def _short(values) -> str:
    flat = np.ravel(values)
    return ", ".join(format_number(v) for v in flat[:4]) + (f", … ({flat.size})" if flat.size > 4 else "")


def _full(values) -> str:
    """Every component (a bounded number of them), for the cell's hover when _short cuts."""
    flat = np.ravel(values)
    return ", ".join(format_number(v) for v in flat[:HOVER]) + (", …" if flat.size > HOVER else "")


def _row(n, why: str) -> dict:
    """One value's row: named as the graph labels it (W2, o², δw2, loss), why it differs."""
    rel = largest_rel_error(n)
    return {"value": value(n.name), "why it differs": why if n.differs else "—",
            "exact": _short(n.exact), "float": _short(n.float),
            # as text: a number column rounds 1.1e-16 to 0.0000000000000001
            "largest difference": format_number(float(np.max(n.abs_error))) if n.abs_error.size else "0",
            "largest relative error": ("—" if not n.differs else "∞ (exact 0)" if np.isinf(rel)
                                       else format_number(rel)),
            "hover": {"exact": _full(n.exact), "float": _full(n.float)}}


def causes_in_words(found) -> dict[str, str]:
    """Each differing computed value → why, in a few words, for the comparison's table:
    "the first difference", "from o²", "its own: reads rounded numbers" (what float reads
    rounded, x or W2, :func:`_compute` says itself), from the causes of engine/float_reach.py."""
    first = found.first
    out = {first.name: "the first difference"} if first else {}
    for c in causes(found).values():
        if c.name in out:
            continue
        if c.origin:
            own = "its penalty's term reads" if penalty_term(found, c.name) else "reads"
            out[c.name] = f"its own: {own} rounded numbers" if c.rounded else "its own rounding"
        else:
            out[c.name] = "from " + listed([node_name(o) for o in c.origins if o != c.name]) + _also(found, c)
    return out


def _also(found, c: Cause) -> str:
    """", and its own rounding": what a reached value adds of its own, or nothing."""
    if not c.own:
        return ""
    return (", and its penalty's term" if penalty_term(found, c.name) else ", and reads rounded numbers"
            if c.rounded else ", and its own rounding")


def _compute(spec, sample: int, row: int, look: dict) -> dict:
    x, y = spec.data.batch("exact") if sample == BATCH else spec.data.sample(sample, "exact")
    found = float_diff(spec.model, x, y)  # NotExactError: the model has no exact arithmetic
    told = story(found, look["feature_names"])  # the inputs named as the neuron view labels them
    why = causes_in_words(found)
    # what float reads first (x, the weights: the graph colours their edges too; y and
    # λ when float holds them rounded, since a cause may blame them)
    rows = [_row(n, "float holds it rounded") for n in read_errors(found)]
    rows += [_row(n, why.get(n.name, "")) for n in found.nodes]
    svgs = [diff_svg(found, a, sample=row, told=told, **look) for a in SHOWN]
    return {"svgs": svgs, "sentences": list(told.sentences), "first": told.first, "rows": rows}


# Fixed widths that add up to the table's: the exact rationals get the most room and wrap
# anywhere (a long p/q has no space to break at), so no cell is cut at 1280 px. Headers
# and names break between words only ("val/ue", "δw/2" read as nothing): the value
# column never wraps, and MIN_WIDTH keeps every header word whole on a phone, where the
# table scrolls sideways in its own box instead.
COLUMNS = (("value", 9), ("why it differs", 20), ("exact", 24), ("float", 19),
           ("largest difference", 13), ("largest relative error", 15))
MIN_WIDTH = 680  # px
_TOP = "vertical-align:top"
_CELL = f"overflow-wrap:anywhere;word-break:break-word;{_TOP}"  # numbers: anywhere
_WORDS = f"overflow-wrap:normal;word-break:normal;{_TOP}"  # headers: between words
_NAME = f"white-space:nowrap;{_TOP}"  # the value's name: one line


def table_html(rows: list[dict]) -> str:
    """The comparison's table as HTML (every cell escaped): st.dataframe draws on a canvas
    and cuts what does not fit its column; this table wraps it instead."""
    head = "".join(f'<th style="width:{w}%;{_WORDS}">{escape(c)}</th>' for c, w in COLUMNS)
    body = []
    for r in rows:
        cells = []
        for c, _ in COLUMNS:
            hover = r.get("hover", {}).get(c)
            title = f' title="{escape(hover)}"' if hover and hover != r[c] else ""
            style = _NAME if c == "value" else _CELL
            cells.append(f'<td style="{style}"{title}>{escape(str(r[c]))}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    # on a phone the table keeps a readable width and scrolls sideways in its own box
    return (f'<div style="overflow-x:auto"><table class="bp-diff-table" style="width:100%;'
            f'min-width:{MIN_WIDTH}px;table-layout:fixed"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def no_exact(spec) -> str | None:
    """Why the model has no exact arithmetic (exp or log, a layer too wide for exact
    arithmetic), or None: checked from its layers, nothing recorded."""
    why = exact_impossible(spec.model)
    if why:
        return why
    try:
        check_exact_sizes([layer.size_out for layer in spec.model.layers])
    except NotExactError as e:
        return str(e)
    return None


def comparable(spec) -> bool:
    """Whether the model has an exact record to compare with. Other models get the
    toggle too, and one sentence when it is switched on, but a link does not switch it
    on for them (it says why instead)."""
    return no_exact(spec) is None


def _link_switch(spec) -> bool:
    """Whether a link switches the view on (first run here only); a ``diff`` value other
    than ``on``, or ``diff=on`` for a model it cannot compare, gets one sentence instead
    (the parameter is then dropped from the address bar, so it is said once)."""
    asked = shared_diff()
    if asked is None:
        return False
    if asked != "on":
        warn_link(f"The link asks for diff {asked[:20]!r}, but the only value is 'on'; the "
                  "float-versus-exact comparison is off.")
        return False
    why = no_exact(spec)
    if why:
        warn_link(f"This model has no exact arithmetic ({why}): the float-versus-exact "
                  "comparison is not shown.")
        return False
    return True


def _from_player() -> None:
    """The player's ←/→ (or its slider) switched the arithmetic: the control follows."""
    step = st.session_state["diff_player"].get("step")
    if step in (0, 1):
        st.session_state["diff_shown"] = SHOWN[step]


def float_vs_exact(spec, key: str, sample: int, row: int, theme: str, rankdir: str, view: str) -> None:
    """The view, under a switch; ``key`` identifies the model (ui.explore_data.fingerprint);
    drawn in Explore's ``view`` (layer or neuron), theme and direction."""
    can = comparable(spec)
    if "diff_open" not in st.session_state and _link_switch(spec):  # a link's switch, first run here
        st.session_state["diff_open"] = True
    on = st.toggle("Float versus exact: where float departs from the truth", key="diff_open",
                   help="The same sample in exact and in float arithmetic, value by value")
    share_diff(on and can)  # a link to the one-sentence refusal would reopen nothing: not written
    if not on:
        return
    try:
        look = {"view": view, "theme": theme, "rankdir": rankdir,
                "feature_names": tuple(spec.data.feature_names)}
        drawn = DIFFS.get_or_compute(("diff", key, sample, row, tuple(look.items())),
                                     lambda: _compute(spec, sample, row, look))
    except NotExactError as e:
        st.warning(message(f"No comparison: {e}. Float is all this model has."), icon=":material/block:")
        return
    st.markdown("\n\n".join(message(s) for s in drawn["sentences"]))
    # The scale's colours are the picture's own: fixed engine text, escaped all the same.
    st.markdown("Relative error of float against exact: "
                + " · ".join(f'<span style="color:{c}">■ {escape(text)}</span>' for c, text in legend(theme))
                + ". Framed: the operation that made the first difference (dashed: a gate it flips).",
                unsafe_allow_html=True)
    st.session_state.setdefault("diff_shown", "float")
    shown = st.segmented_control("Graph", SHOWN, key="diff_shown", format_func=str.capitalize,
                                 help="The player's ← and → switch too; zoom with the wheel or the buttons")
    shown = shown or "float"  # a second click on the chosen segment clears it
    player(drawn["svgs"], list(TITLES), [None, None], [None, None], step=SHOWN.index(shown),
           signature=f"diff-{key}-{sample}-{row}-{theme}-{rankdir}-{view}-{shown}", key="diff_player",
           on_change=_from_player)
    st.markdown(table_html(drawn["rows"]), unsafe_allow_html=True)
