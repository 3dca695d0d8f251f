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
# Whole numbers typed as settings (--sample, --epochs, --seed): no setting needs more.
MAX_WHOLE_DIGITS = 18
SHOWN_CHARS = 20  # a refused text is echoed this far, then "…"

# The one grammar of a number as text (docs/model-format.md, "Numbers"): ASCII digits
# only, no underscores, no spaces inside, no inf/nan/hex. Python's Fraction, Decimal,
# int and float accept "1e10_000_000", which builds a 10-million-digit number; here
# the parts are matched first and bounded before any big-number arithmetic.
_NUMBER = re.compile(r"(?P<sign>[+-]?)(?:(?P<p>[0-9]+)/(?P<q>[0-9]+)"
                     r"|(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]*))?(?:[eE](?P<exp>[+-]?[0-9]+))?)")
_WHOLE = re.compile(r"[+-]?[0-9]+")
_LIMIT = 10 ** MAX_EXACT_DIGITS  # a numerator or denominator must stay below it
# What "is not a number" suggests instead: one of each form. A field with a narrower
# range passes its own (engine/penalty.py: a λ is never negative), so that the hint
# never suggests what the field refuses.
EXAMPLES = "0.5, -3 or 1/200"


class NotExactError(ValueError):
    """An operation has no exact rational result (exp, log, tanh, ...), exact fractions
    grew past MAX_EXACT_DIGITS, or an exact number is past float64's range."""


class Literal:
    """A JSON number kept as the text it was written in (engine.spec_json.json_float and
    json_exact), when its float64 would not mean the decimal typed: read_number reads it
    exactly, or refuses it (1e400; 1e-400 in float arithmetic)."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


def clip(text, most: int = SHOWN_CHARS) -> str:
    """A refused text as a message shows it: quoted, cut after ``most`` characters."""
    shown = repr(str(text)[:most])
    return shown if len(str(text)) <= most else shown[:-1] + "…" + shown[-1]


def parse_number(value, examples: str = EXAMPLES) -> Fraction:
    """Read a number as written by a user: 3, -0.5, "1/200", "-3000/11600000", "1e-7".
    ``examples``: what the message of a text that is not a number suggests.

    Floats are read through their shortest repr so that 0.1 means 1/10, the number
    the user typed, not the binary approximation. Text follows the grammar above;
    anything else, or past the bounds, raises ValueError with one sentence.
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, Literal):
        if len(value.text) > MAX_NUMBER_CHARS and _WHOLE.fullmatch(value.text):  # a JSON integer
            raise ValueError(f"a number with more than {MAX_EXACT_DIGITS} digits")
        return _text_number(value.text, examples, shown=shown_number(value))  # echoed bare, as written
    if isinstance(value, Rational):
        return _bounded(Fraction(value))
    if isinstance(value, Real):
        f = float(value)
        if not np.isfinite(f):
            raise ValueError(f"{value!r} is not a finite number")
        return _text_number(repr(f))
    if isinstance(value, str):
        return _text_number(value.strip(), examples)
    raise ValueError(f"{clip(value)} is not a number")


