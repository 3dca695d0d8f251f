"""A training run as a film: the weights at evenly spaced snapshots, each frame's train
and test loss and per-layer gradient norm, and (for 2-D inputs) the data points, packed
for the browser, which animates them with no server round trip per frame (the Train
page's player, ui/film.py + ui/assets/film*.js; its forward pass draws the decision
boundary and every neuron's picture from a frame's weights).

The payload is bounded (engine/limits.py: FILM_MAX_FRAMES, FILM_MAX_BYTES,
FILM_MAX_WORK). Numbers travel as base64 float64 (little-endian), exactly the engine's
values and about half the size of JSON text; a value that is not finite (a diverged
test loss) travels as NaN. Exact runs are filmed in float64.

With an L2/L1 penalty (engine/penalty.py) the film shows what was trained, as the
Train page's loss chart does (History records the objective): each frame's train loss
is mean loss + P, its ‖δw‖ include the penalty's term, and ``penalty`` carries the two
parts, the mean loss and P, with their labels. The test rows' loss stays their mean
loss: P is no property of the rows. Without a penalty the payload is as it always was.
"""
from __future__ import annotations

import base64
import math

import numpy as np

from .descent import gradients
from .divergence import Watch
from .limits import FILM_MAX_BYTES, FILM_MAX_FRAMES, FILM_MAX_WORK
from .metrics import mean_loss
from .passes import Plan
from .penalty import apply as apply_penalty

# The layers the browser's forward pass knows (ui/assets/film_math.js): any other kind
# leaves the film without its boundary and neuron pictures, and says so.
JS_LAYERS = {"input", "linear", "relu", "leaky_relu", "sigmoid", "tanh", "softplus", "softmax"}
B64_PER_FLOAT = 8 * 4 / 3  # bytes of base64 text per float64
OVERHEAD = 4096  # the JSON around the arrays: names, layer list, options
# The film's names for the objective and its parts: the layer view's Loss node writes
# "mean loss + P" and the Penalty node "P" (engine/render/layer_view.py).
LABELS = {"total": "mean loss + P", "data": "mean loss", "penalty": "P"}


class FilmRefused(ValueError):
    """The run cannot be filmed within the limits; the message says why in one sentence."""


def pack(values) -> str:
    """float64 values as base64 text (little-endian), NaN for None."""
    a = np.asarray([math.nan if v is None else v for v in values] if isinstance(values, list) else values,
                   dtype="<f8")
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode()


