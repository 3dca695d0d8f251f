"""Explore's "Forward mode vs reverse mode": the same weight gradients of the graph shown,
computed both ways by the engine (engine/forward_mode.py), side by side and equal value for
value, each with the passes and multiplications the engine counted (engine/counted.py),
and a chart of how the gap grows with the model made 1×, 2×, 4×, 8× wide
(engine/mode_costs.py). Cached by content, shared by every session (ui/byte_cache.py)."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from engine.float_diff import exact_impossible
from engine.forward_mode import check_forward_work, forward_gradients, reverse_gradients
from engine.graph import Graph
from engine.mode_costs import cost_growth
from engine.numbers import NotExactError
from ui.byte_cache import MB, ByteCache
from ui.chart_style import MODEBAR_PX, chart_layout, log_ticks

MODES = ByteCache("mode comparisons", 4 * MB)  # a few KB each (the presets' gradients, twice)


def compare(key: str, _graph: Graph) -> dict:
    """Both modes' gradients and costs on the graph's batch, in its arithmetic."""
    def both():
        fwd, fwd_cost = forward_gradients(_graph.model, _graph.x, _graph.y)
        rev, rev_cost = reverse_gradients(_graph.model, _graph.x, _graph.y)
        return {"forward": fwd, "reverse": rev, "cost": {"forward": fwd_cost, "reverse": rev_cost}}
    return MODES.get_or_compute(("modes", key), both)


def growth(key: str, _graph: Graph, row: int) -> list[dict]:
    """The two costs over the model made 1×, 2×, 4×, 8× wide, on one row of the batch."""
    return MODES.get_or_compute(("growth", key, row), lambda: cost_growth(
        _graph.model, _graph.x[row:row + 1], _graph.y[row:row + 1]))


def _text(v, exact: bool) -> str:
    return str(v) if exact else repr(float(v))  # every digit: where float rounds differently shows


def value_rows(found: dict, exact: bool) -> list[dict]:
    """One row per weight component: forward mode's value, reverse mode's, and whether they agree."""
    rows = []
    for name, fwd in found["forward"].items():
        rev = found["reverse"][name]
        for index in np.ndindex(np.shape(fwd)):
            f, r = fwd[index], rev[index]
            same = f == r
            rows.append({"weight": f"{name}[{', '.join(map(str, index))}]", "forward mode": _text(f, exact),
                         "reverse mode": _text(r, exact),
                         "equal": "yes" if same else f"differs by {abs(float(f) - float(r)):.1e}"})
    return rows


def verdict(rows: list[dict], exact: bool, model, ratio: float) -> tuple[bool, str]:
    """Whether both modes gave every value alike, and the sentence that says so."""
    differ = [r for r in rows if r["equal"] != "yes"]
    if not differ:
        return True, (f"Equal value for value: all {len(rows):,} gradients are the same "
                      + ("fractions" if exact else "floats, to the last bit") + f" both ways. Forward mode "
                      f"did {ratio:,.1f}× the multiplications.")
    # exact arithmetic settles it only for a model that has it (no tanh, sigmoid, …)
    settled = ("exact arithmetic makes them equal" if exact_impossible(model) is None
               else "this model has no exact arithmetic (it needs exp or log) to settle it")
    return False, (f"{len(rows) - len(differ):,} of {len(rows):,} gradients are the same floats both ways; the "
                   f"rest differ by rounding only (the two modes multiply in different orders): {settled}. "
                   f"Forward mode did {ratio:,.1f}× the multiplications.")


def growth_figure(points: list[dict]) -> go.Figure:
    fig = go.Figure()
    for mode, colour in (("forward", "#1f77b4"), ("reverse", "#d62728")):
        shown = [p for p in points if p[mode]]
        fig.add_trace(go.Scatter(
            x=[p["weights"] for p in shown], y=[p[mode]["multiplications"] for p in shown],
            mode="lines+markers+text", name=f"{mode} mode", line=dict(color=colour),
            text=[f"{p['factor']}×" for p in shown], textposition="top left",
            cliponaxis=False))  # the widest model's label sits at the top edge: drawn, not cut
    # a title that fits a phone's width: what it counts goes on the axis
    chart_layout(fig, "Multiplications as the model widens", "weights and biases", "multiplications (one sample)",
                 log_y=True)
    ticks, texts = log_ticks(p["weights"] for p in points if p["reverse"])  # "20", not plotly's lone "2" between decades
    fig.update_xaxes(type="log", tickmode="array", tickvals=ticks, ticktext=texts)
    fig.update_layout(hovermode="closest", height=340 + MODEBAR_PX, margin=dict(r=30))  # room for the last label
    return fig


def gaps(points: list[dict]) -> str:
    """Forward mode's multiplications over reverse mode's, at each size: "2.2× at 1×, …"."""
    return ", ".join(f"{p['forward']['multiplications'] / max(p['reverse']['multiplications'], 1):,.1f}× "
                     f"at {p['factor']}×" for p in points if p["forward"])


def forward_vs_reverse(graph: Graph, key: str, row: int) -> None:
    """The panel; its work runs only while it is open."""
    panel = st.expander("Forward mode vs reverse mode", icon=":material/swap_horiz:", key="modes_open",
                        on_change="rerun")
    with panel:
        if not panel.open:
            return
        exact = graph.arithmetic == "exact"
        st.caption("The same gradients two ways. **Forward mode** pushes dual numbers (value, tangent) "
                   "through the forward pass, one pass per weight; **reverse mode** is the learning flow: "
                   "one forward and one backward pass give every δw. Costs are counted by the engine as "
                   "numpy multiplies.")
        if graph.model.penalty.active:  # forward mode differentiates the data's loss; P's term is not a pass
            st.caption(f"Both modes differentiate the data's loss: the penalty's term of each δw "
                       f"({graph.model.penalty.describe()}) is added outside them, as in the chain-rule panel.")
        try:
            check_forward_work(graph.model, graph.batch_size)
        except NotExactError as e:
            said = str(e).split("; use --mode")[0]  # the CLI's own way out is not the app's
            ways = (["one sample"] if graph.batch_size > 1 else []) + (["float arithmetic"] if exact else [])
            st.warning(f"{said[:1].upper()}{said[1:]}."
                       + (f" Choose {' or '.join(ways)}." if ways else " Reverse mode alone is within reach here."),
                       icon=":material/timer_off:")
            return
        with st.spinner("Computing the gradients both ways…"):
            found = compare(key, graph)
        cost = found["cost"]
        cols = st.columns(2)
        for col, mode, how in ((cols[0], "forward", "one pass per weight"), (cols[1], "reverse", "one backward pass")):
            with col.container(border=True):
                st.markdown(f"**{mode.capitalize()} mode** · {how}")
                a, b = st.columns(2)
                a.metric("passes", f"{cost[mode]['passes']:,}")
                b.metric("multiplications", f"{cost[mode]['multiplications']:,}")
        rows = value_rows(found, exact)
        ratio = cost["forward"]["multiplications"] / max(cost["reverse"]["multiplications"], 1)
        same, text = verdict(rows, exact, graph.model, ratio)
        if same:
            st.success(text, icon=":material/check:")
        else:
            st.info(text)
        st.dataframe(rows, hide_index=True, height=min(38 + 35 * len(rows), 300))
        with st.spinner("Counting the costs of wider models…"):
            points = growth(key, graph, row)
        st.plotly_chart(growth_figure(points), key="modes_chart")
        left_out = [f"{p['factor']}×" for p in points if not p["forward"]]
        too_big = [f"{p['factor']}×" for p in points if not p["reverse"]]
        st.caption("The model made 1×, 2×, 4×, 8× wide (its hidden layers; with none, its input), each unit "
                   "copied (the same function), counted on "
                   + ("this sample" if graph.batch_size == 1 else f"row {row + 1} of the batch")
                   + " in float arithmetic (the counts depend on the shapes only): forward mode grows about as "
                   "the square of the weights, reverse mode as their number."
                   + (f" Forward mode's multiplications over reverse mode's: {gaps(points)}." if gaps(points) else "")
                   + (f" Forward mode at {', '.join(left_out)} is past the chart's work budget and not run."
                      if left_out else "")
                   + (f" At {', '.join(too_big)} the model would pass the limit of weights and is not made."
                      if too_big else ""))
