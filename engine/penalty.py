"""L2 and L1 penalties on the weights: what training minimises besides the data loss.

The objective is ``loss + P`` with ``P = λ₂·½Σw² + λ₁·Σ|w|``, the sums over every weight
matrix ``W^k`` (the ``W`` of each linear layer), **not the biases**. Its gradient adds
``λ₂·w + λ₁·sign(w)`` to each δw, with sign(0) = 0: |w| has a kink at 0 and, as for
ReLU at 0, one value of its subgradient is chosen; 0 keeps a weight that is exactly 0
where it is (PyTorch's ``torch.sign`` and the gradient of ``abs`` give 0 there too).

The ½ makes λ₂ PyTorch's ``weight_decay``: ``SGD(weight_decay=λ₂)`` adds λ₂·w to the
gradient, the same step, but on every parameter given to it, biases too; the same
training in PyTorch puts the biases in a group of their own with ``weight_decay=0``.

A Penalty belongs to the Model (``Model.penalty``), so that a model file (key
``penalty``, docs/model-format.md), a share link and a training run all carry it. This
module is its one place: reading and writing its file entry, its value, its gradient,
its formulas; the passes (engine/record.py, engine/descent.py) call :func:`apply`.
"""
from __future__ import annotations

from dataclasses import dataclass
import numpy as np

from .numbers import check_size, format_number, parse_number, shown_number
from .spec_json import read_number

KEYS = ("l2", "l1")
# How every message names a λ: Train's, Build's and the Data page's fields, the CLI's
# --l2/--l1 and a model file's "penalty" entry all say the same (read_lambda).
NAMES = {"l2": "the L2 penalty λ₂", "l1": "the L1 penalty λ₁"}
EXAMPLES = "0.001, 1e-3 or 1/1000"  # a λ's hint: what it accepts (0.5, -3 or 1/200 would suggest a negative)


@dataclass(frozen=True)
class Penalty:
    """λ₂ and λ₁, each ≥ 0, in the model's arithmetic (a Fraction in exact, a float in float)."""

    l2: object = 0
    l1: object = 0

    @property
    def active(self) -> bool:
        return bool(self.l2) or bool(self.l1)

    def cast(self, arithmetic: str) -> "Penalty":
        if arithmetic == "exact":
            return Penalty(parse_number(self.l2), parse_number(self.l1))
        return Penalty(float(self.l2), float(self.l1))

    def to_entry(self) -> dict:
        """The file entry: only the λ that are not 0."""
        return {key: getattr(self, key) for key in KEYS if getattr(self, key)}

    def describe(self) -> str:
        """'λ₂ = 0.001, λ₁ = 0' as labels and captions write it."""
        return f"λ₂ = {format_number(self.l2)}, λ₁ = {format_number(self.l1)}"


NONE = Penalty()


def read_lambda(value, key: str, arithmetic: str):
    """λ₂ (``key`` "l2") or λ₁ ("l1") as typed or as a model file holds it (the number
    grammar of engine/numbers.py): a number ≥ 0 within float64's range (every value is
    shown in float too). ValueError otherwise, naming the λ as NAMES does: read as any
    number of a model file is (engine/spec_json.py: read_number), with a λ's examples."""
    f = read_number(value, NAMES[key], arithmetic, EXAMPLES)
    if f < 0:
        raise ValueError(f"{NAMES[key]} must be 0 or more, got {shown_number(value)}")
    return f if arithmetic == "exact" else float(f)


def penalty_of(l2, l1, arithmetic: str) -> Penalty:
    """A Penalty from two typed λ (text or numbers); ValueError naming the λ at fault."""
    return Penalty(read_lambda(l2, "l2", arithmetic), read_lambda(l1, "l1", arithmetic))


def weight_keys(layers) -> list[str]:
    """The penalised tensors: "W2", "W4", … (weight matrices; biases are not penalised)."""
    return [f"W{k}" for k, layer in enumerate(layers, 1) if "W" in layer.params]


def _sign(w: np.ndarray) -> np.ndarray:
    """sign(w) with sign(0) = 0, for float and Fraction arrays alike."""
    return (w > 0).astype(np.int64) - (w < 0).astype(np.int64)


def value(penalty: Penalty, layers):
    """P = λ₂·½Σw² + λ₁·Σ|w| over the weight matrices (0 without a penalty)."""
    total = 0
    for k, layer in enumerate(layers, 1):
        w = layer.params.get("W")
        if w is None:
            continue
        if penalty.l2:
            total = total + penalty.l2 * (w * w).sum() / 2
        if penalty.l1:
            total = total + penalty.l1 * np.abs(w).sum()
    return total


def gradient(penalty: Penalty, w: np.ndarray) -> np.ndarray:
    """∂P/∂w = λ₂·w + λ₁·sign(w) for one weight matrix."""
    g = penalty.l2 * w if penalty.l2 else w * 0
    if penalty.l1:
        g = g + penalty.l1 * _sign(w)
    return g


def apply(penalty: Penalty, layers, grads: dict, exact: bool):
    """Add the penalty's term to each weight matrix's gradient in ``grads`` (new arrays:
    recorded ones are read-only) and return (P, {"W2": its term, …}). Nothing without a
    penalty. Exact: NotExactError when a term grows too long (engine/numbers.py)."""
    if not penalty.active:
        return 0, {}
    terms = {}
    for k, layer in enumerate(layers, 1):
        w = layer.params.get("W")
        if w is None:
            continue
        key = f"W{k}"
        term = terms[key] = gradient(penalty, w)
        if key in grads:
            grads[key] = grads[key] + term
            if exact:
                check_size(grads[key], f"the gradient δw{k} with the penalty")
    return value(penalty, layers), terms


# formulas (engine/explain.py) ------------------------------------------------------

def formula(penalty: Penalty, keys) -> str:
    """P as LaTeX: the λ's terms over the named weight matrices."""
    from .latex import number
    ws = ", ".join(f"W^{{{key[1:]}}}" for key in keys) or "\\varnothing"
    parts = []
    if penalty.l2:
        parts.append(f"{number(penalty.l2)} \\cdot \\tfrac{{1}}{{2}} \\sum w^2")
    if penalty.l1:
        parts.append(f"{number(penalty.l1)} \\cdot \\sum |w|")
    return "P = " + " + ".join(parts) + f" \\quad (w \\in {ws}\\text{{; not the biases}})"


def gradient_formula(penalty: Penalty, k: int) -> str:
    """The penalty's term of δw^k as LaTeX: λ₂·W^k + λ₁·sign(W^k)."""
    from .latex import number
    parts = []
    if penalty.l2:
        parts.append(f"{number(penalty.l2)} \\cdot W^{{{k}}}")
    if penalty.l1:
        parts.append(f"{number(penalty.l1)} \\cdot \\operatorname{{sign}}(W^{{{k}}})")
    return " + ".join(parts)
