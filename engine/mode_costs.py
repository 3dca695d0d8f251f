"""How the cost of forward mode and of reverse mode grows with the model: the user's model
made 1×, 2×, 4×, 8× wide, each mode run by engine/forward_mode.py and its multiplications
counted by engine/counted.py (never estimated).

Widening multiplies the size of every hidden layer (a Linear whose output feeds another
Linear later, and the activations after it) and keeps the input and output sizes (a model
with no hidden layer, as the article's, has its input widened instead). Each
hidden unit becomes ``factor`` copies of itself and a weight leaving a copied unit is
divided by ``factor``: the widened model computes the same function, so its loss is the
user's. The counts depend on the shapes only (numpy multiplies as many numbers whatever
they hold)."""
from __future__ import annotations

import copy
from dataclasses import replace
from fractions import Fraction

import numpy as np

from . import limits
from .forward_mode import forward_gradients, reverse_gradients
from .layers import Linear
from .model import Model

FACTORS = (1, 2, 4, 8)


def weight_count(model: Model) -> int:
    return sum(p.size for p in model.weights().values())


def widen(model: Model, factor: int, x) -> tuple[Model, np.ndarray]:
    """``model`` with every hidden layer ``factor`` times as wide, computing the same
    function, and its data. A model with no hidden layer (the article's) has its input
    widened instead: each feature of x copied ``factor`` times."""
    x = np.asarray(x)
    if factor == 1:
        return model, x
    linears = [k for k, layer in enumerate(model.layers) if isinstance(layer, Linear)]
    hidden = set(linears[:-1])  # the last Linear's output is the model's output: kept
    grown = not hidden  # the current units are copies: the input's, when nothing else grows
    if grown:
        x = np.repeat(x, factor, axis=1)
    layers, width = [], x.shape[1]
    for k, layer in enumerate(model.layers):
        new = copy.copy(layer)
        if isinstance(layer, Linear):
            out = factor if k in hidden else 1
            w = np.repeat(layer.params["W"], out, axis=0)
            if grown:  # each copy of an input unit carries 1/factor of its weight
                w = np.repeat(w, factor, axis=1)
                w = w / factor if model.arithmetic == "float" else w * Fraction(1, factor)
            new.params = {"W": w}
            if "b" in layer.params:
                new.params["b"] = np.repeat(layer.params["b"], out)
            new.size_in, (new.size_out, _) = width, w.shape
            grown = k in hidden
        else:
            new.size_in = new.size_out = width
        width = new.size_out
        layers.append(new)
    return replace(model, layers=tuple(layers)), x


def widened_weight_count(model: Model, factor: int) -> int:
    """The weights and biases ``widen(model, factor)`` would have, counted before making them."""
    linears = [k for k, layer in enumerate(model.layers) if isinstance(layer, Linear)]
    hidden = set(linears[:-1])
    width = model.size_in * (1 if hidden else factor)
    count = 0
    for k, layer in enumerate(model.layers):
        if isinstance(layer, Linear):
            out = layer.size_out * (factor if k in hidden else 1)
            count += out * width + (out if "b" in layer.params else 0)
            width = out
    return count


def forward_work(model: Model, samples: int) -> int:
    """Forward mode's work as engine/forward_mode.py bounds it: passes × samples × weights."""
    w = weight_count(model)
    return w * samples * max(w, 1)


def cost_growth(model: Model, x, y, factors=FACTORS, most: int = limits.MAX_MODE_CHART_WORK) -> list[dict]:
    """For each factor: ``factor``, ``weights`` and each mode's cost (``forward``,
    ``reverse``: passes and multiplications), counted on the batch (x, y) in float
    arithmetic; a size whose forward mode would pass ``most`` (passes × samples × weights)
    is not run and has ``forward`` None (its reverse mode is still counted); a size past
    the model file's limit of weights (limits.MAX_PARAMETERS) is not even made: both None."""
    model = model if model.arithmetic == "float" else model.cast("float")
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    out = []
    for f in factors:
        if widened_weight_count(model, f) > limits.MAX_PARAMETERS:  # not even made: its weights alone
            out.append({"factor": f, "weights": widened_weight_count(model, f), "reverse": None, "forward": None})
            continue
        wide, wide_x = widen(model, f, x)
        row = {"factor": f, "weights": weight_count(wide), "reverse": reverse_gradients(wide, wide_x, y)[1],
               "forward": None}
        if forward_work(wide, len(x)) <= most:
            row["forward"] = forward_gradients(wide, wide_x, y)[1]
        out.append(row)
    return out
