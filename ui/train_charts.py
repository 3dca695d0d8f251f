"""Plotly figures of a training run's history (loss, weights, gradient norms), as pure
functions of it: the Train page calls these and draws what they return. The decision
boundary is in ui/boundary_chart.py, what every chart shares in ui/chart_style.py."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ui.chart_style import BACKWARD, FORWARD, chart_layout, finite, marker_sizes, thin

# A line per weight component reads well up to about this many components; past it
# the chart shows one norm per tensor.
MAX_COMPONENT_LINES = 40
# One colour per layer in the gradient chart (W solid, b dotted): plotly's own palette
LAYER_COLORS = ("#636efa", "#ef553b", "#00cc96", "#ab63fa", "#ffa15a", "#19d3f3", "#ff6692", "#b6e880",
                "#ff97ff", "#fecb52")


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
    losses = finite(s.loss for s in history.steps)
    cut = thin(len(steps))
    # the hover says what a point is: the film's step N is after the update, this one before
    what = "mean loss + P" if "l2" in history.config else "loss"  # config names λ when penalised
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=steps[cut], y=losses[cut], mode="lines+markers", name="loss per step",
                             line=dict(color=FORWARD, width=1.2), opacity=0.75,
                             marker=dict(size=marker_sizes(losses[cut], 4), color=FORWARD),
                             hovertemplate=f"step %{{x}}'s batch {what}, before its update: "
                                           "%{y:.4g}<extra></extra>"))
    ends = steps_per_epoch(history)
    epoch_losses = finite(history.epoch_losses)[:len(ends)]
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
            fig.add_trace(go.Scatter(x=snaps, y=finite(values), mode="lines", name=name))
        title, y_title = "Weights", "value"
    else:
        for key in first:
            with np.errstate(over="ignore", invalid="ignore"):  # a diverged run's weights
                norms = [float(np.linalg.norm(np.asarray(history.weights[s][key], dtype=float)))
                         for s in snaps]
            fig.add_trace(go.Scatter(x=snaps, y=finite(norms), mode="lines", name=f"‖{key}‖"))
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
    series = {key: finite(s.grad_norms.get(key, float("nan")) for s in history.steps)[cut] for key in keys}
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
