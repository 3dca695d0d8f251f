"""Arithmetic backends: float64 arrays, or exact rational arrays of ``Fraction``.

Exact arrays are numpy ``object`` arrays holding ``fractions.Fraction``; numpy's
``+ - * / @``, comparisons and ``np.where`` work on them unchanged, so a layer is
written once for both backends. Operations with no rational result (exp, log,
tanh) must call :func:`require_float` first, which says so instead of rounding.
"""
from __future__ import annotations

import re
from fractions import Fraction
from numbers import Rational, Real

import numpy as np

ARITHMETICS = ("float", "exact")

# Past this many digits in a numerator or denominator exact arithmetic stops:
# fractions can grow without bound during training and stall the server.
MAX_EXACT_DIGITS = 2000
# A number as text: "p/q" with p and q of up to MAX_EXACT_DIGITS digits, so that
# any exact number training can produce is written out and read back.
MAX_NUMBER_CHARS = 2 * MAX_EXACT_DIGITS + 10
# "1e-99999999" would make Fraction build 10**99999999: minutes of one core.
MAX_EXPONENT = 400
_EXPONENT = re.compile(r"[eE]\s*[+-]?\s*(\d+)")


class NotExactError(ValueError):
    """An operation has no exact rational result (exp, log, tanh, ...), exact fractions
    grew past MAX_EXACT_DIGITS, or an exact number is past float64's range."""


def parse_number(value) -> Fraction:
    """Read a number as written by a user: 3, -0.5, "1/200", "-3000/11600000", "1e-7".

    Floats are read through their shortest repr so that 0.1 means 1/10, the number
    the user typed, not the binary approximation.
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, Rational):
        return Fraction(value)
    if isinstance(value, Real):
        f = float(value)
        if not np.isfinite(f):
            raise ValueError(f"{value!r} is not a finite number")
        return Fraction(repr(f))
    if isinstance(value, str):
        text = value.strip()
        if not text or len(text) > MAX_NUMBER_CHARS:
            raise ValueError(f"{value[:40]!r} is not a number")
        m = _EXPONENT.search(text)
        if m and (len(m.group(1)) > 6 or int(m.group(1)) > MAX_EXPONENT):
            raise ValueError(f"{text[:40]!r} has an exponent past {MAX_EXPONENT}")
        try:
            return Fraction(text)
        except ZeroDivisionError:
            raise ValueError(f"{text!r} divides by zero") from None
        except ValueError:
            raise ValueError(f"{text[:40]!r} is not a number (use 0.5, -3 or 1/200)") from None
    raise ValueError(f"{str(value)[:40]!r} is not a number")


def to_array(values, arithmetic: str) -> np.ndarray:
    """Convert nested lists (numbers, strings, Fractions) or arrays to the backend's array."""
    if arithmetic == "float":
        arr = np.asarray(values)
        if arr.dtype.kind in "fiu":
            return arr.astype(np.float64)
        return np.vectorize(lambda v: _float(parse_number(v)), otypes=[np.float64])(arr)
    if arithmetic == "exact":
        arr = np.asarray(values, dtype=object)
        out = np.empty(arr.shape, dtype=object)
        for idx, v in np.ndenumerate(arr):
            out[idx] = parse_number(v)
        return out
    raise ValueError(f"unknown arithmetic {arithmetic!r}; expected one of {ARITHMETICS}")


def is_exact(a: np.ndarray) -> bool:
    return a.dtype == object


def arithmetic_of(a: np.ndarray) -> str:
    return "exact" if is_exact(a) else "float"


def require_float(a: np.ndarray, what: str) -> None:
    """Refuse to round silently: exact arrays cannot go through exp, log, tanh."""
    if is_exact(a):
        raise NotExactError(
            f"{what} has no exact rational value; switch the arithmetic to float")


def check_size(a: np.ndarray, where: str) -> None:
    """Stop exact arithmetic whose fractions have grown past MAX_EXACT_DIGITS."""
    if not is_exact(a):
        return
    limit = 10 ** MAX_EXACT_DIGITS
    for v in a.flat:
        if abs(v.numerator) >= limit or v.denominator >= limit:
            raise NotExactError(
                f"{where}: fractions grew past {MAX_EXACT_DIGITS} digits; "
                "use float arithmetic for long computations")


def _float(v: Fraction) -> float:
    try:
        return float(v)
    except OverflowError:  # grown by exact training, or built in code past the file limits
        raise NotExactError(f"{format_number(v)[:40]}… is too large for float arithmetic (past about 1.8e308)"
                            ) from None


def to_float(a: np.ndarray) -> np.ndarray:
    if not is_exact(a):
        return a
    try:
        return a.astype(np.float64)
    except OverflowError:
        return np.vectorize(_float, otypes=[np.float64])(a)


def zeros(shape, arithmetic: str) -> np.ndarray:
    if arithmetic == "exact":
        out = np.empty(shape, dtype=object)
        out.fill(Fraction(0))
        return out
    return np.zeros(shape)


def frozen(a: np.ndarray) -> np.ndarray:
    """A read-only copy: recorded graphs are immutable."""
    a = np.array(a, copy=True)
    a.flags.writeable = False
    return a


def format_number(v, digits: int = 6) -> str:
    """Fractions as p/q (integers plain), floats in short scientific-or-fixed form."""
    if isinstance(v, Fraction):
        return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"
    f = float(v)
    if f == 0:
        return "0"
    return f"{f:.{digits}g}"

