"""Where float departs from the truth, in words: the operation that made the first
difference, the gate it flips, and how far the difference travels; then each difference
that starts elsewhere (with a penalty, P and δw from the rounded weights: the causes of
engine/float_reach.py).

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

from dataclasses import dataclass

import numpy as np

from .float_diff import FloatDiff, NodeDiff, read_numbers
from .float_reach import Cause, causes, inputs, penalty_term
from .float_names import (first_component, is_zero, listed, named_node, node_name, relative,
                          unheld_value)
from .graph import weight_key
from .numbers import format_number
from .render.path_view import scripted, value

__all__ = ["Story", "story"]

# What each layer kind's forward operation rounds, in words (the loss's and P's: _loss_rounds, _penalty_rounds).
_ROUNDS = {
    "linear": "float64 rounds every product and every partial sum of w·X to 53 significant bits",
    "input": "float64 rounds the number as it reads it",
    "relu": "ReLU itself never rounds, so this comes from what it reads",
    "leaky_relu": "float64 rounds the product slope·X",
}


def _loss_rounds(g, phase: str) -> str:
    """What float64 rounds in the loss (or its derivative): its products and squares, the
    mean over a batch, the sum loss + P with a penalty; one sample's loss has no mean."""
    parts = ["the loss's products and squares"]
    if g.batch_size > 1:
        parts.append("its mean over the batch (it divides by n)")
    if phase == "loss" and g.model.penalty.active:
        parts.append("the sum of the data's loss and P")
    return "float64 rounds " + (parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + ", and " + parts[-1])


def _penalty_rounds(g) -> str:
    """What float64 rounds in P: λ₂·½Σw² squares, λ₁·Σ|w| has no square (|w| is exact)."""
    p = g.model.penalty
    parts = [t for t, lam in (("every square, product and sum of λ₂·½Σw²", p.l2),
                              ("every product and sum of λ₁·Σ|w| (|w| itself never rounds)", p.l1)) if lam]
    return "float64 rounds " + " and ".join(parts)


@dataclass(frozen=True)
class Story:
    first: str | None  # the first diverging node's key ("o2"), None if float is exact everywhere
    cause: int | None  # the layer (K+1: the loss) whose operation made it
    gates: tuple[int, ...]  # layers whose local derivative the difference flips
    sentences: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


def _operation(found: FloatDiff, node: NodeDiff, k: int) -> str:
    """The operation that computed ``node``, as a formula in words ("w·X", "max(X, 0)")."""
    g = found.exact_graph
    if node.phase == "penalty":
        p = g.model.penalty
        return " + ".join(t for t, lam in (("λ₂·½Σw²", p.l2), ("λ₁·Σ|w|", p.l1)) if lam)
    if k == g.K + 1:
        return g.model.loss.title if node.phase == "loss" else f"∂Loss/∂{scripted('o', g.K)}"
    if node.phase == "backward":
        return f"{scripted('δ', k + 1)} · ∂{scripted('L', k)}/∂{scripted('X', k)}"
    if node.phase == "weight_grad":
        return f"{value(node.name)} = {scripted('δ', k + 1)} · ({scripted('X', k)})ᵀ"
    layer = g.model.layer(k)
    return {"linear": "w·X + b" if getattr(layer, "has_bias", False) else "w·X",
            "relu": "max(X, 0)", "leaky_relu": "max(X, slope·X)", "input": "X"}.get(layer.kind, layer.kind)


def _where(found: FloatDiff, node: NodeDiff) -> tuple[int, str, str]:
    """(the layer that computed the node, the node and its operation described, what
    that operation rounds)."""
    g = found.exact_graph
    event = g.event(node.name)
    k, K = event.k, g.K
    op = _operation(found, node, k)
    if node.phase == "penalty":
        return K + 1, f"P = {op}, the penalty on the weights", _penalty_rounds(g)
    if node.phase == "loss" or event.k == K + 1:
        what = f"the loss, {op}" if node.phase == "loss" else f"{value(node.name)} = {op}, the loss's derivative"
        return K + 1, what, _loss_rounds(g, node.phase)
    layer = g.model.layer(k)
    does = {"forward": "the output of", "backward": "the learning flow back through",
            "weight_grad": "the weight gradient of"}[node.phase]
    rounds = _ROUNDS.get(layer.kind, "float64 rounds its result to 53 significant bits")
    if node.phase != "forward":
        rounds = "float64 rounds every product and sum of the backward pass"
    named = op if node.phase == "weight_grad" else f"{value(node.name)} = {op}"
    return k, f"{named}, {does} {scripted('L', k)} ({layer.describe()})", rounds


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


def _flow(found: FloatDiff, node: NodeDiff, exact: bool):
    """The node's values without a penalty's term (δw^k of a weight matrix: its data
    term, the learning flow's part), in either arithmetic."""
    g = found.exact_graph if exact else found.float_graph
    values = node.exact if exact else node.float
    term = (g.penalty_grads or {}).get(weight_key(node.name)) if node.phase == "weight_grad" else None
    return values if term is None else values - term


