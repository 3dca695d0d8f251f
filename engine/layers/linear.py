"""Layers with weights or structure: Input (identity) and Linear."""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from .. import latex as tex
from .. import limits
from ..spec_json import SpecError, kind_of, read_integer, read_numbers, read_object, read_shape, shown
from ..numbers import arithmetic_of, to_array, zeros
from .base import Key, Layer

INIT_SCHEMES = ("xavier", "he")


class Input(Layer):
    """L(X) = X: the identity, where the data enters the model."""

    kind = "input"
    sized = True

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
    sized = True
    # Read and written by from_entry and to_entry below; Build edits them in its own tables.
    keys = {"bias": Key(False, "false, true or one number per output", option=False),
            "weights": Key(None, "(out, in) rows of numbers", option=False),
            "init": Key(None, '{"scheme": "xavier" | "he", "seed": S}', option=False)}

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
        # δ^k only: δw^k and δb^k are steps of their own (param_formula), and the
        # panel must not show a gradient the learning flow has not reached yet.
        return tex.boxed(f"{tex.delta(k)} = {tex.delta(k + 1)} \\cdot W^{{{k}}}")

    def substituted(self, k, x_row, y_row, delta_out_row, delta_in_row):
        w = self.params["W"]
        return f"{tex.delta(k)} = {tex.factor(delta_out_row)} \\cdot {tex.matrix(w)} = {tex.vector(delta_in_row)}"

    def param_formula(self, k, name):
        d = tex.delta
        if name == "b":
            return tex.boxed(f"\\delta b^{{{k}}} = {d(k + 1)}")
        return tex.boxed(f"\\delta w^{{{k}}} = {d(k + 1)} \\otimes {tex.output(k - 1)}")

    def param_substituted(self, k, name, x_row, delta_out_row):
        if name == "b":
            return f"\\delta b^{{{k}}} = {tex.vector(delta_out_row)}"
        dw = np.outer(delta_out_row, x_row)
        return f"\\delta w^{{{k}}} = {tex.factor(delta_out_row)} \\otimes {tex.vector(x_row)} = {tex.matrix(dw)}"

    def forward_formula(self, k):
        b = f" + b^{{{k}}}" if self.has_bias else ""
        return f"{tex.output(k)} = W^{{{k}}} \\cdot {tex.output(k - 1)}{b}"

    def to_entry(self):
        return {"type": self.kind, "size": self.size_out,
                "bias": self.params["b"] if self.has_bias else False, "weights": self.params["W"]}

    @classmethod
    def from_entry(cls, item, k, size_in, size_out, arithmetic):
        where = f"layer {k}"
        if size_in * size_out > limits.MAX_PARAMETERS:  # refuse before drawing or parsing them
            raise SpecError(f"{where}: {size_in} × {size_out} weights; at most {limits.MAX_PARAMETERS:,} in a model")
        if "weights" in item and "init" in item:
            raise SpecError(f"{where}: give either weights or init, not both")
        if "weights" in item:
            shape = read_shape(item["weights"], f"{where}: weights")
            if shape != (size_out, size_in):
                raise SpecError(f"{where}: weights have shape {shape}, expected {(size_out, size_in)}"
                                " (out, in) like PyTorch")
            weights = read_numbers(item["weights"], f"{where}: weights", arithmetic)
        else:
            init = item.get("init", {})
            read_object(init, f"{where}: init", required=(), optional=("scheme", "seed"))
            scheme = init.get("scheme", "xavier")
            if scheme not in INIT_SCHEMES:
                raise SpecError(f"{where}: init scheme must be one of {', '.join(INIT_SCHEMES)},"
                                f" got {shown(scheme)}")
            seed = read_integer(init.get("seed", 0), f"{where}: init seed", 0, 2 ** 32 - 1,
                                "it must be below 2^32")
            weights = initial_weights(size_in, size_out, scheme=scheme, seed=seed, layer=k)
            if arithmetic == "exact":
                weights = np.vectorize(lambda v: Fraction(repr(v)), otypes=[object])(weights)
        bias = item.get("bias", False)
        if isinstance(bias, bool):
            bias = np.zeros(size_out) if bias else None
            if bias is not None and arithmetic == "exact":
                bias = np.array([Fraction(0)] * size_out, dtype=object)
        elif isinstance(bias, list):
            if len(bias) != size_out:
                raise SpecError(f"{where}: bias has {len(bias)} values, expected {size_out}")
            bias = read_numbers([bias], f"{where}: bias", arithmetic)[0]
        else:
            raise SpecError(f"{where}: bias must be true, false or a list of numbers, got {kind_of(bias)}")
        return Linear(size_in, size_out, weights, bias, arithmetic=arithmetic)


def initial_weights(size_in: int, size_out: int, *, scheme: str = "xavier", seed: int = 0,
                    layer: int = 0) -> np.ndarray:
    """Seeded normal weights (out, in): Xavier std √(2/(in+out)) or He std √(2/in).

    Rounded to 4 decimals so the same file gives the same weights in both arithmetics
    and exact fractions stay short. Each layer number draws from its own stream.
    """
    std = np.sqrt(2 / (size_in + size_out)) if scheme == "xavier" else np.sqrt(2 / size_in)
    rng = np.random.default_rng([seed, layer])
    return np.round(rng.normal(0.0, std, size=(size_out, size_in)), 4)


LAYERS = (Input, Linear)
