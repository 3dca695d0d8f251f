"""Element-wise and vector activations: ReLU, LeakyReLU, Sigmoid, Tanh, Softmax."""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from . import latex as tex
from .layers import Layer
from .numbers import arithmetic_of, parse_number, require_float, zeros


class Elementwise(Layer):
    """An activation applied component by component: its Jacobian is diagonal."""

    def derivative(self, x, y):
        """∂L/∂X component-wise, shape of x."""
        raise NotImplementedError

    def backward(self, x, y, delta_out):
        return delta_out * self.derivative(x, y)

    def jacobian(self, x_row, y_row):
        x_row, y_row = np.asarray(x_row), np.asarray(y_row)
        j = zeros((self.size_out, self.size_in), arithmetic_of(x_row))
        j[np.diag_indices(self.size_in)] = self.derivative(x_row, y_row)
        return j

    def derivative_tex(self, k: int) -> str:
        raise NotImplementedError

    def formula(self, k):
        return tex.boxed(f"{tex.delta(k)} = {tex.delta(k + 1)} \\odot {self.derivative_tex(k)}")

    def substituted(self, k, x_row, y_row, delta_out_row, delta_in_row):
        der = self.derivative(np.asarray(x_row), np.asarray(y_row))
        op = "\\cdot" if np.size(x_row) == 1 else "\\odot"
        return (f"{tex.delta(k)} = {tex.factor(delta_out_row)} {op} {tex.vector(der)}"
                f" = {tex.vector(delta_in_row)}")


def _one(x):
    return Fraction(1) if x.dtype == object else 1.0


def _zero(x):
    # A true 0 of the backend (never -0.0, never a plain int among Fractions).
    return Fraction(0) if x.dtype == object else 0.0


class ReLU(Elementwise):
    """L(X) = X if X ≥ 0 else 0; derivative 1 at exactly 0, as the article (``at_zero=0`` for the other convention)."""

    kind = "relu"

    def __init__(self, size: int, at_zero: int = 1):
        super().__init__(size)
        if at_zero not in (0, 1):
            raise ValueError("ReLU's derivative at 0 must be 0 or 1")
        self.at_zero = at_zero

    def _open(self, x):
        return (x >= 0) if self.at_zero == 1 else (x > 0)

    def forward(self, x):
        return np.where(x >= 0, x, _zero(x))

    def derivative(self, x, y):
        return np.where(self._open(x), _one(x), _zero(x)).astype(x.dtype)

    def derivative_tex(self, k):
        rel = "\\geq" if self.at_zero == 1 else ">"
        return f"\\mathbb{{1}}[{tex.output(k - 1)} {rel} 0]"

    def substituted(self, k, x_row, y_row, delta_out_row, delta_in_row):
        rel = "\\geq" if self.at_zero == 1 else ">"
        op = "\\cdot" if np.size(x_row) == 1 else "\\odot"
        return (f"{tex.delta(k)} = {tex.factor(delta_out_row)} {op} \\mathbb{{1}}[{tex.vector(x_row)} {rel} 0]"
                f" = {tex.vector(delta_in_row)}")

    def forward_formula(self, k):
        return f"{tex.output(k)} = \\max({tex.output(k - 1)}, 0)"

    def spec(self):
        out = super().spec()
        if self.at_zero != 1:
            out["at_zero"] = self.at_zero
        return out


class LeakyReLU(Elementwise):
    """L(X) = X if X ≥ 0 else slope·X."""

    kind = "leaky_relu"

    def __init__(self, size: int, slope=Fraction(1, 100)):
        super().__init__(size)
        self.slope = parse_number(slope)

    def _slope(self, x):
        return self.slope if x.dtype == object else float(self.slope)

    def forward(self, x):
        return np.where(x >= 0, x, self._slope(x) * x)

    def derivative(self, x, y):
        return np.where(x >= 0, _one(x), self._slope(x)).astype(x.dtype)

    def derivative_tex(self, k):
        return f"(1 \\text{{ if }} {tex.output(k - 1)} \\geq 0 \\text{{ else }} {tex.number(self.slope)})"

    def forward_formula(self, k):
        return f"{tex.output(k)} = \\max({tex.output(k - 1)}, {tex.number(self.slope)}\\,{tex.output(k - 1)})"

    def spec(self):
        return {**super().spec(), "slope": float(self.slope)}


class Sigmoid(Elementwise):
    """L(X) = 1 / (1 + e^{-X}), computed without overflow for large |X|."""

    kind = "sigmoid"

    def forward(self, x):
        require_float(x, "Sigmoid (it needs exp)")
        # exp of a negative number only: never overflows.
        e = np.exp(-np.abs(x))
        d = 1 + e  # once: at a batch of 200 each numpy call is ~1 µs
        return np.where(x >= 0, 1 / d, e / d)

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


class Softmax(Layer):
    """L(X)_i = e^{X_i} / Σ_j e^{X_j}; its Jacobian is full: diag(o) − o oᵀ."""

    kind = "softmax"

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
