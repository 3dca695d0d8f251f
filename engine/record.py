"""Run the forward pass (information flow) then the backward pass (learning flow)
of a model on a batch, and return everything as an immutable :class:`Graph`."""
from __future__ import annotations

from collections import deque
from itertools import repeat

import numpy as np

from .graph import Graph, structure
from .limits import MAX_EXACT_WORK, check_exact_work
from .model import Model
from .numbers import to_array
from .passes import Plan, check_float_range, run, structure_key
from . import penalty as penalties

# Nodes, edges and timeline depend on the layers' kinds and parameter names only, and
# are immutable: built once per structure they are shared by every graph (building
# them cost more than the passes of a small model). Bounded: models come from users.
_STRUCTURES: dict = {}
_MAX_STRUCTURES = 256


def _readonly(*groups) -> None:
    """Mark every array of every group read-only. ``setflags(False)`` (write=False)
    mapped over the arrays: 1.3 µs for the 24 arrays of a 2-8-8-1 record, against
    4 µs for a Python call per array (a third of what a record adds to its passes)."""
    for arrays in groups:
        deque(map(_SETFLAGS, arrays, repeat(False)), maxlen=0)  # runs the map, keeps nothing


_SETFLAGS = np.ndarray.setflags


def check_batch(model: Model, x: np.ndarray, y: np.ndarray) -> None:
    if x.ndim != 2 or x.shape[1] != model.size_in:
        raise ValueError(f"the data has shape {x.shape}; the model expects (samples, {model.size_in})")
    if y.ndim != 2 or y.shape != (x.shape[0], model.size_out):
        raise ValueError(f"y_truth has shape {y.shape}; expected ({x.shape[0]}, {model.size_out})")
    if x.shape[0] == 0:
        raise ValueError("the batch is empty")


def _structure(model: Model):
    """(nodes, edges, timeline, the recording Plan), built once per structure."""
    key = structure_key(model)
    found = _STRUCTURES.get(key)
    if found is None:
        if len(_STRUCTURES) >= _MAX_STRUCTURES:
            _STRUCTURES.clear()
        found = _STRUCTURES[key] = (*structure(model), Plan(model.layers, model.loss, full=True))
    return found


def passes(model: Model, x: np.ndarray, y: np.ndarray):
    """The bare maths of a record: outputs o^0..o^K, losses, deltas δ^1..δ^{K+1}, grads
    (see engine.passes.run)."""
    return run(_structure(model)[3], model.layers, model.loss, x, y, model.arithmetic == "exact")


def record(model: Model, x, y) -> Graph:
    """Record one forward + backward run of ``model`` on the batch (x, y)."""
    x = to_array(x, model.arithmetic)
    y = to_array(y, model.arithmetic)
    check_batch(model, x, y)
    if model.arithmetic == "exact":
        check_exact_work(len(x), sum(p.size for p in model.weights().values()), MAX_EXACT_WORK,
                         "recording this batch")
    # Float values may overflow to inf or nan: that is the float result, and it is shown
    # as such (the lesson of float arithmetic), so numpy's warnings would only be noise.
    nodes, edges, timeline, plan = _structure(model)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        values, sample_losses, deltas, grads = run(plan, model.layers, model.loss, x, y,
                                                   model.arithmetic == "exact")
        # the penalty's value and its term of each δw: the objective is loss + P
        penalty, penalty_grads = penalties.apply(model.penalty, model.layers, grads, model.arithmetic == "exact")
    loss = sample_losses.sum() / len(sample_losses) + penalty
    if model.arithmetic == "exact" and model.penalty.active:
        for key in penalty_grads:
            check_float_range(grads[key], f"the gradient δw{key[1:]} with the penalty")
        check_float_range(np.asarray([loss], dtype=object), "the loss with the penalty")
    outputs, deltas = values[1:], deltas[1:]
    _readonly((x, y, sample_losses), outputs, deltas, grads.values(), penalty_grads.values())
    return Graph(
        model=model,
        x=x,
        y=y,
        outputs=tuple(outputs),
        deltas=tuple(deltas),
        sample_losses=sample_losses,
        loss=loss,
        weight_grads=grads,  # passes made this dict for this call: no one else holds it
        nodes=nodes,
        edges=edges,
        timeline=timeline,
        penalty=penalty,
        penalty_grads=penalty_grads,
    )