def _text_number(text: str, examples: str = EXAMPLES, shown: str | None = None) -> Fraction:
    """``shown``: how a message echoes the number (shown_number's rule: typed text quoted,
    a JSON literal bare); the text quoted when not given."""
    if len(text) > MAX_NUMBER_CHARS:
        raise ValueError(f"a number of {len(text)} characters; at most {MAX_NUMBER_CHARS}")
    m = _NUMBER.fullmatch(text)
    if m is None or not (m["p"] or m["int"] or m["frac"]):
        hint = "; no underscores or spaces inside a number" if any(c in text for c in "_ ") else ""
        raise ValueError(f"{clip(text, 40)} is not a number (use {examples}{hint})")
    sign = -1 if m["sign"] == "-" else 1
    if m["p"] is not None:
        p, q = m["p"].lstrip("0"), m["q"].lstrip("0")
        if len(p) > MAX_EXACT_DIGITS or len(q) > MAX_EXACT_DIGITS:
            raise ValueError(f"a number with more than {MAX_EXACT_DIGITS} digits")
        if not q:
            raise ValueError(f"{clip(text, 40)} divides by zero")
        return _bounded(Fraction(sign * int(p or "0"), int(q)))
    digits = (m["int"] + (m["frac"] or "")).lstrip("0")
    if len(digits) > MAX_EXACT_DIGITS:
        raise ValueError(f"a number with more than {MAX_EXACT_DIGITS} digits")
    exp = m["exp"] or "0"
    exp_digits = exp.lstrip("+-").lstrip("0")
    if len(exp_digits) > len(str(MAX_EXPONENT)) or int(exp_digits or "0") > MAX_EXPONENT:
        raise ValueError(f"{shown or clip(text, 40)} has an exponent past {MAX_EXPONENT}")
    if not digits:
        return Fraction(0)
    # value = digits × 10^scale; |scale| <= MAX_EXPONENT + MAX_NUMBER_CHARS, both bounded above
    scale = int(exp) - len(m["frac"] or "")
    n = sign * int(digits)
    return _bounded(Fraction(n * 10 ** scale) if scale >= 0 else Fraction(n, 10 ** -scale))


def _bounded(f: Fraction) -> Fraction:
    if abs(f.numerator) >= _LIMIT or f.denominator >= _LIMIT:
        raise ValueError(f"a number with more than {MAX_EXACT_DIGITS} digits")
    return f


def is_decimal(text: str) -> bool:
    """Whether ``text`` is a decimal of the grammar (-0.5, 1e-7; not 1/2, not 1_000)."""
    m = _NUMBER.fullmatch(text) if len(text) <= MAX_NUMBER_CHARS else None
    return m is not None and m["p"] is None and bool(m["int"] or m["frac"])


def parse_whole(text) -> int:
    """A whole-number setting typed as text (``--sample 3``): at most MAX_WHOLE_DIGITS
    digits, checked before int(); a refused text is echoed cut short."""
    text = str(text).strip()
    if not _WHOLE.fullmatch(text):
        raise ValueError(f"{clip(text)} is not a whole number")
    if len(text.lstrip("+-").lstrip("0")) > MAX_WHOLE_DIGITS:
        raise ValueError(f"{clip(text)} has more than {MAX_WHOLE_DIGITS} digits")
    return int(text)


def float_number(value) -> float:
    """A user's number in float arithmetic: refused, never rounded to infinity or to 0,
    when it lies past float64's range or below its smallest step (about 4.9e-324)."""
    return float_of(parse_number(value), shown_number(value))


def float_of(f: Fraction, shown: str, *, tiny_ok: bool = False) -> float:
    """``float(f)``, refusing overflow and (unless ``tiny_ok``) a nonzero ``f`` that would be 0."""
    try:
        x = float(f)
    except OverflowError:
        raise ValueError(f"{shown} is too large for float arithmetic (past about 1.8e308)") from None
    if x == 0 and f != 0 and not tiny_ok:
        raise ValueError(f"{shown} is too small for float arithmetic: it would be 0 (below about 4.9e-324);"
                         " use exact arithmetic")
    return x


def shown_number(value) -> str:
    """A number as a message shows it: typed text quoted ('1e400'), a JSON literal or a value bare."""
    if isinstance(value, str):
        return clip(value.strip(), 40)
    return clip(value.text if isinstance(value, Literal) else value, 40)[1:-1]


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


def format_number(v, digits: int = 6) -> str:
    """Fractions as p/q (integers plain), floats in short scientific-or-fixed form."""
    if isinstance(v, Fraction):
        return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"
    f = float(v)
    if f == 0:
        return "0"
    return f"{f:.{digits}g}"

