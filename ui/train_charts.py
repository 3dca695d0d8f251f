"""Plotly figures of a training run, as pure functions of the history and the data.

Nothing here imports Streamlit or changes its inputs: the Train page calls these
and draws what they return; :func:`cached_decision_grid` keeps the only costly one.
"""
from __future__ import annotations

import math
from html import escape

import numpy as np
import plotly.graph_objects as go

from engine.names import one_line
from ui.byte_cache import MB, ByteCache

# A line per weight component reads well up to about this many components; past it
# the chart shows one norm per tensor.
MAX_COMPONENT_LINES = 40
# Plotly in the browser stays fluid up to a few thousand points per trace.
MAX_POINTS = 2000
FORWARD = "#1f6fb4"  # the app's information-flow blue
BACKWARD = "#d9480f"  # the learning-flow orange
CLASS_COLORS = ("#1f6fb4", "#d9480f", "#2b8a3e", "#7048e8", "#e8a700", "#c2255c")
# One colour per layer in the gradient chart (W solid, b dotted): plotly's own palette
LAYER_COLORS = ("#636efa", "#ef553b", "#00cc96", "#ab63fa", "#ffa15a", "#19d3f3", "#ff6692", "#b6e880",
                "#ff97ff", "#fecb52")
# Markers on every point of a short run (3 steps: a line alone is one segment, or
# nothing); past this only points with no neighbour to join get one.
MARKED_POINTS = 60
LEGEND_PER_ROW = 4  # entries of a horizontal legend per row, at the Train page's column width
LEGEND_ROW_PX = 22


# Tick labels per axis. Left to itself on a log axis with dtick "D2", plotly labelled
# 1, 2 and 5 of every decade: a diverged run's gradients span hundreds of decades, so
# ~1000 labels, and the tab froze for 30-146 s drawing them.
MAX_TICKS = 8


def chart_layout(fig: go.Figure, title: str, x_title: str, y_title: str, *, log_y: bool = False) -> go.Figure:
    fig.update_layout(title=dict(text=title, x=0, xanchor="left", font=dict(size=15)), height=360,
                      margin=dict(l=10, r=10, t=40, b=10), template="plotly_white",
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
        fig.update_layout(height=360 + LEGEND_ROW_PX * (rows - 1))
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


def _finite(values) -> list[float]:
    return [float(v) if math.isfinite(float(v)) else None for v in values]


def marker_sizes(values, size: int = 6) -> list[int]:
    """A marker for each drawn point of a short series, else only for points a line
    cannot show: those with no drawn neighbour (a lone step between gaps)."""
    n = len(values)
    if n <= MARKED_POINTS:
        return [size if v is not None else 0 for v in values]
    return [size if v is not None and (i == 0 or values[i - 1] is None) and (i == n - 1 or values[i + 1] is None)
            else 0 for i, v in enumerate(values)]


def steps_per_epoch(history) -> list[int]:
    """The step that ends each epoch (the last epoch may have been cut short)."""
    ends: dict[int, int] = {}
    for s in history.steps:
        ends[s.epoch] = s.step
    return [ends[e] for e in sorted(ends)]


def loss_figure(history) -> go.Figure:
    """Batch loss at every step (before its update) and the mean loss of each epoch,
    drawn at the epoch's last step so both share the step axis."""
    steps = [s.step for s in history.steps]
    losses = _finite(s.loss for s in history.steps)
    cut = thin(len(steps))
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=steps[cut], y=losses[cut], mode="lines+markers", name="loss per step",
                             line=dict(color=FORWARD, width=1.2), opacity=0.75,
                             marker=dict(size=marker_sizes(losses[cut], 4), color=FORWARD)))
    ends = steps_per_epoch(history)
    epoch_losses = _finite(history.epoch_losses)[:len(ends)]
    fig.add_trace(go.Scatter(x=ends[:len(epoch_losses)], y=epoch_losses, mode="lines+markers",
                             name="mean loss per epoch", line=dict(color=BACKWARD, width=2.5),
                             marker=dict(size=6 if len(epoch_losses) < 60 else 0),
                             customdata=list(range(1, len(epoch_losses) + 1)),
                             hovertemplate="epoch %{customdata}: %{y:.4g}<extra></extra>"))
    positive = all(v is None or v > 0 for v in losses + epoch_losses)
    return chart_layout(fig, "Loss", "step", "loss (log)" if positive else "loss", log_y=positive)


def _components(w: np.ndarray, key: str) -> list[tuple[str, float]]:
    w = np.asarray(w, dtype=float)
    if w.ndim == 1:
        return [(f"{key}[{i + 1}]", v) for i, v in enumerate(w)]
    return [(f"{key}[{i + 1},{j + 1}]", w[i, j]) for i in range(w.shape[0]) for j in range(w.shape[1])]


