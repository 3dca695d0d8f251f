"""What holds for the article's float trap on every machine.

In float64, o2 = w · (0, 2000, 3000) is a tiny negative number instead of 0, but its
digits depend on the BLAS kernel that computes the dot product: -1.11022e-16 with
OpenBLAS's Prescott and Haswell kernels, -7.41594e-17 with SkylakeX (AVX-512). Tests
assert what every kernel gives: negative and below 1e-15 in size, so the ReLU gate
closes and δ3 = 0.
"""
from __future__ import annotations

import re

# A number as the app writes it, in plain text (-1.11022e-16) or in LaTeX
# (-1.11022 \times 10^{-16}).
_SHOWN = r"(-?\d+(?:\.\d+)?)(?:e([+-]?\d+)| \\times 10\^\{(-?\d+)\})?"


def shown_value(text: str) -> float:
    """The number at the start of ``text``, in either of the app's notations."""
    m = re.match(_SHOWN, text.strip())
    assert m, f"no number at the start of {text[:60]!r}"
    mantissa, exp1, exp2 = m.groups()
    return float(mantissa) * 10.0 ** int(exp1 or exp2 or 0)


def is_float_trap(value: float) -> bool:
    """The float trap's o2 on any machine: negative, and tiny (|o2| < 1e-15)."""
    return value < 0 and abs(value) < 1e-15


def float_trap_after(prefix: str, text: str) -> bool:
    """Whether ``text`` shows ``prefix`` followed by the float trap's value somewhere
    (the boxed formula's ``\\mathbb{1}[o^{2}`` has the same prefix and no number)."""
    pieces = text.split(prefix)[1:]
    return any(re.match(_SHOWN, p) and is_float_trap(shown_value(p)) for p in pieces)
