"""The decision boundary of a model with two inputs: its output on a grid over the data
(cached by the weights' fingerprint, shared by every session) and the plotly heatmap of
it behind the data points. Pure functions, no Streamlit."""
from __future__ import annotations

import hashlib

import numpy as np
import plotly.graph_objects as go

from ui.byte_cache import MB, ByteCache
from ui.chart_style import CLASS_COLORS, MODEBAR_PX, chart_layout, label

# Class 0's blue to class 1's orange through white at 1/2 (the film's twoClass scale).
TWO_CLASS_SCALE = [[0, CLASS_COLORS[0]], [0.5, "#ffffff"], [1, CLASS_COLORS[1]]]


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


def add_points(fig: go.Figure, x: np.ndarray, labels: np.ndarray, n_classes: int, class_names=()) -> None:
    """One trace of points per class, in the class's colour (CLASS_COLORS: the film's too)."""
    x = np.asarray(x, dtype=float)
    for c in range(max(n_classes, 2)):
        mask = labels == c
        if not mask.any():
            continue
        name = label(class_names[c]) if c < len(class_names) else f"class {c}"
        fig.add_trace(go.Scatter(x=x[mask, 0], y=x[mask, 1], mode="markers", name=name,
                                 marker=dict(color=CLASS_COLORS[c % len(CLASS_COLORS)], size=7,
                                             line=dict(color="white", width=1))))


def data_figure(x: np.ndarray, y: np.ndarray, task: str, *, feature_names=("x1", "x2"), class_names=(),
                target: str = "target") -> go.Figure:
    """The data alone (the Data page's preview), coloured as Train draws it: a class's
    points in its CLASS_COLORS colour, a regression's targets on the boundary's scale,
    class 0's blue at the lowest, white in the middle, class 1's orange at the highest."""
    fig = go.Figure()
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if task == "regression":
        fig.add_trace(go.Scatter(x=x[:, 0], y=x[:, 1], mode="markers", name=label(target), showlegend=False,
                                 marker=dict(color=y[:, 0], size=7, colorscale=TWO_CLASS_SCALE,
                                             colorbar=dict(title=label(target), thickness=12),
                                             line=dict(color="#57606a", width=0.5))))  # white points stay visible
    else:
        add_points(fig, x, labels_of(y), max(2, y.shape[1]), class_names)
    fig = chart_layout(fig, "The data, coloured by the target", label(feature_names[0]), label(feature_names[1]))
    fig.update_layout(hovermode="closest", legend_title_text=label(target))  # the name in the legend, the title stays short
    return fig


def boundary_figure(xs, ys, z, x: np.ndarray, y: np.ndarray, *, n_classes: int,
                    feature_names=("x1", "x2"), class_names=()) -> go.Figure:
    """The model's output as a heatmap behind the data points coloured by label."""
    fig = go.Figure()
    if n_classes <= 2:
        fig.add_trace(go.Heatmap(x=xs, y=ys, z=z, zmin=0, zmax=1, opacity=0.55,
                                 colorscale=TWO_CLASS_SCALE,
                                 colorbar=dict(title="probability<br>of class 1", thickness=12),
                                 hovertemplate="(%{x:.2f}, %{y:.2f}): %{z:.3f}<extra></extra>"))
        fig.add_trace(go.Contour(x=xs, y=ys, z=z, contours=dict(start=0.5, end=0.5, coloring="none"),
                                 line=dict(color="#1f2328", width=2), showscale=False, hoverinfo="skip",
                                 name="probability 0.5"))  # not "P": on Train, P is the penalty
    else:
        scale = []
        for c in range(n_classes):
            color = CLASS_COLORS[c % len(CLASS_COLORS)]
            scale += [[c / n_classes, color], [(c + 1) / n_classes, color]]
        fig.add_trace(go.Heatmap(x=xs, y=ys, z=z, zmin=-0.5, zmax=n_classes - 0.5, opacity=0.35,
                                 colorscale=scale, showscale=False,
                                 hovertemplate="(%{x:.2f}, %{y:.2f}): class %{z}<extra></extra>"))
    add_points(fig, x, labels_of(y), n_classes, class_names)
    fig = chart_layout(fig, "Decision boundary", label(feature_names[0]) if feature_names else "x1",
                       label(feature_names[1]) if len(feature_names) > 1 else "x2")
    fig.update_layout(height=430 + MODEBAR_PX, hovermode="closest")
    fig.update_yaxes(scaleanchor="x", scaleratio=1)
    return fig


def weights_key(model) -> str:
    """A short fingerprint of a model's weights, to key caches on (arrays are unhashable)."""
    h = hashlib.sha1()
    for key, w in model.weights().items():
        h.update(key.encode())
        a = np.asarray(w)
        h.update(a.tobytes() if a.dtype != object else repr(a.tolist()).encode())
    for layer in model.layers:
        h.update(layer.kind.encode())
    return h.hexdigest()[:16]
