"""Arrays that count the multiplications done on them: the cost that ``trace --mode``
reports is counted where numpy multiplies, not estimated from a formula.

``Counted`` is an ndarray view carrying a ``Tally``. Every ufunc call with a Counted
operand adds what it did: ``multiply`` one multiplication per element of its result,
``matmul`` one per term of each dot product (result size × inner length). Divisions,
additions and comparisons are not counted. Results stay Counted (``np.where`` and the
other array functions too), so a value made from counted values keeps counting."""
from __future__ import annotations

import numpy as np


class Tally:
    """The multiplications counted so far."""

    def __init__(self):
        self.multiplications = 0


class Counted(np.ndarray):
    tally: Tally | None = None

    def __array_finalize__(self, obj):
        # Views and slices of a counted array count into the same tally.
        self.tally = getattr(obj, "tally", None)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        tally = next(a.tally for a in inputs if isinstance(a, Counted))
        plain = [a.view(np.ndarray) if isinstance(a, Counted) else a for a in inputs]
        if "out" in kwargs:
            kwargs["out"] = tuple(a.view(np.ndarray) if isinstance(a, Counted) else a for a in kwargs["out"])
        result = getattr(ufunc, method)(*plain, **kwargs)
        if method == "__call__":
            if ufunc is np.multiply:
                tally.multiplications += np.size(result)
            elif ufunc is np.matmul:
                tally.multiplications += np.size(result) * np.shape(plain[0])[-1]
        elif ufunc is np.multiply and method == "reduce":  # a product of n values: n − 1 of them
            tally.multiplications += np.size(plain[0]) - np.size(result)
        return _wrap(result, tally)

    def __array_function__(self, func, types, args, kwargs):
        # np.where, np.concatenate, …: computed on plain arrays, then counted again.
        tally = self.tally
        result = func(*_plain(args), **_plain(kwargs))
        return _wrap(result, tally)


def _plain(v):
    if isinstance(v, Counted):
        return v.view(np.ndarray)
    if isinstance(v, (list, tuple)):
        return type(v)(_plain(e) for e in v)
    if isinstance(v, dict):
        return {k: _plain(e) for k, e in v.items()}
    return v


def _wrap(result, tally):
    if isinstance(result, tuple):
        return tuple(_wrap(r, tally) for r in result)
    if isinstance(result, np.ndarray):
        out = result.view(Counted)
        out.tally = tally
        return out
    return result  # a scalar: counted no further


def counted(a: np.ndarray, tally: Tally) -> Counted:
    """``a`` as a Counted view (no copy) counting into ``tally``."""
    return _wrap(np.asarray(a), tally)


def plain(a):
    """A Counted array back as a plain one (no copy)."""
    return a.view(np.ndarray) if isinstance(a, Counted) else a
