"""LaTeX pieces in the article's notation: numbers, vectors, matrices, symbols."""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from .numbers import format_number

MAX_SHOWN = 4  # components of a vector written out before "…"


def number(v) -> str:
    if isinstance(v, Fraction) and v.denominator != 1:
        sign = "-" if v < 0 else ""
        return f"{sign}\\frac{{{abs(v.numerator)}}}{{{v.denominator}}}"
    text = format_number(v)
    if "e" in text:
        mant, exp = text.split("e")
        return f"{mant} \\times 10^{{{int(exp)}}}"
    return text


def wrapped(v) -> str:
    """A number safe to multiply: negatives in parentheses."""
    s = number(v)
    return f"({s})" if s.startswith("-") else s


def vector(a) -> str:
    a = np.asarray(a).ravel()
    if a.size == 1:
        return number(a[0])
    parts = [number(v) for v in a[:MAX_SHOWN]]
    if a.size > MAX_SHOWN:
        parts.append(f"\\dots_{{({a.size})}}")
    return "(" + ", ".join(parts) + ")"


def factor(a) -> str:
    """A vector or scalar about to be multiplied: a negative scalar gets parentheses."""
    a = np.asarray(a).ravel()
    return wrapped(a[0]) if a.size == 1 else vector(a)


def matrix(a) -> str:
    a = np.atleast_2d(np.asarray(a))
    if a.shape[0] == 1:
        return vector(a[0])
    rows = [" & ".join(number(v) for v in row[:MAX_SHOWN]) + (" & \\dots" if row.size > MAX_SHOWN else "")
            for row in a[:MAX_SHOWN]]
    if a.shape[0] > MAX_SHOWN:
        rows.append("\\vdots")
    return "\\begin{pmatrix}" + " \\\\ ".join(rows) + "\\end{pmatrix}"


def delta(k: int) -> str:
    return f"\\delta^{{{k}}}"


def output(k: int) -> str:
    """o^{k}, with o^0 written x (the data entering L1)."""
    return "x" if k == 0 else f"o^{{{k}}}"


def boxed(s: str) -> str:
    return f"\\boxed{{{s}}}"
