"""Exact against float: one sample recorded in both arithmetics, compared node by node.

Every value the recording computes (o^k forward, P, the loss, δ^k backward, δw^k), in the
order it is computed, with the exact value, the float value and their absolute and
relative errors. The first node where they differ is where float arithmetic first went
its own way; everything after may only inherit it (the article's trap: o2 is a tiny
negative number instead of 0, the ReLU gate closes, and δ3 is 0 instead of -1).

The comparison itself is exact: a float is a binary fraction, Fraction(f) is its exact
value, so "differs" means differs, not "differs by more than a tolerance"."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from .graph import Graph
from .model import Model
from .numbers import NotExactError
from .record import record


@dataclass(frozen=True)
class NodeDiff:
    name: str  # "o2", "P", "loss", "δ3", "δw2"; a read number: "x", "W2", "y", "λ₂"
    phase: str  # the event's: "forward" | "penalty" | "loss" | "backward" | "weight_grad"; "read" (read_errors)
    exact: np.ndarray  # Fractions
    float: np.ndarray  # float64, the same shape
    abs_error: np.ndarray  # |float − exact| per component (inf where float is not finite)
    rel_error: np.ndarray  # abs_error / |exact|; nan where exact is 0 and float is not
    differs: bool


@dataclass(frozen=True)
class FloatDiff:
    nodes: tuple[NodeDiff, ...]  # in evaluation order
    exact_graph: Graph | None = None  # the two records compared, for the views and the words
    float_graph: Graph | None = None
    # what is derived from the comparison once, for its several readers (float_reach.causes:
    # the words, the table and the CLI's origins each ask, and it recomputes values exactly)
    derived: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def first(self) -> NodeDiff | None:
        """The first node where float differs from exact, or None."""
        return next((n for n in self.nodes if n.differs), None)


def exact_impossible(model: Model) -> str | None:
    """Why the model cannot be computed in exact arithmetic, or None if it can."""
    for k, layer in enumerate(model.layers, 1):
        if not layer.exact_ok:
            return f"layer {k} ({layer.kind}) needs exp or log, which have no exact rational value"
    if not model.loss.exact_ok:
        return f"its loss ({model.loss.kind}) needs exp or log, which have no exact rational value"
    return None


def same_value(exact, f) -> bool:
    """Whether the float ``f`` is exactly the rational ``exact`` (inf and nan never are)."""
    f = float(f)
    return math.isfinite(f) and Fraction(f) == exact


def _errors(exact: np.ndarray, floats: np.ndarray):
    """(absolute errors, relative errors, whether any component differs)."""
    abs_error = np.empty(exact.shape)
    rel_error = np.empty(exact.shape)
    differs = False
    for i in np.ndindex(exact.shape):
        e, f = exact[i], float(floats[i])
        if not math.isfinite(f):
            abs_error[i], rel_error[i], differs = math.inf, math.inf, True
            continue
        gap = abs(Fraction(f) - e)  # exact: Fraction(f) is the float's own value
        differs = differs or gap != 0
        abs_error[i] = float(gap)
        rel_error[i] = float(gap / abs(e)) if e != 0 else (0.0 if gap == 0 else math.nan)
    return abs_error, rel_error, differs


def float_diff(model: Model, x, y) -> FloatDiff:
    """Record the batch (x, y) in exact and in float arithmetic and compare every node.
    ``x`` and ``y`` should be exact (Fractions), as a Dataset keeps them, so that both
    records read the same data: float rounds it as it reads it."""
    why = exact_impossible(model)
    if why:
        # NotExactError (a ValueError): the CLI's one line and the app's message alike
        raise NotExactError(f"exact arithmetic is impossible for this model: {why}")
    exact = record(model.cast("exact"), x, y)
    floating = record(model.cast("float"), x, y)
    nodes = []
    for event in exact.timeline:
        e, f = exact.value(event.name), floating.value(event.name)
        if event.phase in ("forward", "backward") and len(x) == 1:  # one sample: its row
            e, f = e[0], f[0]
        e, f = np.asarray(e, dtype=object), np.asarray(f, dtype=float)
        nodes.append(NodeDiff(event.name, event.phase, e, f, *_errors(e, f)))
    return FloatDiff(tuple(nodes), exact, floating)


def lambdas(graph: Graph) -> dict[str, object]:
    """The penalty's active λ by the name the words use: {"λ₂": 1/1000}."""
    p = graph.model.penalty
    return {name: v for name, v in (("λ₂", p.l2), ("λ₁", p.l1)) if v}


def read_numbers(graph: Graph) -> dict[str, object]:
    """The numbers a record reads rather than computes, by name: the data x, the weights
    ("W2", "b2"), the target y, each active λ ("λ₂")."""
    return {"x": graph.x, **graph.model.weights(), "y": graph.y, **lambdas(graph)}


def read_errors(found: FloatDiff) -> tuple[NodeDiff, ...]:
    """The numbers float reads, as it holds them, against their exact values (phase
    "read"): the data x and the weights ("W2", "b2") always, the graph colours their
    edges; the target y and each λ ("λ₂") when float cannot hold them, since a cause
    may blame them (1/200 is no float: float computes with a neighbour)."""
    ge, gf = found.exact_graph, found.float_graph
    if ge is None or gf is None:
        return ()
    held, always = read_numbers(gf), {"x", *ge.model.weights()}  # the graph colours their edges
    out = []
    for name, e in read_numbers(ge).items():
        # a tiny λ float lost is 0 (the float model's penalty casts λ, and has none then)
        e, f = np.asarray(e, dtype=object), np.asarray(held.get(name, 0.0), dtype=float)
        if name in ("x", "y") and len(e) == 1:  # one sample: its row, as the nodes
            e, f = e[0], f[0]
        n = NodeDiff(name, "read", e, f, *_errors(e, f))
        if n.differs or name in always:
            out.append(n)
    return tuple(out)
