"""Run the forward pass (information flow) then the backward pass (learning flow)
of a model on a batch, and return everything as an immutable :class:`Graph`."""
from __future__ import annotations

import numpy as np

from .graph import Graph, structure
from .model import Model
from .numbers import check_size, to_array


def _readonly(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def check_batch(model: Model, x: np.ndarray, y: np.ndarray) -> None:
    if x.ndim != 2 or x.shape[1] != model.size_in:
        raise ValueError(f"the data has shape {x.shape}; the model expects (samples, {model.size_in})")
    if y.ndim != 2 or y.shape != (x.shape[0], model.size_out):
        raise ValueError(f"y_truth has shape {y.shape}; expected ({x.shape[0]}, {model.size_out})")
    if x.shape[0] == 0:
        raise ValueError("the batch is empty")


def passes(model: Model, x: np.ndarray, y: np.ndarray):
    """The bare maths, shared with training: outputs o^0..o^K, losses, deltas δ^1..δ^{K+1}, grads."""
    values = [x]
    for k, layer in enumerate(model.layers, 1):
        values.append(layer.forward(values[-1]))
        check_size(values[-1], f"o{k}")
    sample_losses = model.loss.value(values[-1], y)
    deltas = [None] * (model.K + 2)
    deltas[model.K + 1] = model.loss.delta(values[-1], y)
    grads = {}
    for k in range(model.K, 0, -1):
        layer = model.layers[k - 1]
        for name, g in layer.param_grads(values[k - 1], deltas[k + 1]).items():
            grads[f"{name}{k}"] = g
        deltas[k] = layer.backward(values[k - 1], values[k], deltas[k + 1])
        check_size(deltas[k], f"δ{k}")
    return values, sample_losses, deltas, grads


def record(model: Model, x, y) -> Graph:
    """Record one forward + backward run of ``model`` on the batch (x, y)."""
    x = to_array(x, model.arithmetic)
    y = to_array(y, model.arithmetic)
    check_batch(model, x, y)
    values, sample_losses, deltas, grads = passes(model, x, y)
    nodes, edges, timeline = structure(model)
    loss = sample_losses.sum() / len(sample_losses)
    return Graph(
        model=model,
        x=_readonly(x),
        y=_readonly(y),
        outputs=tuple(_readonly(v) for v in values[1:]),
        deltas=tuple(_readonly(d) for d in deltas[1:]),
        sample_losses=_readonly(sample_losses),
        loss=loss,
        weight_grads={name: _readonly(g) for name, g in grads.items()},
        nodes=nodes,
        edges=edges,
        timeline=timeline,
    )
