"""Where float departs from the truth, in words: the operation that made the first
difference, the gate it flips, and how far the difference travels.

On the article's third sample: o² = w·X is a tiny negative number in float instead of
0 (the rounding is w·X's own, on the weights float rounded as it read them), the ReLU
gate of L³ closes, δ³ is 0 instead of −1 and the learning flow stops. The sentences
are built from a :class:`~engine.float_diff.FloatDiff`; the numbers in them are the
ones this machine computed (the float trap's digits depend on the BLAS kernel).

They name values as the graph labels them, not as the engine keys them: o², δ³, L³,
a unit o²₁, a weight W2[1,1] as Explore's "Sum over paths" panel does, components
counted from 1 (engine/render/path_view.py: value, scripted, the one place of that
translation). Story.first keeps the engine's key ("o2"), which the pictures and the
CLI's JSON use."""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .float_diff import FloatDiff, NodeDiff
from .numbers import format_number
from .render.path_view import scripted, value

# What each operation rounds, in words (a layer kind or "loss").
_ROUNDS = {
    "linear": "float64 rounds every product and every partial sum of w·X to 53 significant bits",
    "input": "float64 rounds the number as it reads it",
    "relu": "ReLU itself never rounds, so this comes from what it reads",
    "leaky_relu": "float64 rounds the product slope·X",
    "loss": "float64 rounds the loss's products, squares and means (the mean divides by n)",
}


@dataclass(frozen=True)
class Story:
    first: str | None  # the first diverging node's key ("o2"), None if float is exact everywhere
    cause: int | None  # the layer (K+1: the loss) whose operation made it
    gates: tuple[int, ...]  # layers whose local derivative the difference flips
    sentences: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


def exact_in_float(v) -> bool:
    """Whether a rational number is exactly a float64 (1/2 is, 1/3 and 1/200 are not)."""
    try:
        return Fraction(float(v)) == v
    except OverflowError:
        return False


def _component(node: NodeDiff) -> tuple:
    """The index of the first component where float differs from exact."""
    for i in np.ndindex(node.exact.shape):
        f = float(node.float[i])
        if not math.isfinite(f) or Fraction(f) != node.exact[i]:
            return i
    return ()


def _named(name: str, index: tuple, shape: tuple, rows: bool = False, features=()) -> str:
    """Component ``index`` (from 0) of the value ``name`` of ``shape``, as the graph writes
    it: "o²" (its only component), "o²₂", an input by its feature's name, "W2[1,3]" (a
    weight: always its component); with ``rows``, a batch's (samples × units) rows:
    "o²₁ of sample 3" (counted from 1, as Explore)."""
    if rows:
        return f"{_named(name, index[1:], shape[1:], features=features)} of sample {index[0] + 1}"
    # one component is the whole value (o², y), except a weight's (the panel's W2[1,1])
    # and a named input's (its feature's name, as the graph labels it)
    layered = name[:1] in "oδ" and name[1:].isdigit()
    whole = math.prod(shape) == 1 and (layered or name == "y" or (name == "x" and not features))
    return value(name, () if whole else index, features)


def _named_node(node: NodeDiff, index: tuple) -> str:
    """"o²", "o²₂", or in a batch "o²₁ of sample 3"."""
    return _named(node.name, index, node.exact.shape, node.phase in ("forward", "backward") and node.exact.ndim == 2)


def _node(name: str) -> str:
    """A whole node as the graph names it: "o²", "δw2", "the loss"."""
    return "the loss" if name == "loss" else value(name)


