"""What every plotly chart of the app shares: its layout and legend, log-axis ticks,
the colours of the two flows, a stop marker, names drawn as typed, and the thinning
that keeps a long run fluid in the browser. Pure functions, no Streamlit."""
from __future__ import annotations

import math
from html import escape

import plotly.graph_objects as go

from engine.names import one_line

# Plotly in the browser stays fluid up to a few thousand points per trace.
MAX_POINTS = 2000
FORWARD = "#1f6fb4"  # the app's information-flow blue
BACKWARD = "#d9480f"  # the learning-flow orange
CLASS_COLORS = ("#1f6fb4", "#d9480f", "#2b8a3e", "#7048e8", "#e8a700", "#c2255c")
# Markers on every point of a short run (3 steps: a line alone is one segment, or
# nothing); past this only points with no neighbour to join get one.
MARKED_POINTS = 60
LEGEND_PER_ROW = 4  # entries of a horizontal legend per row, at the Train page's column width
LEGEND_ROW_PX = 22
# Plotly's modebar (zoom, pan, save as PNG) sits over the top 26 px of a chart, from its
# right edge leftwards; on a phone it covered the title's end. The title sits in a band of
# its own under it, just above the plot.
MODEBAR_PX = 30
TITLE_PX = 28
CHART_HEIGHT = 360 + MODEBAR_PX


# Tick labels per axis. Left to itself on a log axis with dtick "D2", plotly labelled
# 1, 2 and 5 of every decade: a diverged run's gradients span hundreds of decades, so
# ~1000 labels, and the tab froze for 30-146 s drawing them.
MAX_TICKS = 8



def chart_layout(fig: go.Figure, title: str, x_title: str, y_title: str, *, log_y: bool = False) -> go.Figure:
    fig.update_layout(title=dict(text=title, x=0, xanchor="left", font=dict(size=15), yref="paper", y=1,
                                 yanchor="bottom", pad=dict(b=8)), height=CHART_HEIGHT,
                      margin=dict(l=10, r=10, t=MODEBAR_PX + TITLE_PX, b=10), template="plotly_white",
                      legend=dict(orientation="h", yanchor="top", y=-0.22, xanchor="left", x=0),
                      hovermode="x unified")
    fig.update_xaxes(title_text=x_title, nticks=MAX_TICKS)
    fig.update_yaxes(title_text=y_title, type="log" if log_y else "linear", nticks=MAX_TICKS)
    if x_title == "step":  # steps are whole: 3 steps were labelled 1, 1.5, 2, 2.5, 3
        last = max((max(t.x) for t in fig.data if t.x is not None and len(t.x)), default=0)
        if last <= MAX_TICKS:
            fig.update_xaxes(tickmode="linear", tick0=0, dtick=1)
    # A horizontal legend grows downwards row by row, and plotly takes that room from
    # the plot: 18 gradient lines left it a strip. The figure grows instead.
    entries = sum(1 for t in fig.data if t.showlegend is not False)
    rows = -(-entries // LEGEND_PER_ROW)
    if rows > 1:
        fig.update_layout(height=CHART_HEIGHT + LEGEND_ROW_PX * (rows - 1))
    if log_y:
        values, texts = log_ticks(v for trace in fig.data for v in (trace.y if trace.y is not None else ()))
        if values:
            fig.update_yaxes(tickmode="array", tickvals=values, ticktext=texts)
    return fig


def log_ticks(values, most: int = MAX_TICKS) -> tuple[list[float], list[str]]:
    """At most ``most`` ticks for a log axis over the positive finite ``values``, written
    in full ("0.5", not the lone "5" plotly writes between powers of ten): 1, 2 and 5
    of each decade when they are few enough, else powers of ten, every k-th decade."""
    positive = [float(v) for v in values if v is not None and math.isfinite(float(v)) and float(v) > 0]
    if not positive:
        return [], []
    # float64 reaches from 10^-323 (subnormal) to 10^308
    lo = max(math.floor(math.log10(min(positive))), -323)
    hi = min(max(math.ceil(math.log10(max(positive))), lo + 1), 308)
    ticks = [m * 10.0 ** e for e in range(lo, hi + 1) for m in (1, 2, 5)] if hi - lo <= 3 else []
    ticks = [t for t in ticks if min(positive) / 2 <= t <= max(positive) * 2]
    if not ticks or len(ticks) > most:
        every = -(-(hi - lo) // (most - 1))
        ticks = [10.0 ** e for e in range(hi, lo - 1, -every)][::-1]  # the top decade always labelled
    return ticks, [_tick_text(t) for t in ticks]


def _tick_text(v: float) -> str:
    if 1e-3 <= v < 1e4:
        return f"{v:g}"
    mantissa, exponent = f"{v:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def mark_stop(fig: go.Figure, step: int, text: str = "training stopped") -> go.Figure:
    """A dashed vertical line at the last step kept, where training stopped (a
    divergence, or the Stop button): the values past it were never drawn."""
    fig.add_vline(x=step, line=dict(color="#c92a2a", width=1.5, dash="dash"),
                  annotation=dict(text=f"{text} after step {step:,}", font=dict(size=11, color="#c92a2a")),
                  annotation_position="top left")
    return fig


def label(text) -> str:
    """A name from the model file as plotly text, drawn as typed: plotly reads tags
    (``<a href>``, ``<b>``, ``<br>``) and entities in titles, legends and hover labels,
    so ``<`` and ``&`` are written as entities it decodes back to themselves."""
    return escape(one_line(text), quote=False)


def thin(n: int, most: int = MAX_POINTS) -> slice:
    """A stride that keeps at most ``most`` of ``n`` points (the first one always)."""
    return slice(None, None, max(1, -(-n // most)))


def finite(values) -> list[float]:
    """None for an inf or a NaN: plotly leaves a gap there instead of refusing the trace."""
    return [float(v) if math.isfinite(float(v)) else None for v in values]


def marker_sizes(values, size: int = 6) -> list[int]:
    """A marker for each drawn point of a short series, else only for points a line
    cannot show: those with no drawn neighbour (a lone step between gaps)."""
    n = len(values)
    if n <= MARKED_POINTS:
        return [size if v is not None else 0 for v in values]
    return [size if v is not None and (i == 0 or values[i - 1] is None) and (i == n - 1 or values[i + 1] is None)
            else 0 for i, v in enumerate(values)]
