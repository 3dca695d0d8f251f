"""Piecewise-linear activations: ReLU and LeakyReLU (exact in both arithmetics)."""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from .. import latex as tex
from ..numbers import parse_number
from .base import Elementwise, Key, one, zero

AT_ZERO_HELP = "derivative at 0 (1 or 0)"


class ReLU(Elementwise):
    """L(X) = X if X ≥ 0 else 0; derivative 1 at exactly 0, as the article (``at_zero=0`` for the other convention)."""

    kind = "relu"
    keys = {"at_zero": Key(1, AT_ZERO_HELP, choices=(0, 1))}

    def __init__(self, size: int, at_zero: int = 1):
        super().__init__(size)
        if at_zero not in (0, 1):
            raise ValueError("ReLU's derivative at 0 must be 0 or 1")
        self.at_zero = at_zero

    def _open(self, x):
        return (x >= 0) if self.at_zero == 1 else (x > 0)

    def forward(self, x):
        return np.where(x >= 0, x, zero(x))

    def derivative(self, x, y):
        return np.where(self._open(x), one(x), zero(x)).astype(x.dtype)

    def at_kink(self):
        return self.at_zero

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


class LeakyReLU(Elementwise):
    """L(X) = X if X ≥ 0 else slope·X; derivative 1 at exactly 0 (``at_zero=0``: the slope, as PyTorch)."""

    kind = "leaky_relu"
    keys = {"slope": Key(Fraction(1, 100), "slope for x < 0 (e.g. 1/100)", always=True),
            "at_zero": Key(1, "derivative at 0 (1, or 0 for the slope)", choices=(0, 1))}

    def __init__(self, size: int, slope=Fraction(1, 100), at_zero: int = 1):
        super().__init__(size)
        if at_zero not in (0, 1):
            raise ValueError("LeakyReLU's at_zero must be 0 or 1")
        self.slope = parse_number(slope)
        self.at_zero = at_zero

    def _slope(self, x):
        return self.slope if x.dtype == object else float(self.slope)

    def forward(self, x):
        return np.where(x >= 0, x, self._slope(x) * x)

    def derivative(self, x, y):
        steep = (x >= 0) if self.at_zero == 1 else (x > 0)
        return np.where(steep, one(x), self._slope(x)).astype(x.dtype)

    def at_kink(self):
        return 1 if self.at_zero == 1 else self.slope

    def derivative_tex(self, k):
        rel = "\\geq" if self.at_zero == 1 else ">"
        return f"(1 \\text{{ if }} {tex.output(k - 1)} {rel} 0 \\text{{ else }} {tex.number(self.slope)})"

    def forward_formula(self, k):
        return f"{tex.output(k)} = \\max({tex.output(k - 1)}, {tex.number(self.slope)}\\,{tex.output(k - 1)})"


LAYERS = (ReLU, LeakyReLU)
