"""The checked readers of a model file's JSON values, for engine/spec.py and
engine/spec_layers.py: each raises SpecError naming the place in the file, and enforces
the per-value bounds of engine/limits.py (numbers, text) before any costly work.

The json_* functions are json.loads hooks, so a JSON number means the decimal as typed.
"""
from __future__ import annotations

import re
from fractions import Fraction

import numpy as np

from .numbers import EXAMPLES, MAX_EXACT_DIGITS, Literal, clip, float_of, parse_number, shown_number

_FLOAT_EXACT_INTS = 2 ** 53  # past this a JSON integer is not exactly a float64
# In names: a lone surrogate ("\ud800" in JSON) has no UTF-8 encoding, and control
# characters (NUL, ESC, ...) break DOT and terminals. Tabs and line breaks are fine.
_BAD_CHAR = re.compile("[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class SpecError(ValueError):
    """A model file that cannot be used; the message says what and where."""


# JSON numbers as typed: hooks for json.loads (engine/spec.py) -------------

_NORMAL = 2.2250738585072014e-308  # float64's smallest normal number
_ZERO = re.compile(r"-?0*(\.0*)?([eE][+-]?[0-9]+)?")


def json_float(text: str):
    """A JSON number with a fraction or exponent, in float arithmetic: its float64, or a
    Literal that read_number refuses when that float would be infinite (1e400) or 0 from
    a nonzero decimal (1e-400). One float() and one test: big float files stay fast."""
    f = float(text)
    if f and f - f == 0.0:  # nonzero and finite (inf - inf is nan)
        return f
    return f if f == 0 and _ZERO.fullmatch(text) else Literal(text)


def json_exact(text: str):
    """The same in exact arithmetic: a float when its float means the decimal as typed,
    else a Literal that keeps the text (0.10000000000000000001, 1e-400, 1e400).

    The float is kept for (a) up to 15 characters, so at most 15 significant digits,
    in float64's normal range: such a decimal is the shortest repr of its float
    (DBL_DIG = 15), which is how the exact backend reads a float back; (b) a text that is
    already its float's repr (what dump_spec writes). Nothing else pays for a Fraction.
    """
    if len(text) <= 40:  # a float's repr is at most 24 characters: longer is never plain
        f = float(text)
        if len(text) <= 15 and _NORMAL <= abs(f) < float("inf"):
            return f
        if f == 0 and _ZERO.fullmatch(text) or f != 0 and repr(f) == text:
            return f
    return Literal(text)


def json_int(text: str):
    """A JSON integer: an int, or for more digits than any number may have a Literal that
    read_number refuses with its place (int() of a huge text would cost quadratic time)."""
    return int(text) if len(text) <= MAX_EXACT_DIGITS else Literal(text)


def json_constant(name: str):
    raise SpecError(f"{name} is not allowed: every number must be finite")


# checked readers: each raises SpecError naming the place ---------------

def read_numbers(rows: list, where: str, arithmetic: str) -> np.ndarray:
    """Rectangular rows of numbers -> float64 (float, all plain JSON numbers) or Fractions.

    A JSON number in float arithmetic means its float64 (:func:`json_float`), so plain
    float rows take one numpy conversion. In exact arithmetic a literal is a float only
    when that float reads back, through its repr, as the decimal typed (:func:`json_exact`);
    any other stays text (a Literal) and every value is read exactly by read_number.
    """
    if arithmetic == "float" and all(type(v) is float or (type(v) is int and abs(v) <= _FLOAT_EXACT_INTS)
                                     for row in rows for v in row):
        a = np.array(rows, dtype=np.float64).reshape(len(rows), -1)
        if np.isfinite(a).all():
            return a
    out = np.empty((len(rows), len(rows[0]) if rows else 0), dtype=object)
    for i, row in enumerate(rows, 1):
        for j, v in enumerate(row, 1):
            out[i - 1, j - 1] = read_number(v, f"{where} row {i}, column {j}", arithmetic)
    return out


def read_number(value, where: str, arithmetic: str, examples: str = EXAMPLES) -> Fraction:
    """One number of a model file, exactly (engine.numbers.parse_number's grammar and bounds;
    ``examples``: what a text that is not a number is told to write instead).

    Past float64's range is refused in both arithmetics (every model can be shown in
    float: Explore's side-by-side view, charts); a nonzero number that float64 would
    round to 0 (1e-400) is refused in float arithmetic and kept exactly in exact.
    """
    if isinstance(value, (list, dict)) or value is None or isinstance(value, bool):
        raise SpecError(f"{where}: expected a number, got {kind_of(value)}")
    try:
        f = parse_number(value, examples)
        float_of(f, shown_number(value), tiny_ok=arithmetic == "exact")
    except ValueError as e:
        raise SpecError(f"{where}: {e}") from None
    return f


def read_shape(rows, where: str) -> tuple[int, int]:
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise SpecError(f"{where}: expected a list of rows (lists of numbers)")
    widths = {len(r) for r in rows}
    if len(widths) > 1:
        raise SpecError(f"{where}: rows have different lengths {sorted(widths)}")
    return len(rows), (widths.pop() if widths else 0)


def read_object(value, where: str, *, required, optional) -> dict:
    if not isinstance(value, dict):
        raise SpecError(f"{where}: expected an object {{...}}, got {kind_of(value)}")
    if getattr(value, "duplicate", None) is not None:
        raise SpecError(f"{where}: duplicate key {shown(value.duplicate)}")
    for key in value:
        if key not in optional and key not in required:
            raise SpecError(f"{where}: unknown key {shown(key)}; known keys: {', '.join(optional)}")
    for key in required:
        if key not in value:
            raise SpecError(f"{where}: missing key {key!r}")
    return value


def read_text(value, where: str, most: int) -> str:
    if not isinstance(value, str):
        raise SpecError(f"{where}: expected a string, got {kind_of(value)}")
    if len(value) > most:
        raise SpecError(f"{where}: {len(value):,} characters; at most {most}")
    bad = _BAD_CHAR.search(value)
    if bad:
        raise SpecError(f"{where}: character {bad.start() + 1} (U+{ord(bad.group()):04X}) is not allowed"
                        " in text (a control character or a lone surrogate)")
    return value


def read_integer(value, where: str, least: int, most: int, rule: str) -> int:
    if isinstance(value, Literal) and _WHOLE_LITERAL.fullmatch(value.text):
        raise SpecError(f"{where}: a number of {len(value.text):,} digits is too large; {rule}")
    if isinstance(value, bool) or not isinstance(value, int):
        raise SpecError(f"{where}: expected a whole number, got {kind_of(value)}")
    if not least <= value <= most:
        shown = value if value.bit_length() < 64 else "a huge number"
        raise SpecError(f"{where}: must be at least {least}, got {shown}" if value < least
                        else f"{where}: {shown} is too large; {rule}")
    return value


_WHOLE_LITERAL = re.compile(r"-?[0-9]+")


def kind_of(value) -> str:
    if isinstance(value, Literal):
        return f"the number {clip(value.text)[1:-1]}"
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "null"
    return {str: "a string", int: "a number", float: "a number", list: "a list"}.get(
        type(value), "an object" if isinstance(value, dict) else type(value).__name__)


def shown(value) -> str:
    return repr(value[:40]) if isinstance(value, str) else kind_of(value)
