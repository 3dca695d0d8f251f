"""Why each value differs between float and exact: reached by an earlier difference, or
a difference of its own, or both.

The first difference is not the only one. With an L2 penalty the article's P differs on
every sample although o² may not: P = λ₂·½Σw² reads the weights, and float holds them
rounded (1/200 is no float), as it holds λ₂ = 1/1000. The loss then differs because P
does, not because of o²; and each δw^k adds the penalty's term λ₂·W^k, which float
computes from those same rounded weights.

So every differing value gets its cause from what it reads (:func:`inputs`, the
dependencies of the recording's passes, engine/passes.py), keeping only the differences
that get through (engine/float_replay.py: behind a gate float closed, or times an exact
0, a difference reaches nothing): values computed before it that differ (``via``: it is
reached by their difference), numbers float reads rounded (the data, y, the weights, λ:
``rounded``), and its operation's own rounding. A value none of whose computed inputs
gets through is an **origin**: its difference starts there. A value can be both reached
and differ on its own account (``own``: the loss's mean by n, a penalised δw's term);
its origins then name it too, beside those of what reaches it (``origins``, transitively:
the one list the words and the CLI's JSON give). Explore's table says each cause in a
few words (ui/float_view.py: causes_in_words)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .float_diff import FloatDiff, lambdas, read_errors, same_value
from .float_replay import Unreplayable, through
from .graph import Graph, weight_key
from .penalty import weight_keys


@dataclass(frozen=True)
class Cause:
    name: str  # the engine's key: "o2", "P", "loss", "δw2"
    via: tuple[str, ...]  # the differing values it reads, computed before it, whose difference gets through
    rounded: tuple[str, ...]  # what it reads that float holds rounded, and that gets through: "x", "W2", "λ₂"
    origins: tuple[str, ...]  # where its difference starts, in evaluation order (its own key if ``own``)
    own: bool = False  # it differs on its own account: rounded reads get through, or its operation rounds
    rounds: bool = False  # its operation's own rounding changes float's result (the loss's mean by n)

    @property
    def origin(self) -> bool:
        return not self.via


def _penalised(graph: Graph) -> list[str]:
    """The weight matrices the penalty reads ("W2"); none without a penalty."""
    return weight_keys(graph.model.layers) if graph.model.penalty.active else []


def inputs(graph: Graph, name: str) -> tuple[list[str], list[str]]:
    """(the computed values, the read numbers) a recorded value depends on."""
    event = graph.event(name)
    k, K = event.k, graph.K
    params = [f"{p}{k}" for p in graph.model.layer(k).params] if 1 <= k <= K else []
    below = [f"o{k - 1}"] if k > 1 else []  # o^{k-1}: x for layer 1, a read number
    data = ["x"] if k == 1 else []
    lam = list(lambdas(graph))
    if event.phase == "forward":
        return below, data + params
    if event.phase == "penalty":
        return [], _penalised(graph) + lam
    if event.phase == "loss":
        return [f"o{K}"] + (["P"] if graph.model.penalty.active else []), ["y"]
    if event.phase == "backward":
        if k == K + 1:
            return [f"o{K}"], ["y"]
        return [f"δ{k + 1}"] + below + [f"o{k}"], data + params
    key = weight_key(name)  # weight_grad: δw2 reads δ³, o¹ (and W2, λ with a penalty)
    penalised = ([key] + lam) if key in _penalised(graph) else []
    return [f"δ{k + 1}"] + below, data + penalised


def penalty_term(found: FloatDiff, name: str) -> bool:
    """Whether ``name`` is a δw whose penalty's term (λ₂·W + λ₁·sign(W)) float computes
    differently."""
    if not name.startswith("δw"):
        return False
    key = weight_key(name)
    ge, gf = found.exact_graph, found.float_graph
    if key not in (ge.penalty_grads or {}):
        return False
    e, f = ge.penalty_grads[key], gf.penalty_grads[key]
    return not all(same_value(a, b) for a, b in zip(np.ravel(e), np.ravel(f)))


def causes(found: FloatDiff) -> dict[str, Cause]:
    """Each differing computed value's cause, by its key, in evaluation order."""
    g = found.exact_graph
    if g is None:
        return {}
    if "causes" not in found.derived:
        found.derived["causes"] = _causes(found, g)
    return found.derived["causes"]


def _causes(found: FloatDiff, g: Graph) -> dict[str, Cause]:
    differs = {n.name: n.differs for n in found.nodes}
    read = {n.name: n.differs for n in read_errors(found)}  # float holds it rounded: x, a weight, y, a λ
    order = [m.name for m in found.nodes]
    out: dict[str, Cause] = {}
    for n in found.nodes:
        if not n.differs:
            continue
        computed, reads = inputs(g, n.name)
        differing = [c for c in computed if differs.get(c)] + [r for r in reads if read.get(r)]
        try:
            passed = through(found, n.name, computed + reads, differing)
            got, rounds = set(passed.inputs), passed.rounds
        except Unreplayable:  # inf or nan on the way: every difference it reads may matter
            got, rounds = set(differing), False
        via = tuple(c for c in computed if c in got)
        rounded = tuple(r for r in reads if r in got)
        own = rounds or bool(rounded) or not via
        origins = {o for v in via for o in out[v].origins} | ({n.name} if own else set())
        out[n.name] = Cause(n.name, via, rounded, tuple(sorted(origins, key=order.index)), own, rounds)
    return out