def weights_figure(history, *, max_lines: int = MAX_COMPONENT_LINES) -> go.Figure:
    """The weight snapshots over time: a line per component for a small model (W2[1,3]
    is row 1, column 3 of W², 1-based as in the article), else one norm per tensor."""
    snaps = sorted(history.weights)
    cut = thin(len(snaps))
    snaps = snaps[cut] + ([snaps[-1]] if snaps and snaps[cut][-1] != snaps[-1] else [])
    first = history.weights[snaps[0]] if snaps else {}
    n_params = sum(np.size(w) for w in first.values())
    fig = go.Figure()
    if n_params <= max_lines:
        series: dict[str, list] = {}
        for s in snaps:
            for key, w in history.weights[s].items():
                for name, v in _components(w, key):
                    series.setdefault(name, []).append(v)
        for name, values in series.items():
            fig.add_trace(go.Scatter(x=snaps, y=_finite(values), mode="lines", name=name))
        title, y_title = "Weights", "value"
    else:
        for key in first:
            with np.errstate(over="ignore", invalid="ignore"):  # a diverged run's weights
                norms = [float(np.linalg.norm(np.asarray(history.weights[s][key], dtype=float)))
                         for s in snaps]
            fig.add_trace(go.Scatter(x=snaps, y=_finite(norms), mode="lines", name=f"‖{key}‖"))
        title, y_title = f"Weight norms ({n_params:,} weights: one line per tensor)", "L2 norm"
    fig = chart_layout(fig, title, "step", y_title)
    fig.update_layout(hovermode="closest")
    return fig


def grad_norm_figure(history) -> go.Figure:
    """‖δw^k‖ per weight tensor and step, on a log axis: vanishing or exploding
    gradients show up as lines drifting apart by orders of magnitude. One colour per
    layer (weights solid, bias dotted); a norm of exactly 0 (a closed ReLU: the
    article's first two steps) has no place on a log axis and is drawn as ▽ at its
    bottom; a run with no positive norm at all gets a linear axis."""
    steps = [s.step for s in history.steps]
    keys = list(history.steps[0].grad_norms) if history.steps else []
    keys.sort(key=lambda k: (int("".join(c for c in k if c.isdigit()) or 0), k))
    cut = thin(len(steps))
    xs = steps[cut]
    series = {key: _finite(s.grad_norms.get(key, float("nan")) for s in history.steps)[cut] for key in keys}
    positive = [v for values in series.values() for v in values if v is not None and v > 0]
    log_y = bool(positive)
    floor = min(positive) / 3 if positive else 0.0  # where a zero is drawn on the log axis
    layers = sorted({int("".join(c for c in k if c.isdigit()) or 0) for k in keys})
    fig, any_zero = go.Figure(), False
    for key in keys:
        name = f"‖δ{key[0].lower()}{key[1:]}‖"
        color = LAYER_COLORS[layers.index(int("".join(c for c in key if c.isdigit()) or 0)) % len(LAYER_COLORS)]
        values = series[key]
        drawn = [v if v is not None and v > 0 else None for v in values] if log_y else values
        fig.add_trace(go.Scatter(x=xs, y=drawn, mode="lines+markers", name=name, legendgroup=name,
                                 line=dict(color=color, width=1.5, dash="dot" if key[0] == "b" else "solid"),
                                 marker=dict(size=marker_sizes(drawn), color=color)))
        zeros = [x for x, v in zip(xs, values) if v == 0]
        if log_y and zeros:
            any_zero = True
            fig.add_trace(go.Scatter(x=zeros, y=[floor] * len(zeros), mode="markers", name=f"{name} = 0",
                                     legendgroup=name, showlegend=False,
                                     marker=dict(symbol="triangle-down-open", size=8, color=color),
                                     hovertemplate=f"{name} = 0 at step %{{x}}<extra></extra>"))
    fig = chart_layout(fig, "Gradient norm per layer", "step", "‖δw‖ (log)" if log_y else "‖δw‖", log_y=log_y)
    if any_zero:
        fig.add_annotation(text="▽ ‖δw‖ = 0 (a log axis has no 0: drawn at its bottom)", showarrow=False,
                           xref="paper", yref="paper", x=1, y=1.02, xanchor="right", yanchor="bottom",
                           font=dict(size=11, color="#57606a"))
    return fig


# decision boundary ---------------------------------------------------------------

def grid_bounds(x: np.ndarray, margin: float = 0.15) -> tuple[float, float, float, float]:
    x = np.asarray(x, dtype=float)
    lo, hi = x.min(axis=0), x.max(axis=0)
    pad = (hi - lo) * margin + 1e-9
    return float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]), float(hi[1] + pad[1])


