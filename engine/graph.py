"""The recorded graph: immutable nodes, edges and a timeline of one forward + backward run.

Ids come from the model's structure, never from ``id()``: nodes ``input``, ``L1`` …
``LK``, ``Loss``, weight nodes ``L2.W``; edges ``X1`` … ``X{K+1}`` (the edge into L^k
is the variable X^k: forward it carries o^{k-1}, x for k = 1; backward δ^k) and weight
edges ``W2``, ``b2`` (forward the weights, backward δw^k). A model with an L2/L1 penalty
(engine/penalty.py) has one more node, ``Penalty``, whose edge ``P`` feeds the loss
(forward its value P, backward ∂(loss + P)/∂P = 1), and one more event, the penalty,
just before the loss: ``loss`` is then the objective, the data loss plus P, and each δw
of a weight matrix holds the penalty's term too (``penalty_grads`` keeps that term).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .model import Model


@dataclass(frozen=True)
class Node:
    id: str
    kind: str  # "input" | "layer" | "weight" | "loss" | "penalty"
    label: str
    k: int  # layer number; 0 for the input, K+1 for the loss


@dataclass(frozen=True)
class Edge:
    id: str
    source: str
    target: str
    forward: str  # name of the forward value: "x", "o1", "W2"
    backward: str  # name of the backward value: "δ1", "δw2"
    k: int


@dataclass(frozen=True)
class Event:
    step: int  # 1-based position in the timeline
    phase: str  # "forward" | "penalty" | "loss" | "backward" | "weight_grad"
    name: str  # the value produced: "o2", "loss", "δ3", "δw2"
    edge: str  # the edge (or node, for the loss) where it appears
    k: int  # the layer that computed it (K+1: the loss)


@dataclass(frozen=True)
class Graph:
    model: Model
    x: np.ndarray  # (batch, in)
    y: np.ndarray  # (batch, out)
    outputs: tuple[np.ndarray, ...]  # o^1 … o^K, each (batch, size)
    deltas: tuple[np.ndarray, ...]  # δ^1 … δ^{K+1}, each (batch, size), with the 1/n factor
    sample_losses: np.ndarray  # (batch,)
    loss: object  # mean of sample_losses, plus the penalty P if the model has one
    weight_grads: dict  # "W2" -> δw^2 summed over the batch (penalty term included), shape of W^2
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    timeline: tuple[Event, ...]
    penalty: object = 0  # P = λ₂·½Σw² + λ₁·Σ|w| (0 without a penalty)
    penalty_grads: dict = None  # "W2" -> the penalty's term of δw^2 (empty without a penalty)

    @property
    def data_loss(self):
        """The mean of the samples' losses, without the penalty."""
        return self.sample_losses.sum() / len(self.sample_losses)

    @property
    def K(self) -> int:
        return self.model.K

    @property
    def batch_size(self) -> int:
        return self.x.shape[0]

    @property
    def arithmetic(self) -> str:
        return self.model.arithmetic

    def o(self, k: int) -> np.ndarray:
        """o^k for the batch; o^0 is the data x."""
        return self.x if k == 0 else self.outputs[k - 1]

    def delta(self, k: int) -> np.ndarray:
        """δ^k for the batch, k = 1 … K+1."""
        return self.deltas[k - 1]

    def event(self, name: str) -> Event:
        """The timeline's event that computes ``name`` ("o2", "δ3", "δw2", "P", "loss")."""
        return next(e for e in self.timeline if e.name == name)

    def value(self, name: str) -> np.ndarray:
        """A recorded value by its article name: x, o2, δ3, δw2, W2, loss."""
        if name == "x":
            return self.x
        if name == "loss":
            return np.asarray(self.loss)
        if name == "P":
            return np.asarray(self.penalty)
        if name == "δP":  # ∂(loss + P)/∂P
            return np.asarray(1.0 if self.arithmetic == "float" else Fraction(1))
        if name.startswith("δw") or name.startswith("δb"):
            return self.weight_grads[weight_key(name)]
        if name.startswith("δ"):
            return self.delta(int(name[1:]))
        if name.startswith("o"):
            return self.o(int(name[1:]))
        return self.model.weights()[name]

    def shown_weight_grads(self, sample: int) -> dict:
        """The δw every view shows for row ``sample`` (layer and neuron views, trace, paths
        panel), one per weight: with one sample the δw descent uses, a penalty's term
        included; in a batch that row's share, its data term (the penalty is the batch's)."""
        return self.sample_weight_grads(sample) if self.batch_size > 1 else self.weight_grads

    def sample_weight_grads(self, sample: int) -> dict:
        """δw^k of one sample (0-based row), computed on demand: the batch value is
        their sum (plus the penalty term, if any), and storing them all would cost batch × |W| memory."""
        grads = {}
        for k, layer in enumerate(self.model.layers, 1):
            for name, g in layer.param_grads(self.o(k - 1)[sample:sample + 1],
                                             self.delta(k + 1)[sample:sample + 1]).items():
                grads[f"{name}{k}"] = g
        return grads


def weight_key(grad: str) -> str:
    """The weight a gradient belongs to, the key of ``weight_grads``: "δw2" → "W2", "δb2" → "b2"."""
    return grad[1:].replace("w", "W", 1)


def structure(model: Model) -> tuple[tuple[Node, ...], tuple[Edge, ...], tuple[Event, ...]]:
    """Nodes, edges and timeline of a model: they depend on its structure only."""
    K = model.K
    nodes = [Node("input", "input", "x", 0)]
    edges = [Edge("X1", "input", "L1", "x", "δ1", 1)]
    for k, layer in enumerate(model.layers, 1):
        nodes.append(Node(f"L{k}", "layer", f"L{k}", k))
        for name in layer.params:
            nodes.append(Node(f"L{k}.{name}", "weight", f"{name}{k}", k))
            edges.append(Edge(f"{name}{k}", f"L{k}.{name}", f"L{k}", f"{name}{k}", f"δ{name.lower()}{k}", k))
        target = f"L{k + 1}" if k < K else "Loss"
        edges.append(Edge(f"X{k + 1}", f"L{k}", target, f"o{k}", f"δ{k + 1}", k + 1))
    nodes.append(Node("Loss", "loss", "Loss", K + 1))
    penalised = model.penalty.active
    if penalised:
        nodes.append(Node("Penalty", "penalty", "Penalty", K + 1))
        edges.append(Edge("P", "Penalty", "Loss", "P", "δP", K + 1))

    events = []
    for k in range(1, K + 1):
        events.append(("forward", f"o{k}", f"X{k + 1}", k))
    if penalised:
        events.append(("penalty", "P", "Penalty", K + 1))
    events.append(("loss", "loss", "Loss", K + 1))
    events.append(("backward", f"δ{K + 1}", f"X{K + 1}", K + 1))
    for k in range(K, 0, -1):
        events.append(("backward", f"δ{k}", f"X{k}", k))
        for name in model.layer(k).params:
            events.append(("weight_grad", f"δ{name.lower()}{k}", f"{name}{k}", k))
    timeline = tuple(Event(i, *e) for i, e in enumerate(events, 1))
    return tuple(nodes), tuple(edges), timeline
