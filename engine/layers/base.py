"""Layers with weights or structure: Input (identity) and Linear.

A layer is a small object with ``forward(x) -> y`` on a batch ``(batch, in)``,
``backward(x, y, delta_out) -> delta_in`` (the learning flow at its input),
``param_grads(x, delta_out)`` (δw summed over the batch), ``jacobian`` for one
sample (∂L^k/∂X^k, shape (out, in)) and its formulas in LaTeX. Layers never
mutate what they are given (the autograd.Function contract) and keep no state
between calls, so one model can be recorded by many threads.
"""
from __future__ import annotations

from typing import ClassVar

import numpy as np

from . import latex as tex
from .numbers import arithmetic_of, to_array, zeros


class Layer:
    """Base class: a layer with no parameters."""

    kind: ClassVar[str] = ""
    size_in: int
    size_out: int

    def __init__(self, size: int):
        self.size_in = self.size_out = int(size)
        self.params: dict[str, np.ndarray] = {}

    # maths ---------------------------------------------------------------
    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, x: np.ndarray, y: np.ndarray, delta_out: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def param_grads(self, x: np.ndarray, delta_out: np.ndarray) -> dict[str, np.ndarray]:
        return {}

    def jacobian(self, x_row: np.ndarray, y_row: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    # text ----------------------------------------------------------------
    def formula(self, k: int) -> str:
        """The general boxed formula of δ^k, in the article's notation."""
        raise NotImplementedError

    def substituted(self, k: int, x_row, y_row, delta_out_row, delta_in_row) -> str:
        """The same formula with one sample's numbers."""
        raise NotImplementedError

    def forward_formula(self, k: int) -> str:
        return f"{tex.output(k)} = L^{{{k}}}({tex.output(k - 1)})"

    # bookkeeping ---------------------------------------------------------
    def cast(self, arithmetic: str) -> "Layer":
        """A copy whose parameters use the given arithmetic."""
        import copy
        new = copy.copy(self)
        new.params = {name: to_array(p, arithmetic) for name, p in self.params.items()}
        return new

    def spec(self) -> dict:
        return {"type": self.kind, "size": self.size_out}

    def describe(self) -> str:
        return f"{self.kind} {self.size_in}→{self.size_out}"


class Input(Layer):
    """L(X) = X: the identity, where the data enters the model."""

    kind = "input"

    def forward(self, x):
        return x.copy()

    def backward(self, x, y, delta_out):
        return delta_out.copy()

    def jacobian(self, x_row, y_row):
        j = zeros((self.size_out, self.size_in), arithmetic_of(np.asarray(x_row)))
        np.fill_diagonal(j, 1)
        return j

    def formula(self, k):
        return tex.boxed(f"{tex.delta(k)} = {tex.delta(k + 1)}")

    def substituted(self, k, x_row, y_row, delta_out_row, delta_in_row):
        return f"{tex.delta(k)} = {tex.delta(k + 1)} = {tex.vector(delta_in_row)}"

    def forward_formula(self, k):
        return f"{tex.output(k)} = {tex.output(k - 1)}"


class Linear(Layer):
    """L(X) = W·X (+ b), W of shape (out, in) like PyTorch."""

    kind = "linear"

    def __init__(self, size_in: int, size_out: int, weights, bias=None, arithmetic: str = "float"):
        self.size_in, self.size_out = int(size_in), int(size_out)
        w = to_array(weights, arithmetic)
        if w.shape != (self.size_out, self.size_in):
            raise ValueError(f"weights have shape {w.shape}, expected {(self.size_out, self.size_in)}")
        self.params = {"W": w}
        if bias is not None:
            b = to_array(bias, arithmetic)
            if b.shape != (self.size_out,):
                raise ValueError(f"bias has shape {b.shape}, expected {(self.size_out,)}")
            self.params["b"] = b

    @property
    def has_bias(self) -> bool:
        return "b" in self.params

    def forward(self, x):
        params = self.params
        y = x @ params["W"].T  # (batch, out)
        if "b" in params:
            y += params["b"]  # y is new: adding in place saves an array, never touches x
        return y

    def backward(self, x, y, delta_out):
        return delta_out @ self.params["W"]  # (batch, in)

    def param_grads(self, x, delta_out):
        grads = {"W": delta_out.T @ x}  # (out, in): Σ_n δ_n ⊗ x_n
        if "b" in self.params:  # has_bias without a property call: this runs every step
            grads["b"] = delta_out.sum(axis=0)
        return grads

    def jacobian(self, x_row, y_row):
        return self.params["W"].copy()

    def formula(self, k):
        d = tex.delta
        s = f"{d(k)} = {d(k + 1)} \\cdot W^{{{k}}}, \\quad \\delta w^{{{k}}} = {d(k + 1)} \\otimes {tex.output(k - 1)}"
        if self.has_bias:
            s += f", \\quad \\delta b^{{{k}}} = {d(k + 1)}"
        return tex.boxed(s)

    def substituted(self, k, x_row, y_row, delta_out_row, delta_in_row):
        w = self.params["W"]
        dw = np.outer(delta_out_row, x_row)
        return (f"{tex.delta(k)} = {tex.factor(delta_out_row)} \\cdot {tex.matrix(w)} = {tex.vector(delta_in_row)}"
                f", \\quad \\delta w^{{{k}}} = {tex.factor(delta_out_row)} \\otimes {tex.vector(x_row)} = {tex.matrix(dw)}")

    def forward_formula(self, k):
        b = f" + b^{{{k}}}" if self.has_bias else ""
        return f"{tex.output(k)} = W^{{{k}}} \\cdot {tex.output(k - 1)}{b}"

    def spec(self):
        out = {"type": self.kind, "size": self.size_out, "bias": self.has_bias}
        return out