def decision_grid(model, bounds: tuple[float, float, float, float], resolution: int = 80):
    """``model.predict`` on a resolution × resolution grid over ``bounds``.

    Returns (xs, ys, z): z[i, j] is the output at (xs[j], ys[i]) — P(class 1) for one
    output, the predicted class (argmax) for several.
    """
    x0, x1, y0, y1 = bounds
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    gx, gy = np.meshgrid(xs, ys)
    points = np.column_stack([gx.ravel(), gy.ravel()])
    model = model if model.arithmetic == "float" else model.cast("float")
    with np.errstate(all="ignore"):
        out = np.asarray(model.predict(points), dtype=float)
    z = out[:, 0] if out.shape[1] == 1 else out.argmax(axis=1).astype(float)
    return xs, ys, z.reshape(resolution, resolution)


# An 80 × 80 grid is ~52 KB: room for dozens of models' boundaries, shared by every session.
GRIDS = ByteCache("decision boundaries", 4 * MB)


def cached_decision_grid(key: str, model, bounds: tuple[float, float, float, float], resolution: int = 80):
    """:func:`decision_grid`, kept by ``key`` (the weights' fingerprint, :func:`weights_key`)."""
    return GRIDS.get_or_compute(("grid", key, tuple(bounds), resolution),
                                lambda: decision_grid(model, bounds, resolution))


def labels_of(y: np.ndarray) -> np.ndarray:
    """Class of each sample: the 0/1 target for one output, the argmax of one-hot rows."""
    y = np.asarray(y, dtype=float)
    return (y[:, 0] > 0.5).astype(int) if y.shape[1] == 1 else y.argmax(axis=1)


def boundary_figure(xs, ys, z, x: np.ndarray, y: np.ndarray, *, n_classes: int,
                    feature_names=("x1", "x2"), class_names=()) -> go.Figure:
    """The model's output as a heatmap behind the data points coloured by label."""
    fig = go.Figure()
    if n_classes <= 2:
        fig.add_trace(go.Heatmap(x=xs, y=ys, z=z, zmin=0, zmax=1, opacity=0.55,
                                 colorscale=[[0, CLASS_COLORS[0]], [0.5, "#ffffff"], [1, CLASS_COLORS[1]]],
                                 colorbar=dict(title="P(class 1)", thickness=12),
                                 hovertemplate="(%{x:.2f}, %{y:.2f}): %{z:.3f}<extra></extra>"))
        fig.add_trace(go.Contour(x=xs, y=ys, z=z, contours=dict(start=0.5, end=0.5, coloring="none"),
                                 line=dict(color="#1f2328", width=2), showscale=False, hoverinfo="skip",
                                 name="P = 0.5"))
    else:
        scale = []
        for c in range(n_classes):
            color = CLASS_COLORS[c % len(CLASS_COLORS)]
            scale += [[c / n_classes, color], [(c + 1) / n_classes, color]]
        fig.add_trace(go.Heatmap(x=xs, y=ys, z=z, zmin=-0.5, zmax=n_classes - 0.5, opacity=0.35,
                                 colorscale=scale, showscale=False,
                                 hovertemplate="(%{x:.2f}, %{y:.2f}): class %{z}<extra></extra>"))
    x = np.asarray(x, dtype=float)
    labels = labels_of(y)
    for c in range(max(n_classes, 2)):
        mask = labels == c
        if not mask.any():
            continue
        name = label(class_names[c]) if c < len(class_names) else f"class {c}"
        fig.add_trace(go.Scatter(x=x[mask, 0], y=x[mask, 1], mode="markers", name=name,
                                 marker=dict(color=CLASS_COLORS[c % len(CLASS_COLORS)], size=7,
                                             line=dict(color="white", width=1))))
    fig = chart_layout(fig, "Decision boundary", label(feature_names[0]) if feature_names else "x1",
                  label(feature_names[1]) if len(feature_names) > 1 else "x2")
    fig.update_layout(height=430, hovermode="closest")
    fig.update_yaxes(scaleanchor="x", scaleratio=1)
    return fig


def weights_key(model) -> str:
    """A short fingerprint of a model's weights, to key caches on (arrays are unhashable)."""
    import hashlib
    h = hashlib.sha1()
    for key, w in model.weights().items():
        h.update(key.encode())
        a = np.asarray(w)
        h.update(a.tobytes() if a.dtype != object else repr(a.tolist()).encode())
    for layer in model.layers:
        h.update(layer.kind.encode())
    return h.hexdigest()[:16]
