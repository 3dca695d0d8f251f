"""Softmax: a vector activation whose Jacobian is full (float only: it needs exp)."""
from __future__ import annotations

import numpy as np

from .. import latex as tex
from ..numbers import require_float
from .base import Layer


class Softmax(Layer):
    """L(X)_i = e^{X_i} / Σ_j e^{X_j}; its Jacobian is full: diag(o) − o oᵀ."""

    kind = "softmax"
    exact_ok = False

    def forward(self, x):
        require_float(x, "Softmax (it needs exp)")
        z = x - x.max(axis=1, keepdims=True)  # shift: exp never overflows
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def backward(self, x, y, delta_out):
        # δ_in = J^T δ_out with J = diag(y) − y yᵀ, without building J per sample.
        return y * (delta_out - (delta_out * y).sum(axis=1, keepdims=True))

    def jacobian(self, x_row, y_row):
        y_row = np.asarray(y_row, dtype=float)
        return np.diag(y_row) - np.outer(y_row, y_row)

    def formula(self, k):
        o = tex.output(k)
        return tex.boxed(f"{tex.delta(k)} = {tex.delta(k + 1)} \\cdot (\\mathrm{{diag}}({o}) - {o}\\,{o}^{{\\top}})")

    def substituted(self, k, x_row, y_row, delta_out_row, delta_in_row):
        j = self.jacobian(x_row, y_row)
        return (f"{tex.delta(k)} = {tex.factor(delta_out_row)} \\cdot {tex.matrix(j)}"
                f" = {tex.vector(delta_in_row)}")

    def forward_formula(self, k):
        return f"{tex.output(k)} = \\mathrm{{softmax}}({tex.output(k - 1)})"


LAYERS = (Softmax,)
