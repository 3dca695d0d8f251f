"""How the commands write numbers: JSON values and text rows, in either arithmetic.

Exact values are written as exact strings ("-3/580000"), whole ones as JSON integers:
a JSON number would be read back as a float, and the point of exact arithmetic is that
no digit is lost. Float values are JSON numbers. Every tensor keeps its shape as nested
lists."""
from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np

from ..numbers import format_number


def print_json(value, *, ensure_ascii: bool = True) -> None:
    """Print ``value`` as strict JSON. A float that is not finite (a diverged run's inf or
    NaN) is written null, as JavaScript's JSON.stringify writes it: Python's default
    ``Infinity`` and ``NaN`` are not JSON, and jq or a browser refuse the whole document."""
    print(json.dumps(_finite_or_null(value), allow_nan=False, ensure_ascii=ensure_ascii))


def _finite_or_null(v):
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: _finite_or_null(e) for k, e in v.items()}
    if isinstance(v, (list, tuple)):
        return [_finite_or_null(e) for e in v]
    return v


def json_number(v):
    """One number as JSON: a Fraction as "p/q" or an int, anything else as a float."""
    if isinstance(v, Fraction):
        return v.numerator if v.denominator == 1 else f"{v.numerator}/{v.denominator}"
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    return float(v)


def json_value(a):
    """A scalar or an array of any shape as JSON: nested lists of json_number."""
    if isinstance(a, np.ndarray):
        if a.dtype != object:
            return np.asarray(a, dtype=float).tolist()  # already floats, nested
        a = a.tolist()
    if isinstance(a, (list, tuple)):
        return [json_value(v) for v in a]
    return json_number(a)


def row(a) -> str:
    """A vector as text: "(0, 2000, 3000)"."""
    return "(" + ", ".join(format_number(v) for v in np.ravel(a)) + ")"
