"""Losses. ``value(o, y)`` gives one loss per sample; the batch loss is their mean,
so ``delta(o, y)`` (the learning flow δ^{K+1} entering the model from the loss)
carries the factor 1/n of the batch-learning chapter."""
from __future__ import annotations

from fractions import Fraction
from typing import ClassVar

import numpy as np

from . import latex as tex
from .numbers import require_float

EPS = 1e-12  # keeps log away from 0 in binary cross-entropy


class Loss:
    kind: ClassVar[str] = ""  # its name in a model file ("loss")
    title: ClassVar[str] = ""  # its label in the views and on the Build page
    exact_ok: ClassVar[bool] = True  # False: needs exp or log, refused in exact arithmetic
    # A loss that clips its input hides an inf there, and the value it reports is not
    # the true one: training checks its input and asks :meth:`unclipped_infinite`.
    clips: ClassVar[bool] = False
    clip_loss: ClassVar[float] = float("inf")  # one term's loss at the clip
    # The kind of a last layer whose backward the loss does itself (PyTorch's
    # BCEWithLogitsLoss): the passes then take δ^K from :meth:`fused_delta`.
    fuses_with: ClassVar[str | None] = None

    def unclipped_infinite(self, o: np.ndarray, y: np.ndarray) -> str | None:
        """Why the loss would be infinite without its clipping, or None (float only)."""
        return None

    def value(self, o: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Loss of each sample, shape (batch,)."""
        raise NotImplementedError

    def delta(self, o: np.ndarray, y: np.ndarray) -> np.ndarray:
        """∂(mean loss)/∂o, shape of o: each row carries 1/n."""
        raise NotImplementedError

    def value_and_delta(self, o: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Both at once, as ``value`` and ``delta`` give them (the same bits): the
        passes need both, and a loss whose two share a term (o − y, a clip, a
        log-softmax) computes it once. At a batch of 200 each numpy call is ~1 µs."""
        return self.value(o, y), self.delta(o, y)

    def fused_delta(self, o: np.ndarray, y: np.ndarray) -> np.ndarray:
        """∂(mean loss)/∂(the input of the fused last layer), from that layer's output o."""
        raise NotImplementedError

    def fused_value(self, z: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Loss of each sample from the fused last layer's input z (the gradient check's
        function, whose derivative :meth:`fused_delta` is)."""
        raise NotImplementedError

    def not_smooth(self, o: np.ndarray, y: np.ndarray, near: np.ndarray):
        """Where the gradient check cannot judge δ^{K+1}: (mask of o within ``near`` of
        such a point, note(i, j) for one of them), or None."""
        return None

    def formula(self, k: int) -> str:
        raise NotImplementedError

    def forward_formula(self, k: int) -> str:
        raise NotImplementedError

    def substituted(self, k, o_row, y_row, delta_row, n: int) -> str:
        scale = "" if n == 1 else f"\\frac{{1}}{{{n}}} \\cdot "
        return f"{tex.delta(k)} = {scale}\\ldots = {tex.vector(delta_row)}"


def _n(o):
    return o.shape[0]


def _row_sums(a):
    """``a.sum(axis=1)``, skipped for one column (a sum of one number is that number;
    callers pass terms that are never -0.0, which the sum would turn into +0.0)."""
    return a[:, 0] if a.shape[1] == 1 else a.sum(axis=1)


class HalfSquaredError(Loss):
    """The article's Loss(X, y) = ½ Σ (X − y)²; δ = X − y."""

    kind = "half_squared_error"
    title = "½(x − y)²"

    def value(self, o, y):
        d = o - y
        return _row_sums(d * d) / 2  # squares: never -0.0

    def delta(self, o, y):
        return (o - y) / _n(o)

    def value_and_delta(self, o, y):
        d = o - y
        return _row_sums(d * d) / 2, d / _n(o)

    def formula(self, k):
        return tex.boxed(f"{tex.delta(k)} = {tex.output(k - 1)} - y^{{truth}}")

    def forward_formula(self, k):
        return f"loss = \\tfrac{{1}}{{2}}({tex.output(k - 1)} - y^{{truth}})^2"

    def substituted(self, k, o_row, y_row, delta_row, n):
        scale = "" if n == 1 else f"\\frac{{1}}{{{n}}} \\cdot "
        return (f"{tex.delta(k)} = {scale}({tex.vector(o_row)} - {tex.vector(y_row)})"
                f" = {tex.vector(delta_row)}")


class MSE(Loss):
    """Mean over the outputs of (X − y)²."""

    kind = "mse"
    title = "mean squared error"

    def value(self, o, y):
        d = o - y
        return _row_sums(d * d) / o.shape[1]

    def delta(self, o, y):
        return 2 * (o - y) / (o.shape[1] * _n(o))

    def value_and_delta(self, o, y):
        d = o - y
        return _row_sums(d * d) / o.shape[1], 2 * d / (o.shape[1] * _n(o))

    def formula(self, k):
        return tex.boxed(f"{tex.delta(k)} = \\tfrac{{2}}{{m}}({tex.output(k - 1)} - y^{{truth}})")

    def forward_formula(self, k):
        return f"loss = \\tfrac{{1}}{{m}}\\sum_j ({tex.output(k - 1)}_j - y_j)^2"


class MAE(Loss):
    """Mean over the outputs of |X − y|; its derivative at 0 is taken as 0."""

    kind = "mae"
    title = "mean absolute error"

    def value(self, o, y):
        d = o - y
        return np.where(d >= 0, d, -d).sum(axis=1) / o.shape[1]

    def delta(self, o, y):
        d = o - y
        # A Fraction, not int 1: int / int would turn exact δ into floats.
        one = d.dtype.type(1) if d.dtype != object else Fraction(1)
        sign = np.where(d > 0, one, np.where(d < 0, -one, 0 * one))
        return sign / (o.shape[1] * _n(o))

    def not_smooth(self, o, y, near):
        return np.abs(o - y) < near, lambda i, j: (
            f"Loss (mae) sample {i + 1}, component {j + 1}: o = y, where |o − y| is "
            "not differentiable; the engine uses 0")

    def formula(self, k):
        return tex.boxed(f"{tex.delta(k)} = \\tfrac{{1}}{{m}}\\,\\mathrm{{sign}}({tex.output(k - 1)} - y^{{truth}})")

    def forward_formula(self, k):
        return f"loss = \\tfrac{{1}}{{m}}\\sum_j |{tex.output(k - 1)}_j - y_j|"


class BinaryCrossEntropy(Loss):
    """−[y log X + (1 − y) log(1 − X)], X a probability (after a Sigmoid).

    Its δ (shown on the loss's edge) differentiates the clipped X. After a Sigmoid,
    whose input is z, the loss fuses with it: δ at z is (σ(z) − y)/(m·n), the exact
    derivative, where the clipped one times σ'(z) goes wrong once X is within 1e-12
    of 0 or 1 (at X = 1 − 1e-15 it gives 1e-3 instead of 1)."""

    kind = "binary_cross_entropy"
    title = "binary cross-entropy"
    exact_ok = False
    clips = True
    clip_loss = float(-np.log(EPS))  # a term's value at the clip: 27.6
    fuses_with = "sigmoid"

    def unclipped_infinite(self, o, y):
        # Cheap first (training asks every step): a probability strictly inside (0, 1) has a finite log.
        if o.min() > 0 and o.max() < 1:
            return None
        wrong = ((o <= 0) & (y > 0)) | ((o >= 1) & (y < 1))
        if not wrong.any():
            return None
        i, j = (int(v) for v in np.argwhere(wrong)[0])
        return (f"it is exactly {o[i, j]:.3g} in row {i + 1} of the batch, column {j + 1}, where the truth is "
                f"{y[i, j]:.3g}, so the loss is infinite (log 0; the clip at {EPS:g} would show {-np.log(EPS):.3g}) and no "
                "gradient flows back through it")

    def _clipped(self, o):
        require_float(o, "binary cross-entropy (it needs log)")
        # np.clip's bits (nan stays nan) for half its cost on small arrays
        return np.minimum(np.maximum(o, EPS), 1 - EPS)

    def _value(self, p, y, m):
        # Each sample's terms: y·log p is -0.0 only when y = 0, and then
        # (1 − y)·log(1 − p) < 0, so their sum is never -0.0 (see _row_sums).
        s = -_row_sums(y * np.log(p) + (1 - y) * np.log1p(-p))
        return s if m == 1 else s / m  # x / 1 is x: a call saved

    def value(self, o, y):
        return self._value(self._clipped(o), y, o.shape[1])

    def delta(self, o, y):
        p = self._clipped(o)
        return (p - y) / (p * (1 - p)) / (o.shape[1] * _n(o))

    def value_and_delta(self, o, y):
        p = self._clipped(o)
        return self._value(p, y, o.shape[1]), (p - y) / (p * (1 - p)) / (o.shape[1] * _n(o))

    def fused_delta(self, o, y):
        return (o - y) / (o.shape[1] * _n(o))

    def fused_value(self, z, y):
        # −[y log σ(z) + (1 − y) log(1 − σ(z))] = softplus(z) − y·z: no clip, no overflow
        require_float(z, "binary cross-entropy (it needs log)")
        return (np.logaddexp(0.0, z) - y * z).sum(axis=1) / z.shape[1]

    def not_smooth(self, o, y, near):
        return np.minimum(o, 1 - o) < near, lambda i, j: (
            f"Loss (binary_cross_entropy) sample {i + 1}, component {j + 1}: the probability "
            f"{o[i, j]:.6g} is within a step of 0 or 1, where log is singular (and clipped at "
            "1e-12): finite differences are not reliable there")

    def formula(self, k):
        o = tex.output(k - 1)
        return tex.boxed(f"{tex.delta(k)} = \\frac{{{o} - y^{{truth}}}}{{{o}(1 - {o})}}")

    def forward_formula(self, k):
        o = tex.output(k - 1)
        return f"loss = -[y \\log {o} + (1 - y)\\log(1 - {o})]"


class SoftmaxCrossEntropy(Loss):
    """Softmax of the logits X then cross-entropy, fused: δ = softmax(X) − y."""

    kind = "softmax_cross_entropy"
    title = "softmax cross-entropy"
    exact_ok = False

    def _log_softmax(self, o):
        z = o - o.max(axis=1, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=1, keepdims=True))

    def value(self, o, y):
        require_float(o, "softmax cross-entropy (it needs exp and log)")
        return -(y * self._log_softmax(o)).sum(axis=1)

    def delta(self, o, y):
        require_float(o, "softmax cross-entropy (it needs exp and log)")
        return (np.exp(self._log_softmax(o)) - y) / _n(o)

    def value_and_delta(self, o, y):
        require_float(o, "softmax cross-entropy (it needs exp and log)")
        log_p = self._log_softmax(o)  # the shared term: shift, exp, sum, log
        return -(y * log_p).sum(axis=1), (np.exp(log_p) - y) / _n(o)

    def formula(self, k):
        return tex.boxed(f"{tex.delta(k)} = \\mathrm{{softmax}}({tex.output(k - 1)}) - y^{{truth}}")

    def forward_formula(self, k):
        return f"loss = -\\sum_j y_j \\log \\mathrm{{softmax}}({tex.output(k - 1)})_j"


LOSSES: dict[str, type[Loss]] = {cls.kind: cls for cls in
                                 (HalfSquaredError, MSE, MAE, BinaryCrossEntropy, SoftmaxCrossEntropy)}
