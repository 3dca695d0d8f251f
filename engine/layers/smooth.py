"""Smooth element-wise activations built on exp: Sigmoid, Tanh, Softplus (float only: exp has no exact value)."""
from __future__ import annotations

import numpy as np

from .. import latex as tex
from ..numbers import require_float
from .base import Elementwise


def _sigmoid(x):
    """σ(x) = 1 / (1 + e^{-x}) with exp of a negative number only: never overflows."""
    e = np.exp(-np.abs(x))
    d = 1 + e  # once: at a batch of 200 each numpy call is ~1 µs
    return np.where(x >= 0, 1 / d, e / d)


class Sigmoid(Elementwise):
    """L(X) = 1 / (1 + e^{-X}), computed without overflow for large |X|."""

    kind = "sigmoid"
    exact_ok = False

    def forward(self, x):
        require_float(x, "Sigmoid (it needs exp)")
        return _sigmoid(x)

    def derivative(self, x, y):
        return y * (1 - y)

    def backward(self, x, y, delta_out):
        return delta_out * (y * (1 - y))  # delta_out * derivative: one call fewer per step

    def derivative_tex(self, k):
        return f"{tex.output(k)} (1 - {tex.output(k)})"

    def forward_formula(self, k):
        return f"{tex.output(k)} = \\sigma({tex.output(k - 1)}) = \\frac{{1}}{{1 + e^{{-{tex.output(k - 1)}}}}}"


class Tanh(Elementwise):
    """L(X) = tanh(X)."""

    kind = "tanh"
    exact_ok = False

    def forward(self, x):
        require_float(x, "Tanh")
        return np.tanh(x)

    def derivative(self, x, y):
        return 1 - y * y

    def backward(self, x, y, delta_out):
        return delta_out * (1 - y * y)  # delta_out * derivative: one call fewer per step

    def derivative_tex(self, k):
        return f"(1 - ({tex.output(k)})^2)"

    def forward_formula(self, k):
        return f"{tex.output(k)} = \\tanh({tex.output(k - 1)})"


class Softplus(Elementwise):
    """L(X) = ln(1 + e^X), a smooth ReLU; its derivative is σ(X)."""

    kind = "softplus"
    exact_ok = False

    def forward(self, x):
        require_float(x, "Softplus (it needs exp and log)")
        return np.logaddexp(0.0, x)  # ln(e^0 + e^x) without overflow for large x

    def derivative(self, x, y):
        return _sigmoid(x)

    def derivative_tex(self, k):
        return f"\\sigma({tex.output(k - 1)})"

    def forward_formula(self, k):
        return f"{tex.output(k)} = \\ln(1 + e^{{{tex.output(k - 1)}}})"


LAYERS = (Sigmoid, Tanh, Softplus)
