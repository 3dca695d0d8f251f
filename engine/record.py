"""Run the forward pass (information flow) then the backward pass (learning flow)
of a model on a batch, and return everything as an immutable :class:`Graph`."""
from __future__ import annotations

import math
from collections import deque
from fractions import Fraction
from itertools import repeat

import numpy as np

from .graph import Graph, structure
from .limits import MAX_EXACT_WORK, check_exact_work
from .layers import Input
from .model import Model
from .numbers import NotExactError, check_size, to_array

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


class FloatRangeError(NotExactError):
    """An exact value went past float64's range (about 1.8e308). Exact values must stay
    within it, as every number of a model file must: the app shows each one in float
    too (Explore's side-by-side view, tables, charts, JSON), and a model holding such a
    value could be saved but not read back."""


def check_float_range(a: np.ndarray, where: str) -> None:
    """Raise FloatRangeError if an exact array holds a value float64 cannot hold."""
    if a.dtype != object:
        return
    for v in a.flat:
        # |v| < 2**(bits of p − bits of q + 1): only values near 2**1024 need float()
        if v.numerator.bit_length() - v.denominator.bit_length() >= 1023:
            try:
                float(v)
            except OverflowError:
                raise FloatRangeError(f"{where}: {magnitude(v)} is past float64's range (about 1.8e308),"
                                      " within which exact values must stay") from None


def magnitude(v: Fraction) -> str:
    """'about -3e600': a huge fraction's size, without its 600 digits."""
    exponent = math.log10(abs(v.numerator)) - math.log10(v.denominator)
    whole = math.floor(exponent)
    return f"about {'-' if v < 0 else ''}{10 ** (exponent - whole):.2g}e{whole}"


def output_name(model_or_layers, k: int) -> str:
    layers = getattr(model_or_layers, "layers", model_or_layers)
    return f"o{k}, the output of L{k} ({layers[k - 1].kind})"


def check_batch(model: Model, x: np.ndarray, y: np.ndarray) -> None:
    if x.ndim != 2 or x.shape[1] != model.size_in:
        raise ValueError(f"the data has shape {x.shape}; the model expects (samples, {model.size_in})")
    if y.ndim != 2 or y.shape != (x.shape[0], model.size_out):
        raise ValueError(f"y_truth has shape {y.shape}; expected ({x.shape[0]}, {model.size_out})")
    if x.shape[0] == 0:
        raise ValueError("the batch is empty")


def _structure(model: Model):
    key = tuple((type(layer), tuple(layer.params)) for layer in model.layers)
    found = _STRUCTURES.get(key)
    if found is None:
        if len(_STRUCTURES) >= _MAX_STRUCTURES:
            _STRUCTURES.clear()
        found = _STRUCTURES[key] = structure(model)
    return found


def passes(model: Model, x: np.ndarray, y: np.ndarray):
    """The bare maths, shared with training: outputs o^0..o^K, losses, deltas δ^1..δ^{K+1}, grads.

    Exact values are checked as they are made: past MAX_EXACT_DIGITS digits
    (NotExactError) or past float64's range (FloatRangeError)."""
    exact = model.arithmetic == "exact"  # only fractions can grow: floats skip the size checks
    layers = model.layers
    K = len(layers)
    values = [x]
    o = x
    for k, layer in enumerate(layers, 1):
        # The identity passes its input on as is: recorded arrays are read-only, so
        # o^1 and x (and δ^1 and δ^2) may be one array; a copy would only cost time.
        if type(layer) is not Input:
            o = layer.forward(o)
            if exact:
                check_size(o, f"o{k}")
                check_float_range(o, output_name(model, k))
        values.append(o)
    sample_losses, delta = model.loss.value_and_delta(o, y)
    if exact:
        check_float_range(sample_losses, f"the loss ({model.loss.kind})")
    deltas = [None] * (K + 2)
    deltas[K + 1] = delta
    grads = {}
    for k in range(K, 0, -1):
        layer = layers[k - 1]
        if layer.params:
            for name, g in layer.param_grads(values[k - 1], delta).items():
                grads[f"{name}{k}"] = g
                if exact:
                    check_float_range(g, f"the gradient δ{name.lower()}{k} of {name}{k}")
        if type(layer) is not Input:
            delta = layer.backward(values[k - 1], values[k], delta)
            if exact:
                check_size(delta, f"δ{k}")
                check_float_range(delta, f"δ{k}, the learning flow on X{k}")
        deltas[k] = delta
    return values, sample_losses, deltas, grads


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
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        values, sample_losses, deltas, grads = passes(model, x, y)
    nodes, edges, timeline = _structure(model)
    loss = sample_losses.sum() / len(sample_losses)
    outputs, deltas = values[1:], deltas[1:]
    _readonly((x, y, sample_losses), outputs, deltas, grads.values())
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
    )