def _listed(names: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _unheld(name: str, values, features=()) -> str | None:
    """'W2[1,2] = 1/3 becomes 0.333333' for the first value of ``values`` that float
    cannot hold, else None (the data x, y: samples × units, a row per sample)."""
    arr = np.asarray(values, dtype=object)
    rows = name in ("x", "y") and arr.ndim == 2
    if rows and len(arr) == 1:  # one sample: its row, as the nodes
        arr, rows = arr[0], False
    for i in np.ndindex(arr.shape):
        if isinstance(arr[i], Fraction) and not exact_in_float(arr[i]):
            return (f"{_named(name, i, arr.shape, rows, features)} = {format_number(arr[i])} becomes "
                    f"{format_number(float(arr[i]))}")
    return None


def _operation(found: FloatDiff, node: NodeDiff, k: int) -> str:
    """The operation that computed ``node``, as a formula in words ("w·X", "max(X, 0)")."""
    g = found.exact_graph
    if k == g.K + 1:
        return g.model.loss.title if node.phase == "loss" else f"∂Loss/∂{scripted('o', g.K)}"
    if node.phase == "backward":
        return f"{scripted('δ', k + 1)} · ∂{scripted('L', k)}/∂{scripted('X', k)}"
    if node.phase == "weight_grad":
        return f"{value(node.name)} = {scripted('δ', k + 1)} · ({scripted('X', k)})ᵀ"
    layer = g.model.layer(k)
    return {"linear": "w·X + b" if getattr(layer, "has_bias", False) else "w·X",
            "relu": "max(X, 0)", "leaky_relu": "max(X, slope·X)", "input": "X"}.get(layer.kind, layer.kind)


def _relative(node: NodeDiff, i: tuple) -> str:
    """ " (relative error 1.96e-16)", or nothing where the exact value is 0."""
    rel = float(node.rel_error[i])
    return "" if math.isnan(rel) else f" (relative error {format_number(rel, 3)})"


def _where(found: FloatDiff, node: NodeDiff) -> tuple[int, str, str]:
    """(the layer that computed the node, the node and its operation described, what
    that operation rounds)."""
    g = found.exact_graph
    event = next(e for e in g.timeline if e.name == node.name)
    k, K = event.k, g.K
    op = _operation(found, node, k)
    if node.phase == "loss" or event.k == K + 1:
        what = f"the loss, {op}" if node.phase == "loss" else f"{value(node.name)} = {op}, the loss's derivative"
        return K + 1, what, _ROUNDS["loss"]
    layer = g.model.layer(k)
    does = {"forward": "the output of", "backward": "the learning flow back through",
            "weight_grad": "the weight gradient of"}[node.phase]
    rounds = _ROUNDS.get(layer.kind, "float64 rounds its result to 53 significant bits")
    if node.phase != "forward":
        rounds = "float64 rounds every product and sum of the backward pass"
    named = op if node.phase == "weight_grad" else f"{value(node.name)} = {op}"
    return k, f"{named}, {does} {scripted('L', k)} ({layer.describe()})", rounds


def _read(found: FloatDiff, k: int) -> list[tuple[str, object]]:
    """What layer k's operations read that float may not hold: the data, y, the weights."""
    g = found.exact_graph
    if k == g.K + 1:
        return [("y", g.y)]
    out = [("x", g.x)] if k == 1 else []
    return out + [(f"{name}{k}", w) for name, w in g.model.layer(k).params.items()]


def _gates(found: FloatDiff) -> list[tuple[int, str, str]]:
    """(layer, 'closes' | 'opens', why in words) for each rectifier where the difference
    flips a gate: float takes the other branch (derivative 1 on one side, 0 or the slope
    on the other). A leaky slope float cannot hold (1/100) is no flip."""
    ge, gf = found.exact_graph, found.float_graph
    out = []
    for k, layer in enumerate(ge.model.layers, 1):
        if layer.kind not in ("relu", "leaky_relu"):
            continue
        de = layer.derivative(ge.o(k - 1), ge.o(k))
        df = gf.model.layer(k).derivative(gf.o(k - 1), gf.o(k))
        flipped = [(e, f, xe, xf) for e, f, xe, xf in zip(np.ravel(de), np.ravel(df), np.ravel(ge.o(k - 1)),
                                                          np.ravel(gf.o(k - 1))) if (e == 1) != (float(f) == 1)]
        if flipped:
            e, f, xe, xf = flipped[0]
            why = (f"its input is {format_number(float(xf))} in float, {format_number(xe)} in exact, so its "
                   f"local derivative ∂{scripted('L', k)}/∂{scripted('X', k)} is {format_number(float(f))} "
                   f"instead of {format_number(e)}")
            out.append((k, "closes" if e == 1 else "opens", why))
    return out


def _zero(values) -> bool:
    return all(float(v) == 0 for v in np.ravel(values))


def story(found: FloatDiff, features=()) -> Story:
    """The first difference's cause and reach, in sentences; ``features``: the data's
    names, which the neuron view writes for the inputs (x₁ without them)."""
    first = found.first
    if first is None:
        return Story(None, None, (), ("Float gives the exact value at every node of this sample: every "
                                      "rounding on the way happened to land on the exact number.",))
    i = _component(first)
    k, what, rounds = _where(found, first)
    said = [f"The first difference is {what}: {_named_node(first, i)} is "
            f"{format_number(float(first.float[i]))} in float where the exact value is "
            f"{format_number(first.exact[i])}{_relative(first, i)}."]
    unheld = next((u for name, v in _read(found, k) if (u := _unheld(name, v, features))), None)
    cancel = ", and terms that cancel exactly in rationals leave a tiny remainder" if first.exact[i] == 0 else ""
    if unheld and first.phase in ("forward", "loss", "backward"):
        said.append(f"Float cannot hold every number it reads (for one, {unheld}), so it starts from rounded "
                    f"numbers; then {rounds}{cancel}.")
    else:
        said.append(f"Every number it reads is exactly a float, so the rounding is the operation's own: "
                    f"{rounds}{cancel}.")
    gates = _gates(found)
    g = found.exact_graph
    for gk, how, why in gates:
        kind = {"relu": "ReLU", "leaky_relu": "leaky ReLU"}[g.model.layer(gk).kind]
        said.append(f"Then the {kind} gate of {scripted('L', gk)} {how}: {why}.")
    later = [n for n in found.nodes[found.nodes.index(first) + 1:]]
    hidden = [_node(n.name) for n in later if not n.differs and n.phase in ("forward", "loss")]
    if hidden and gates:
        said.append(f"Forward, the gate hides it: {_listed(hidden)} {'is' if len(hidden) == 1 else 'are'} "
                    f"the same in both.")
    reached = [n for n in later if n.differs]
    stopped = next((n for n in reached if n.phase in ("backward", "weight_grad") and _zero(n.float)
                    and not _zero(n.exact)), None)
    if stopped is not None and all(_zero(n.float) for n in reached[reached.index(stopped):]
                                   if n.phase in ("backward", "weight_grad")):
        rest = [_node(n.name) for n in reached[reached.index(stopped) + 1:]]
        j = _component(stopped)
        said.append(f"{_named_node(stopped, j)} = 0 in float instead of "
                    f"{format_number(stopped.exact[j])}, and the learning flow stops"
                    + (f": {_listed(rest)} {'is' if len(rest) == 1 else 'are'} 0 too." if rest else "."))
    elif reached:
        said.append(f"The difference reaches {_listed([_node(n.name) for n in reached])}.")
    else:
        said.append("It reaches no other node.")
    return Story(first.name, k, tuple(gk for gk, _, _ in gates), tuple(said))
