"""How training notices that it diverged, and says where.

Float training stops at the first step whose values are not finite: the loss, a
gradient, or a hidden value. Checking the gradients is not enough, because some
layers hide what came before them: ReLU turns -inf and nan into 0, Sigmoid and Tanh
turn ±inf into 0, 1 or ±1, and a clipping loss (binary cross-entropy) turns a
probability of exactly 0 into 1e-12. Behind each of them the gradient is exactly 0,
so training would go on, silently stuck. Exact training stops when a value leaves
float64's range (:class:`engine.passes.FloatRangeError`), since every exact value must
also be shown in float.
"""
from __future__ import annotations

import math

import numpy as np

from .passes import FloatRangeError, output_name
from .record import passes

# Layers whose output is finite for an infinite or nan input (see the module docstring).
HIDING_KINDS = frozenset({"relu", "sigmoid", "tanh"})


class Watch:
    """What a float step checks besides the loss and the gradients, made once per run.

    ``outputs``: the o^k that a later layer or the loss could hide. Each is checked with
    one BLAS dot, o·o (~0.4 µs, half an isfinite): inf or nan makes it non-finite; so do
    finite values past ~1e154, whose squares overflow, and only then is isfinite asked,
    so that a finite value never stops training. An output of a hiding layer is finite
    when its input is, so it is never checked itself.

    ``floor``: for a clipping loss, how large a sample's loss (times its outputs) must be
    before a probability can be exactly 0 or 1 on the wrong side, where the clip shows
    −log(1e-12) = 27.6 times the truth's share: below it (nearly every step) no
    search is made."""

    def __init__(self, layers, loss, y_all=None):
        K = len(layers)
        self.outputs = tuple(k for k in range(1, K + 1) if layers[k - 1].kind not in ("input", *HIDING_KINDS)
                             and (k == K and loss.clips or k < K and layers[k].kind in HIDING_KINDS))
        self.floor = None
        if loss.clips and y_all is not None:
            y = np.asarray(y_all, dtype=float)
            sides = np.concatenate([y[y > 0], 1 - y[y < 1]])
            share = min(1.0, float(sides.min())) if sides.size else 1.0
            self.floor = 0.999 * share * loss.clip_loss  # 0.999: the rounding of the terms' sum

    def finite(self, outs, o, y, sample_losses, loss_fn, batch_loss: float) -> bool:
        """False if a hidden value or the unclipped loss is not finite (one step, float)."""
        if self.outputs:
            sq = 0.0
            vdot = np.vdot
            for k in self.outputs:
                sq += vdot(outs[k], outs[k])
            if not math.isfinite(sq) and not all(np.isfinite(outs[k]).all() for k in self.outputs):
                return False
        floor = self.floor
        if floor is not None:
            m = o.shape[1]
            # the batch's sum first (free), then the largest sample's, then the search
            if (batch_loss * len(o) * m >= floor and sample_losses.max() * m >= floor
                    and loss_fn.unclipped_infinite(o, y) is not None):
                return False
        return True


def norms(grads, exact: bool, loss) -> tuple[dict[str, float], bool]:
    """L2 norm of each δw, and whether the loss and every gradient are finite."""
    if exact:
        # Each value is within float64's range (checked as it was made), but the sum of
        # their squares need not be: hypot scales, and only a norm past the range fails.
        out = {}
        for key, g in grads.items():
            out[key] = math.hypot(*map(float, g.flat))
            if math.isinf(out[key]):
                raise FloatRangeError(f"the norm of the gradient δ{key} is past float64's range (about 1.8e308)")
        return out, True
    # One BLAS dot per tensor, one isfinite for all: a nan or inf anywhere makes the
    # sum non-finite. Finite squares can also overflow the sum: that is divergence too,
    # and diagnose says which case it was.
    out = {}
    total = loss
    vdot, sqrt = np.vdot, math.sqrt
    for key, g in grads.items():
        # The same BLAS dot either way: a vector's own .dot is the cheapest call (0.26 µs
        # against vdot's 0.39); vdot flattens a matrix without a ravel (half of dot's cost).
        sq = float(g.dot(g) if g.ndim == 1 else vdot(g, g))
        total += sq  # Python floats: an overflow gives inf, as numpy's would
        out[key] = sqrt(sq)  # nan stays nan, inf stays inf
    return out, math.isfinite(total)


def advice(lr, step: int) -> str:
    if step == 1:  # nothing was learnt yet: the model itself overflows on this data
        return "; the weights as given overflow float64 on this data, before any update."
    return (f"; it diverged: the learning rate {lr} is probably too large. The history and model are kept"
            " from before it.")


def diagnose(model, weights, x, y, step, epoch, lr):
    """Find the first non-finite value in the order the passes compute them (float).

    Returns (message, rollback): rollback when the weights themselves were already
    non-finite (an update overflowed), so the previous step is undone too. The message
    names the step and the layer."""
    where = f"training stopped at step {step} (epoch {epoch}): "
    for key, w in weights.items():
        if not np.isfinite(w).all():
            return (where + f"the weights {key} became non-finite in the update of step {step - 1}"
                    + advice(lr, step)), True
    values, sample_losses, deltas, grads = passes(model.with_weights(weights), x, y)
    K = model.K
    for k in range(1, K + 1):
        if not np.isfinite(values[k]).all():
            return where + f"{output_name(model, k)}, is not finite" + _hidden(model, k) + advice(lr, step), False
    if not np.isfinite(sample_losses).all():
        return (where + f"the loss ({model.loss.kind}) of {output_name(model, K)}, is not finite"
                + advice(lr, step)), False
    why = model.loss.unclipped_infinite(values[K], y)
    if why:
        return where + f"{output_name(model, K)}, saturated: {why}" + advice(lr, step), False
    # Backward order: δ^{k+1}, then δw^k (made from it), then δ^k.
    for k in range(K + 1, 0, -1):
        if not np.isfinite(deltas[k]).all():
            return where + f"δ{k}, the learning flow on X{k}, is not finite" + advice(lr, step), False
        for name in model.layer(k - 1).params if k > 1 else ():
            if not np.isfinite(grads[f"{name}{k - 1}"]).all():
                return (where + f"the gradient δ{name.lower()}{k - 1} of {name}{k - 1} is not finite"
                        + advice(lr, step)), False
    key = next((k for k, g in grads.items() if not np.isfinite(np.dot(g.ravel(), g.ravel()))), None)
    if key is None:  # the finite squares only overflowed in their sum with the loss
        key = max(grads, key=lambda k: float(np.abs(grads[k]).max()))
    return (where + f"the norm of the gradient δ{key} overflowed (values up to "
            f"{float(np.abs(grads[key]).max()):.3g})" + advice(lr, step)), False


def _hidden(model, k: int) -> str:
    """Why training saw no nan or inf after o^k: the layer or loss that hid it."""
    if k < model.K and model.layer(k + 1).kind in HIDING_KINDS:
        return (f" (L{k + 1}, {model.layer(k + 1).kind}, turns it into a finite value with a zero gradient,"
                " so the loss did not show it)")
    if k == model.K and model.loss.clips:
        return f" (the loss, {model.loss.kind}, clips it, so its value did not show it)"
    return ""
