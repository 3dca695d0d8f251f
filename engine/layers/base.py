"""The base of every layer: the maths it must give, and what it declares for the rest
of the app (its model-file entry, its exactness, its LaTeX, its label).

A layer is a small object with ``forward(x) -> y`` on a batch ``(batch, in)``,
``backward(x, y, delta_out) -> delta_in`` (the learning flow at its input),
``param_grads(x, delta_out)`` (δw summed over the batch), ``jacobian`` for one
sample (∂L^k/∂X^k, shape (out, in)) and its formulas in LaTeX. Layers never
mutate what they are given (the autograd.Function contract) and keep no state
between calls, so one model can be recorded by many threads.

Each class also declares, once, what the file reader and writer (engine/spec_layers.py,
engine/spec.py), the explanation (engine/explain.py), the views and the Build page read:
``kind`` (its ``"type"`` in a model file), ``exact_ok``, ``sized``, ``keys`` (the other
keys its entry accepts, with defaults), ``from_entry``/``to_entry`` and ``describe``.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar

import numpy as np

from .. import latex as tex
from ..spec_json import read_integer, read_number
from ..numbers import arithmetic_of, format_number, to_array, zeros


@dataclass(frozen=True)
class Key:
    """A key of a layer's file entry besides "type" and "size": its default, what it holds."""

    default: object
    help: str  # one phrase for the Build page's option column
    choices: tuple = ()  # whole numbers it may be (empty: any number, kept exact)
    always: bool = False  # written back to the file even at its default
    option: bool = True  # edited in the Build page's option column (False: by its own widgets)

    def read(self, value, where: str, arithmetic: str):
        """The value of a file entry, checked; SpecError names ``where``."""
        if self.choices:
            rule = "it must be " + " or ".join(str(c) for c in sorted(self.choices))
            return read_integer(value, where, min(self.choices), max(self.choices), rule)
        # A number stays a Fraction in both arithmetics (the layer converts it per pass);
        # read in the model's arithmetic so that float refuses a number it would make 0.
        return read_number(value, where, arithmetic)

    def text(self, value) -> str:
        """The value as the Build page's text."""
        return str(value) if self.choices else format_number(value)

    def from_text(self, text: str):
        """Build's text as the file's JSON value (the reader judges it)."""
        if self.choices and text in {str(c) for c in self.choices}:
            return int(text)
        return text


class Layer:
    """Base class: a layer with no parameters."""

    kind: ClassVar[str] = ""  # its "type" in a model file
    exact_ok: ClassVar[bool] = True  # False: needs exp or log, refused in exact arithmetic
    sized: ClassVar[bool] = False  # True: the file must give its size; else it keeps its input's
    keys: ClassVar[dict[str, Key]] = {}  # the other keys of its file entry, by name
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

    def at_kink(self):
        """The derivative it uses at 0 where it is not differentiable there; None if it is."""
        return None

    # text ----------------------------------------------------------------
    def formula(self, k: int) -> str:
        """The general boxed formula of δ^k, in the article's notation."""
        raise NotImplementedError

    def substituted(self, k: int, x_row, y_row, delta_out_row, delta_in_row) -> str:
        """The same formula with one sample's numbers."""
        raise NotImplementedError

    def forward_formula(self, k: int) -> str:
        return f"{tex.output(k)} = L^{{{k}}}({tex.output(k - 1)})"

    def param_formula(self, k: int, name: str) -> str:
        """The boxed formula of the gradient of parameter ``name`` ("W", "b"), for layers
        that have parameters: its own timeline step, after δ^k."""
        raise NotImplementedError

    def param_substituted(self, k: int, name: str, x_row, delta_out_row) -> str:
        """The same with one sample's numbers."""
        raise NotImplementedError

    def describe(self) -> str:
        """Its label in the views and on the Build page: "relu 3→3"."""
        return f"{self.kind} {self.size_in}→{self.size_out}"

    # model file ------------------------------------------------------------
    @classmethod
    def from_entry(cls, entry: dict, k: int, size_in: int | None, size: int, arithmetic: str) -> "Layer":
        """Layer k of a file, from its entry whose type, keys and size engine/spec_layers.py checked."""
        return cls(size, **{name: key.read(entry.get(name, key.default), f"layer {k}: {name}", arithmetic)
                            for name, key in cls.keys.items()})

    def to_entry(self) -> dict:
        """Its file entry; numbers and arrays as they are (engine/spec.py writes them as JSON)."""
        entry = {"type": self.kind}
        if self.sized:
            entry["size"] = self.size_out
        for name, key in self.keys.items():
            value = getattr(self, name)
            if key.always or value != key.default:
                entry[name] = value
        return entry

    # bookkeeping ---------------------------------------------------------
    def cast(self, arithmetic: str) -> "Layer":
        """A copy whose parameters use the given arithmetic."""
        import copy
        new = copy.copy(self)
        new.params = {name: to_array(p, arithmetic) for name, p in self.params.items()}
        return new


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


def one(x):
    return Fraction(1) if x.dtype == object else 1.0


def zero(x):
    # A true 0 of the backend (never -0.0, never a plain int among Fractions).
    return Fraction(0) if x.dtype == object else 0.0