def unpack(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<f8")


def frame_steps(snapshots, wanted: int) -> list[int]:
    """At most ``wanted`` (≥ 2) of the snapshot steps, evenly spaced from the first to
    the last: each the snapshot nearest to its target step."""
    snaps = sorted(snapshots)
    if len(snaps) <= wanted:
        return snaps
    last = snaps[-1]
    picked, i = [], 0
    for k in range(wanted):
        target = last * k / (wanted - 1)
        while i + 1 < len(snaps) and abs(snaps[i + 1] - target) <= abs(snaps[i] - target):
            i += 1
        if not picked or snaps[i] != picked[-1]:
            picked.append(snaps[i])
    return picked


def layer_list(model) -> tuple[list[dict], bool]:
    """The layers as the browser reads them, each Linear with the offset of its W (rows of
    W, then b) in a frame's weight vector; and whether the browser can run them all."""
    out, offset = [], 0
    for k, layer in enumerate(model.layers, 1):
        entry = {"k": k, "kind": layer.kind, "in": layer.size_in, "out": layer.size_out}
        if layer.kind == "linear":
            entry.update(offset=offset, bias="b" in layer.params)
            offset += layer.size_in * layer.size_out + (layer.size_out if "b" in layer.params else 0)
        elif layer.kind == "leaky_relu":
            entry["slope"] = float(layer.slope)
        out.append(entry)
    return out, all(layer.kind in JS_LAYERS for layer in model.layers)


def flat_weights(model, weights: dict) -> np.ndarray:
    """One frame's weight vector, in layer_list's order."""
    parts = []
    for k, layer in enumerate(model.layers, 1):
        for name in ("W", "b"):
            if name in layer.params:
                parts.append(np.asarray(weights[f"{name}{k}"], dtype=float).ravel())
    return np.concatenate(parts) if parts else np.zeros(0)


def plane_task(model, y: np.ndarray) -> tuple[str, float, float]:
    """How the boundary colours the output: "classes" (argmax), "binary" (P(class 1) in
    [0, 1], as the Train page's chart) or "regression" (the targets' range)."""
    if model.size_out > 1:
        return "classes", 0.0, 1.0
    y = np.asarray(y, dtype=float)
    if model.loss.kind == "binary_cross_entropy" or np.isin(y, (0.0, 1.0)).all():
        return "binary", 0.0, 1.0
    lo, hi = float(y.min()), float(y.max())
    return "regression", lo, hi if hi > lo else lo + 1.0


def film_data(result, model0, data, *, bounds=None, max_frames: int = FILM_MAX_FRAMES,
              max_bytes: int = FILM_MAX_BYTES, max_work: int = FILM_MAX_WORK) -> dict:
    """The film of ``result`` (engine.train.TrainResult of ``model0`` on ``data``): a
    JSON-able dict; ``bounds`` (x0, x1, y0, y1) is the input plane drawn for 2-D data.
    Raises FilmRefused when not even the first and last frames fit the limits."""
    history = result.history
    model = model0 if model0.arithmetic == "float" else model0.cast("float")
    layers, drawable = layer_list(model)
    n_params = sum(int(np.size(w)) for w in model.weights().values())
    weighted = [k for k, layer in enumerate(model.layers, 1) if layer.params]
    x, y = data.batch("float")
    test = data.test
    xt, yt = test.batch("float") if test is not None else (x[:0], y[:0])
    plane = model.size_in == 2 and drawable
    fixed = OVERHEAD + (B64_PER_FLOAT * 3 * (len(x) + len(xt)) if plane else 0)
    penalty = model.penalty
    per_frame = B64_PER_FLOAT * (n_params + len(weighted) + 2 + (2 if penalty.active else 0)) + 16
    fits = int((max_bytes - fixed) // per_frame)
    affordable = max_work // max(1, (len(x) + len(xt)) * max(n_params, 1))
    wanted = min(max_frames, fits, affordable)
    if wanted < 2 or len(history.weights) < 2:
        why = ("the run has one snapshot only" if len(history.weights) < 2 else
               f"a frame of {n_params:,} weights is too big to send {2} of them within "
               f"{max_bytes // 1024:,} KB" if fits < 2 else
               f"each frame's loss over {len(x) + len(xt):,} samples × {n_params:,} weights is more work "
               f"than the film's limit of {max_work:.0e} multiply-adds allows")
        raise FilmRefused(f"This run cannot be played as a film: {why}.")
    steps = frame_steps(history.weights, wanted)
    epochs = _epochs_at(history, steps)
    plan, watch = Plan(model.layers, model.loss, full=False), Watch(model.layers, model.loss, y)
    weights, train_loss, test_loss, norms, data_loss, p_values = [], [], [], [], [], []
    with np.errstate(all="ignore"):
        for s in steps:
            w = {key: np.asarray(v, dtype=float) for key, v in history.weights[s].items()}
            at = model.with_weights(w)
            loss, grads = gradients(at.layers, at.loss, x, y, False, plan, watch)
            if penalty.active:  # the objective, as engine.descent.gradients sums it: mean loss + P
                p = float(apply_penalty(penalty, at.layers, grads, False)[0])  # and δw gets P's term
                data_loss.append(_finite(loss))
                p_values.append(_finite(p))
                loss = loss + p
            train_loss.append(_finite(loss))
            test_loss.append(mean_loss(at, test) if test is not None else None)
            for k in weighted:
                sq = sum(float(np.vdot(g, g)) for key, g in grads.items() if key[1:] == str(k))
                norms.append(math.sqrt(sq) if math.isfinite(sq) else None)
            weights.append(flat_weights(model, w))
    out = {"steps": steps, "epochs": epochs, "total_steps": len(history.steps),
           "n_params": n_params, "layers": layers, "drawable": drawable, "weighted": weighted,
           "weights": pack(np.concatenate(weights)), "train_loss": pack(train_loss),
           "test_loss": pack(test_loss) if test is not None else None, "grad_norms": pack(norms),
           "loss_kind": model.loss.kind, "size_in": model.size_in, "size_out": model.size_out,
           "stopped": bool(result.stopped), "plane": None}
    if penalty.active:
        out["penalty"] = {"data_loss": pack(data_loss), "P": pack(p_values), "labels": LABELS,
                          "lambdas": model0.penalty.describe()}  # as typed: 1/3, not 0.3333333333333333
    if plane:
        task, lo, hi = plane_task(model, y)
        out["plane"] = {"task": task, "range": [lo, hi], "bounds": list(bounds or _bounds(np.vstack([x, xt]))),
                        "x": pack(x.ravel()), "y": pack(_targets(task, y)),
                        "test_x": pack(xt.ravel()), "test_y": pack(_targets(task, yt)),
                        "features": [str(f) for f in (data.feature_names or ("x1", "x2"))][:2]}
    return out


def _finite(v: float) -> float | None:
    return v if math.isfinite(v) else None


def _epochs_at(history, steps) -> list[int]:
    """The epoch of each frame: that of the step it follows (epoch 0 before any step)."""
    records = history.steps
    return [records[s - 1].epoch if 0 < s <= len(records) else (0 if s == 0 else records[-1].epoch)
            for s in steps]


def _targets(task: str, y: np.ndarray) -> np.ndarray:
    """Per point: its class (argmax of one-hot rows, 0/1 above 0.5) or its value."""
    if task == "classes":
        return y.argmax(axis=1).astype(float)
    if task == "binary":
        return (y[:, 0] > 0.5).astype(float)
    return y[:, 0]


def _bounds(x: np.ndarray, margin: float = 0.15) -> tuple[float, float, float, float]:
    lo, hi = x.min(axis=0), x.max(axis=0)
    pad = (hi - lo) * margin + 1e-9
    return float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]), float(hi[1] + pad[1])


def payload_bytes(film: dict) -> int:
    """The film's size as JSON text: what the browser receives."""
    import json
    return len(json.dumps(film, separators=(",", ":")))
