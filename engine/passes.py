"""The forward pass then the backward pass of a model on a batch: one code for
recording (every output, every δ down to δ^1, every δw) and for training (what the
update needs: the δw, the loss, and the outputs training checks), in either
arithmetic.

Exact values are checked as they are made: past MAX_EXACT_DIGITS digits
(NotExactError) or past float64's range (FloatRangeError)."""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from .layers import Input
from .numbers import NotExactError, check_size


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


class Plan:
    """What the passes of one model structure call, and the names their checks give,
    looked up once: at a batch of 200 a step is ~40 numpy calls of ~1 µs each, so
    per-layer attribute lookups, type checks and f-strings showed in the step time.
    The functions are the layer classes' own (unbound), so one plan serves every model
    of the same structure (layer types and parameter names); ``run`` passes the layers.

    ``full``: recording, every δ down to δ^1. Otherwise training: nothing below the
    first layer with weights, whose δ no update reads.

    ``fused``: the loss does the last layer's backward (binary cross-entropy after a
    Sigmoid: δ^K = (o − y)/(m·n), exact where the clipped δ^{K+1} times σ' is not);
    a record still shows δ^{K+1}, the loss's own derivative; training skips it."""

    def __init__(self, layers, loss, full: bool):
        K = len(layers)
        lowest = 1 if full else next((k for k, layer in enumerate(layers, 1) if layer.params), K + 1)
        self.fused = loss.fuses_with is not None and K >= 1 and layers[-1].kind == loss.fuses_with
        self.full = full
        # (index, forward or None for the identity, whose copy would only cost time, name)
        self.forward = tuple((k - 1, None if type(layer) is Input else type(layer).forward,
                              output_name(layers, k)) for k, layer in enumerate(layers, 1))
        # (k, index, param_grads or None, ((name, key, label), …), backward or None for
        # the identity, through: whether δ^k is wanted)
        self.backward = tuple(
            (k, k - 1, type(layer).param_grads if layer.params else None,
             tuple((name, f"{name}{k}", f"the gradient δ{name.lower()}{k} of {name}{k}") for name in layer.params),
             None if type(layer) is Input else type(layer).backward, full or k > lowest)
            for k, layer in reversed(list(enumerate(layers, 1))) if k >= lowest and not (self.fused and k == K))
        self.K = K


def structure_key(model) -> tuple:
    """What a Plan (and a graph's nodes and edges) depend on: the layers' types and
    parameter names, the loss's type, and whether a penalty adds its node."""
    return (type(model.loss), model.penalty.active,
            *((type(layer), tuple(layer.params)) for layer in model.layers))


def run(plan: Plan, layers, loss, x: np.ndarray, y: np.ndarray, exact: bool):
    """Outputs o^0..o^K, each sample's loss, deltas δ^1..δ^{K+1} (index k; None where
    the plan computes none) and the gradients {"W2": δw², …} in backward order."""
    values = [x]
    o = x
    for i, forward, where in plan.forward:
        # The identity passes its input on as is: recorded arrays are read-only, so
        # o^1 and x (and δ^1 and δ^2) may be one array; a copy would only cost time.
        if forward is not None:
            o = forward(layers[i], o)
            if exact:
                check_size(o, where)
                check_float_range(o, where)
        values.append(o)
    K = plan.K
    deltas = [None] * (K + 2)
    if plan.fused:  # float only: the losses that fuse need log
        if plan.full:
            sample_losses, deltas[K + 1] = loss.value_and_delta(o, y)
        else:
            sample_losses = loss.value(o, y)
        delta = deltas[K] = loss.fused_delta(o, y)
    else:
        sample_losses, delta = loss.value_and_delta(o, y)
        deltas[K + 1] = delta
    if exact:
        check_float_range(sample_losses, f"the loss ({loss.kind})")
    grads = {}
    for k, i, param_grads, keys, backward, through in plan.backward:
        if param_grads is not None:
            found = param_grads(layers[i], values[i], delta)
            for name, key, label in keys:
                g = grads[key] = found[name]
                if exact:
                    check_float_range(g, label)
        if through:
            if backward is not None:
                delta = backward(layers[i], values[i], values[k], delta)
                if exact:
                    check_size(delta, f"δ{k}")
                    check_float_range(delta, f"δ{k}, the learning flow on X{k}")
            deltas[k] = delta
    return values, sample_losses, deltas, grads
