"""The weight gradients two ways, each with its cost counted by the engine (``trace --mode``).

Reverse mode is the app's own backward pass (engine/passes.py): one forward pass, then
one backward pass gives every δw. Forward mode pushes dual numbers (value, tangent)
through the forward pass, one pass per weight component w: the tangent is ∂/∂w of each
output, carried by each layer's Jacobian-vector product, and at the loss ∂loss/∂w =
Σ δ^{K+1} ⊙ tangent. In exact arithmetic both give the same fractions.

Multiplications are counted by engine/counted.py as numpy does them (values and
tangents, the loss and its derivative), in both modes; passes are the tangents pushed
(forward: one per weight component) or the backward passes (reverse: 1)."""
from __future__ import annotations

import copy
from fractions import Fraction

import numpy as np

from . import limits
from .counted import Tally, counted, plain
from .layers import Input, Linear
from .layers.base import Elementwise
from .layers.softmax import Softmax
from .numbers import NotExactError, check_size, to_array, zeros
from .passes import Plan, run

MODES = ("reverse", "forward")


def _counted_layers(model, tally: Tally):
    out = []
    for layer in model.layers:
        new = copy.copy(layer)  # the model's own layer is never changed (others may read it)
        new.params = {name: counted(p, tally) for name, p in layer.params.items()}
        out.append(new)
    return out


def _cost(passes: int, tally: Tally) -> dict:
    return {"passes": passes, "multiplications": tally.multiplications}


def reverse_gradients(model, x, y):
    """δw by one forward and one backward pass (engine/passes.py), and their cost.
    The training plan: the backward pass stops at the first layer with weights, below
    which no δw needs a δ."""
    tally = Tally()
    x, y = (counted(to_array(a, model.arithmetic), tally) for a in (x, y))
    plan = Plan(model.layers, model.loss, full=False)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        _, _, _, grads = run(plan, _counted_layers(model, tally), model.loss, x, y,
                             model.arithmetic == "exact")
    return {key: plain(g) for key, g in grads.items()}, _cost(1, tally)


def tangent_through(layer, x, y, t):
    """J·t, the Jacobian-vector product of ``layer`` at input x (output y), per sample."""
    if type(layer) is Input:
        return t
    if isinstance(layer, Linear):
        return t @ layer.params["W"].T  # the bias is constant along any weight's direction
    if isinstance(layer, Elementwise):
        return t * layer.derivative(x, y)  # a diagonal Jacobian
    if isinstance(layer, Softmax):
        return layer.backward(x, y, t)  # J = diag(o) − o oᵀ is symmetric: J·t = Jᵀ·t
    # Any other layer: its full Jacobian, one sample at a time.
    return np.stack([counted(layer.jacobian(plain(xr), plain(yr)), t.tally) @ tr
                     for xr, yr, tr in zip(x, y, t)])


def check_forward_work(model, samples: int) -> None:
    """Refuse forward mode past its work limit before any pass."""
    weights = sum(p.size for p in model.weights().values())
    work = weights * samples * max(weights, 1)
    exact = model.arithmetic == "exact"
    most = limits.MAX_EXACT_FORWARD_MODE_WORK if exact else limits.MAX_FORWARD_MODE_WORK
    if work > most:
        raise NotExactError(
            f"forward mode: {weights:,} passes (one per weight) × {samples:,} samples × {weights:,} weights"
            f" is {work:,} multiplications, more than the limit of {most:,} in {model.arithmetic}"
            " arithmetic; use --mode reverse" + (" or float arithmetic" if exact else ""))


def forward_gradients(model, x, y):
    """δw by forward mode, one pass per weight component, and its cost."""
    arithmetic = model.arithmetic
    tally = Tally()
    x, y = (counted(to_array(a, arithmetic), tally) for a in (x, y))
    check_forward_work(model, len(x))
    layers, loss = _counted_layers(model, tally), model.loss
    K = len(layers)
    # Binary cross-entropy after a Sigmoid: the loss gives δ at the Sigmoid's input
    # (engine/passes.py's fused case), so the tangent stops there too.
    fused = loss.fuses_with is not None and layers[-1].kind == loss.fuses_with
    grads, passes = {}, 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for k in range(K, 0, -1):  # the order reverse mode makes them in
            layer = layers[k - 1]
            for name, p in layer.params.items():
                g = zeros(p.shape, arithmetic)
                for index in np.ndindex(p.shape):
                    g[index] = _one_pass(layers, loss, k, name, index, x, y, fused, arithmetic)
                    passes += 1
                grads[f"{name}{k}"] = g
    return grads, _cost(passes, tally)


def _one_pass(layers, loss, k, name, index, x, y, fused, arithmetic):
    """∂loss/∂(parameter ``name`` of layer k at ``index``): one forward pass of duals.
    Below layer k the tangent is 0, so only values are computed there."""
    K = len(layers)
    o = x
    for layer in layers[:k - 1]:
        o = layer.forward(o)
    x_k, o = o, layers[k - 1].forward(o)
    t = counted(zeros(o.shape, arithmetic), x.tally)
    i = index[0]
    # ∂(W·x + b)_i/∂W_ij = x_j and ∂/∂b_i = 1; every other output's tangent is 0.
    t[:, i] = x_k[:, index[1]] if name == "W" else (Fraction(1) if arithmetic == "exact" else 1.0)
    for m in range(k + 1, K + 1):
        layer = layers[m - 1]
        x_m, o = o, layer.forward(o)
        if fused and m == K:
            break
        t = tangent_through(layer, x_m, o, t)
        if arithmetic == "exact":
            check_size(t, f"the tangent at o{m}")
    if fused:
        loss.value(o, y)  # a dual number's value part: counted as reverse mode counts it
        delta = loss.fused_delta(o, y)
    else:
        _, delta = loss.value_and_delta(o, y)
    return (delta * t).sum()
