"""Values named in the graph's words for the float-vs-exact sentences (engine/float_words.py):
o², o²₂, "o²₁ of sample 3", an input by its feature's name, a weight always by its
component (W2[1,1], as the paths panel), counted from 1 (engine/render/path_view.py:
value, the one place of that translation); and what float cannot hold ("W2[1,1] = 1/200
becomes 0.005")."""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from .float_diff import NodeDiff, same_value
from .numbers import format_number
from .render.path_view import value


def exact_in_float(v) -> bool:
    """Whether a rational number is exactly a float64 (1/2 is, 1/3 and 1/200 are not)."""
    try:
        return Fraction(float(v)) == v
    except OverflowError:
        return False


def first_component(node: NodeDiff) -> tuple:
    """The index of the first component where float differs from exact."""
    return next((i for i in np.ndindex(node.exact.shape) if not same_value(node.exact[i], node.float[i])), ())


def named_component(name: str, index: tuple, shape: tuple, rows: bool = False, features=()) -> str:
    """Component ``index`` (from 0) of the value ``name`` of ``shape``, as the graph writes
    it: "o²" (its only component), "o²₂", an input by its feature's name, "W2[1,3]" (a
    weight: always its component); with ``rows``, a batch's (samples × units) rows:
    "o²₁ of sample 3" (counted from 1, as Explore)."""
    if rows:
        return f"{named_component(name, index[1:], shape[1:], features=features)} of sample {index[0] + 1}"
    # one component is the whole value (o², y), except a weight's (the panel's W2[1,1])
    # and a named input's (its feature's name, as the graph labels it)
    layered = name[:1] in "oδ" and name[1:].isdigit()
    whole = math.prod(shape) == 1 and (layered or name == "y" or (name == "x" and not features))
    return value(name, () if whole else index, features)


def named_node(node: NodeDiff, index: tuple) -> str:
    """"o²", "o²₂", or in a batch "o²₁ of sample 3"."""
    return named_component(node.name, index, node.exact.shape, node.phase in ("forward", "backward") and node.exact.ndim == 2)


def node_name(name: str) -> str:
    """A whole node as the graph names it: "o²", "δw2", "the loss"."""
    return "the loss" if name == "loss" else value(name)


def listed(names: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def unheld_value(name: str, values, features=()) -> str | None:
    """'W2[1,2] = 1/3 becomes 0.333333' for the first value of ``values`` that float
    cannot hold, else None (the data x, y: samples × units, a row per sample)."""
    arr = np.asarray(values, dtype=object)
    rows = name in ("x", "y") and arr.ndim == 2
    if rows and len(arr) == 1:  # one sample: its row, as the nodes
        arr, rows = arr[0], False
    for i in np.ndindex(arr.shape):
        if isinstance(arr[i], Fraction) and not exact_in_float(arr[i]):
            return (f"{named_component(name, i, arr.shape, rows, features)} = {format_number(arr[i])} becomes "
                    f"{format_number(float(arr[i]))}")
    return None


def relative(node: NodeDiff, i: tuple) -> str:
    """ " (relative error 1.96e-16)", or nothing where the exact value is 0."""
    rel = float(node.rel_error[i])
    return "" if math.isnan(rel) else f" (relative error {format_number(rel, 3)})"


def is_zero(values) -> bool:
    return all(float(v) == 0 for v in np.ravel(values))