def _first_reach(found: FloatDiff, reached: list[NodeDiff]) -> list[str]:
    """Where the first difference travels (``reached``: the values it reaches), or where
    the learning flow stops (a δ becomes 0, and every later δ and δw's data term with it)."""
    backward = [n for n in reached if n.phase in ("backward", "weight_grad")]
    stopped = next((n for n in backward if is_zero(_flow(found, n, False)) and not is_zero(_flow(found, n, True))),
                   None)
    if stopped is not None and all(is_zero(_flow(found, n, False)) for n in backward[backward.index(stopped):]):
        rest = reached[reached.index(stopped) + 1:]
        zero = [node_name(n.name) for n in rest if is_zero(n.float)]
        termed = [node_name(n.name) for n in rest if not is_zero(n.float)]  # a penalised δw: its term is left
        j = first_component(stopped)
        tail = f": {listed(zero)} {'is' if len(zero) == 1 else 'are'} 0 too" if zero else ""
        if termed:
            tail += (", and " if zero else ": ") + (f"{listed(termed)} {'keeps' if len(termed) == 1 else 'keep'} "
                                                    "only the penalty's term")
        return [f"{named_node(stopped, j)} = 0 in float instead of {format_number(stopped.exact[j])}, and the "
                f"learning flow stops{tail}."]
    if reached:
        return [f"The difference reaches {listed([node_name(n.name) for n in reached])}."]
    return ["It reaches no other node."]


def _rounded_reads(found: FloatDiff, names, features) -> str | None:
    """'W2[1,1] = 1/200 becomes 0.005': the first of the read numbers ``names`` that float
    holds rounded, or None."""
    held = read_numbers(found.exact_graph)
    return next((u for r in names if r in held and (u := unheld_value(r, held[r], features))), None)


def _unheld(found: FloatDiff, c: Cause, features) -> tuple[str | None, str | None]:
    """(a rounded number whose rounding gets through to ``c``'s value, "W2[1,1] = 1/200
    becomes 0.005", or None; else one it reads whose rounding changes nothing, or None)."""
    unheld = _rounded_reads(found, c.rounded, features)
    return unheld, None if unheld else _rounded_reads(found, inputs(found.exact_graph, c.name)[1], features)


def _capital(name: str) -> str:
    """"the loss" → "The loss"; a value's name (δw2, o²) as the graph writes it."""
    return "The" + name[3:] if name.startswith("the ") else name


def _others(found: FloatDiff, reach: dict[str, Cause], first: NodeDiff, features) -> list[str]:
    """The differences that do not come from the first: each other origin (with a penalty,
    P and each δw^k read weights float holds rounded) and where it travels; and a value
    reached by the first that differs on its own account too (a penalised δw^k)."""
    said = []
    for c in reach.values():
        if not c.origin or c.name == first.name:
            continue
        unheld, ignored = _unheld(found, c, features)
        term = "its penalty's term is computed from" if penalty_term(found, c.name) else "it reads"
        why = (f"{term} numbers float cannot hold (for one, {unheld})" if unheld
               else f"it reads numbers float cannot hold (for one, {ignored}), but their rounding changes "
                    "nothing here, so the rounding is its own" if ignored
               else "every number it reads is exactly a float, so the rounding is its own")
        gone = [node_name(d.name) for d in reach.values() if d.name != c.name and c.name in d.origins]
        said.append(f"{_capital(node_name(c.name))} differs too, but not because of "
                    f"{node_name(first.name)}: {why}" + (f"; its difference reaches {listed(gone)}." if gone else "."))
    for c in reach.values():
        if not c.own or c.origin:
            continue
        unheld = _rounded_reads(found, c.rounded, features)
        node = next(n for n in found.nodes if n.name == c.name)
        if penalty_term(found, c.name):
            why = "float computes its penalty's term from " + (f"numbers it cannot hold (for one, {unheld})."
                                                                if unheld else "its own roundings.")
        else:
            why = (f"it reads numbers float cannot hold (for one, {unheld})." if unheld
                   else f"{_where(found, node)[2]}.")
        said.append(f"{_capital(node_name(c.name))} differs on its own account too: {why}")
    return said


def story(found: FloatDiff, features=()) -> Story:
    """The first difference's cause and reach, in sentences; ``features``: the data's
    names, which the neuron view writes for the inputs (x₁ without them)."""
    first = found.first
    if first is None:
        return Story(None, None, (), ("Float gives the exact value at every node of this sample: every "
                                      "rounding on the way happened to land on the exact number.",))
    i = first_component(first)
    k, what, rounds = _where(found, first)
    said = [f"The first difference is {what}: {named_node(first, i)} is "
            f"{format_number(float(first.float[i]))} in float where the exact value is "
            f"{format_number(first.exact[i])}{relative(first, i)}."]
    reach = causes(found)
    unheld, ignored = _unheld(found, reach[first.name], features)
    cancel = ", and terms that cancel exactly in rationals leave a tiny remainder" if first.exact[i] == 0 else ""
    if unheld:
        said.append(f"Float cannot hold every number it reads (for one, {unheld}), so it starts from rounded "
                    f"numbers; then {rounds}{cancel}.")
    elif ignored:
        said.append(f"It reads numbers float cannot hold (for one, {ignored}), but their rounding changes nothing "
                    f"here, so the rounding is the operation's own: {rounds}{cancel}.")
    else:
        said.append(f"Every number it reads is exactly a float, so the rounding is the operation's own: "
                    f"{rounds}{cancel}.")
    gates = _gates(found)
    g = found.exact_graph
    for gk, how, why in gates:
        kind = {"relu": "ReLU", "leaky_relu": "leaky ReLU"}[g.model.layer(gk).kind]
        said.append(f"Then the {kind} gate of {scripted('L', gk)} {how}: {why}.")
    later = [n for n in found.nodes[found.nodes.index(first) + 1:]]
    hidden = [node_name(n.name) for n in later if not n.differs and n.phase in ("forward", "loss")]
    if hidden and gates:
        said.append(f"Forward, the gate hides it: {listed(hidden)} {'is' if len(hidden) == 1 else 'are'} "
                    f"the same in both.")
    said += _first_reach(found, [n for n in later if n.differs and first.name in reach[n.name].origins])
    said += _others(found, reach, first, features)
    return Story(first.name, k, tuple(gk for gk, _, _ in gates), tuple(said))
