"""Which differences get through: one recorded value recomputed exactly, from float's
inputs with one of them put back to its exact value.

A value that reads a differing input is not always reached by it. On the article's
whole batch δ⁴ differs (its 1/3 is no float) and δ³ = δ⁴ ⊙ ∂L³/∂X³ reads it, but the
ReLU gate of the sample where δ⁴ differs is closed in float (o² ≈ -1e-16 instead of
0): δ³ is 0 there whatever δ⁴ is, so δ⁴'s rounding reaches nothing. The same holds for
a factor multiplied by an exact 0, or a max (a rectifier) that picks the other side.

So each value is recomputed in exact arithmetic (no rounding of its own: what differs
is only what flows in) from the inputs float computed with (its computed values and
the numbers it read, x, y, the weights, λ, each as the exact binary fraction float
holds), ``F``; an input's difference gets through when putting that one input back to
its exact value changes any component of ``F``. The value rounds on its own
when float's result is not ``F``: its operation's rounding (the loss's mean by n, a
penalised δw's λ₂·W). Any model exact arithmetic can compute, every operation the
passes (engine/passes.py) and the penalty (engine/penalty.py) do."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .float_diff import FloatDiff, lambdas
from .graph import Graph, weight_key
from .penalty import Penalty, gradient, value as penalty_value, weight_keys


class Unreplayable(ValueError):
    """A float input is not finite (inf, nan): it has no exact value to compute with."""


@dataclass(frozen=True)
class Through:
    inputs: tuple[str, ...]  # the differing inputs (computed or read) whose difference gets through
    rounds: bool  # float's result is not the exact result of float's inputs: its own rounding


def _fractions(a) -> np.ndarray:
    """A float array as the exact binary fractions it holds."""
    a = np.asarray(a, dtype=float)
    try:
        return np.asarray([Fraction(float(v)) for v in a.flat], dtype=object).reshape(a.shape)
    except (ValueError, OverflowError):
        raise Unreplayable("a float input is not finite") from None


def _held(g: Graph, name: str, exact: bool):
    """An input of a recorded value, as ``g`` holds it (x, y, a weight, a λ, o2, δ3, P),
    exactly: float's as the binary fraction it is; a λ as a number, the others as arrays."""
    if name.startswith("λ"):
        v = lambdas(g).get(name, 0)  # 0 if float lost a tiny one
        return v if exact else Fraction(float(v))
    held = g.y if name == "y" else g.value(name)
    return np.asarray(held, dtype=object) if exact else _fractions(held)


def _penalty(world: dict) -> Penalty:
    """The penalty of ``world``'s λ (a λ it lacks is 0)."""
    return Penalty(world.get("λ₂", 0), world.get("λ₁", 0))


def evaluate(g: Graph, name: str, world: dict) -> np.ndarray:
    """The recorded value ``name`` computed exactly from ``world`` (each of its inputs by
    name, exact arrays) with the operations of ``g``'s model."""
    event = g.event(name)
    k, K, model = event.k, g.K, g.model
    if event.phase == "penalty":
        held = model.with_weights({w: world[w] for w in weight_keys(model.layers)})
        return np.asarray(penalty_value(_penalty(world), held.layers))
    if event.phase == "loss" or k == K + 1:
        o, y = world[f"o{K}"], world["y"]
        if event.phase == "backward":
            return model.loss.delta(o, y)
        losses = model.loss.value(o, y)
        return np.asarray(losses.sum() / len(losses) + world.get("P", 0))
    # a δw reads no weight of its own layer (but its penalty's term does): the model's stay
    params = [f"{p}{k}" for p in model.layer(k).params]
    layer = model.with_weights({p: world[p] for p in params if p in world}).layer(k)
    below = world["x"] if k == 1 else world[f"o{k - 1}"]
    if event.phase == "forward":
        return layer.forward(below)
    if event.phase == "backward":
        return layer.backward(below, world[f"o{k}"], world[f"δ{k + 1}"])
    key = weight_key(name)  # weight_grad: δw2 → W2, δb2 → b2
    grad = layer.param_grads(below, world[f"δ{k + 1}"])[key.removesuffix(str(k))]
    if key in world:  # a penalised weight matrix: its term λ₂·W + λ₁·sign(W)
        grad = grad + gradient(_penalty(world), world[key])
    return grad


def _same(a, b) -> bool:
    return all(u == v for u, v in zip(np.ravel(a), np.ravel(b)))


def through(found: FloatDiff, name: str, names: list[str], differing: list[str]) -> Through:
    """Which of ``differing`` (among the value's inputs ``names``) get their difference
    through to ``name``, and whether it rounds on its own. Unreplayable when a float
    input or result is not finite."""
    ge, gf = found.exact_graph, found.float_graph
    if not differing:  # float's inputs are the exact ones: the value differs by its own rounding
        return Through((), True)
    world = {n: _held(gf, n, False) for n in names}
    F = evaluate(ge, name, world)
    rounds = not _same(_fractions(gf.value(name)), F)

    def changes(d: str) -> bool:
        # with the only differing input put back, every input is exact: the exact value
        back = ge.value(name) if len(differing) == 1 else evaluate(ge, name, {**world, d: _held(ge, d, True)})
        return not _same(back, F)

    got = tuple(d for d in differing if changes(d))
    if not got and not rounds:
        # no input alone makes a difference, yet the value differs: they do it together
        # (max(a, b) with both sides changed); each is a cause
        got = tuple(differing)
    return Through(got, rounds)
