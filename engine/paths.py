"""The paths of one weight: δw^k[i, j] as a sum over every path from the weight to the loss.

The weight W^k[i, j] multiplies o^{k-1}[j] into unit i of layer k; from there its effect
reaches the loss along every path through the later layers' units. Each step of a path
is one entry of that layer's local Jacobian ∂o^m[b]/∂o^{m-1}[a] for this sample, the last
one the loss's derivative ∂loss/∂o^K[c]. A path's product is o^{k-1}[j] times its steps,
and the chain rule says the products add up to δw^k[i, j]: exactly, in exact arithmetic.

An activation (an element-wise layer) and the identity join unit a to unit a only, so
they do not multiply the paths; any other layer (linear, softmax) joins every pair. A
loss that does the last layer's backward itself (binary cross-entropy after a Sigmoid)
gives one step for both: ∂loss/∂o^{K-1}, as the recorded δ^K does.

Units are counted from 0, like --index; Explore's panel shows them counted from 1, as the
graph's labels do, converted in one place (engine/render/path_view.py: counted, uncounted).
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import product as cartesian

from .graph import Graph
from .layers import Elementwise, Input
from .layers.base import one

MAX_PATHS = 10_000  # listed one per line: past this a listing reads as noise, and costs memory


@dataclass(frozen=True)
class Path:
    units: tuple[int, ...]  # the unit reached at each layer k … (the last before the loss)
    labels: tuple[str, ...]  # what each factor is: "o1[1]", "∂o3[0]/∂o2[0]", "∂loss/∂o3[0]"
    factors: tuple  # their values
    product: object


@dataclass(frozen=True)
class Paths:
    weight: str  # "W2"
    index: tuple[int, ...]
    paths: tuple[Path, ...]
    total: object  # the sum of the products
    recorded: object  # the data's term of δw^k[i, j] as the backward pass computed it (no penalty's term)
    # An L2/L1 penalty's term λ₂·w + λ₁·sign(w) of this component (engine/penalty.py), None
    # where none applies (no penalty, a bias, or one row of a batch: the penalty is the
    # batch's); then ``descended``, the δw the backward pass hands to descent, is
    # recorded + penalty, and the paths add up to its data term only: the penalty is no path.
    penalty: object = None
    descended: object = None

    @property
    def penalised_total(self):
        """The sum of the paths plus the penalty's term: what to compare with ``descended``."""
        return self.total if self.penalty is None else self.total + self.penalty


def parse_index(text: str) -> tuple[int, ...]:
    """"0,1" -> (0, 1)."""
    parts = text.split(",")
    if not all(p.strip().isdigit() and len(p.strip()) <= 9 for p in parts):
        raise ValueError(f"index {text[:40]!r}: give whole numbers from 0 separated by commas, like 0,1")
    return tuple(int(p) for p in parts)


def _diagonal(layer) -> bool:
    return isinstance(layer, (Elementwise, Input))


def count_paths(graph: Graph, k: int, last: int) -> int:
    """How many paths leave a unit of layer k: the product of the full layers' sizes."""
    n = 1
    for m in range(k + 1, last + 1):
        layer = graph.model.layer(m)
        if not _diagonal(layer):
            n *= layer.size_out
            if n > MAX_PATHS:
                return n
    return n


def weight_layer(weight: str) -> tuple[str, int]:
    """"W2" -> ("W", 2)."""
    name = weight.rstrip("0123456789")
    return name, int(weight[len(name):])


def gradient_name(found: Paths) -> str:
    """The gradient the paths add up to, as written: "δw2[0,1]"."""
    name, k = weight_layer(found.weight)
    return f"δ{name.lower()}{k}[{','.join(map(str, found.index))}]"


def route(found: Paths, path: Path) -> str:
    """The units a path reaches, to the loss: "o2[0] → o3[1] → loss"."""
    k = weight_layer(found.weight)[1]
    return " → ".join(f"o{m}[{u}]" for m, u in enumerate(path.units, k)) + " → loss"


def last_layer(model) -> int:
    """The last layer a path steps through before the loss: K, or K − 1 when the loss
    does layer K's backward itself (binary cross-entropy after a Sigmoid)."""
    fused = model.loss.fuses_with is not None and model.layers[-1].kind == model.loss.fuses_with
    return model.K - 1 if fused else model.K


def weight_paths(graph: Graph, weight: str, index: tuple[int, ...], sample: int = 0) -> Paths:
    """Every path of ``weight`` ("W2", "b2") component ``index`` for row ``sample``. On a
    graph of one sample they add up to its δw; on a batch's graph to row ``sample``'s
    share of δw (its δ carry the 1/n), and ``recorded`` is that share."""
    model = graph.model
    params = model.weights()
    if weight not in params:
        raise ValueError(f"the model has no weight {weight[:40]!r}; it has: {', '.join(params) or 'none'}")
    shape = params[weight].shape
    if len(index) != len(shape) or any(not 0 <= i < n for i, n in zip(index, shape)):
        where = ",".join(str(i) for i in index)
        raise ValueError(f"{weight} has shape {'×'.join(map(str, shape))}; index {where[:40]} is outside it"
                         f" (counted from 0)")
    name, k = weight_layer(weight)
    last = last_layer(model)
    n = count_paths(graph, k, last)
    if n > MAX_PATHS:
        raise ValueError(f"{weight} has {'more than ' if n > MAX_PATHS * 1000 else ''}"
                         f"{min(n, MAX_PATHS * 1000):,} paths to the loss; at most {MAX_PATHS:,} are listed")
    o = lambda m: graph.o(m)[sample]
    jacobians = {m: model.layer(m).jacobian(o(m - 1), o(m)) for m in range(k + 1, last + 1)}
    loss_step = graph.delta(last + 1)[sample]  # ∂loss/∂o^last (the fused δ^K, or δ^{K+1})
    if name == "W":
        first = (f"o{k - 1}[{index[1]}]" if k > 1 else f"x[{index[1]}]", o(k - 1)[index[1]])
    else:  # a bias adds itself: its input is 1
        first = ("1", one(o(k)))
    choices = [[None] if _diagonal(model.layer(m)) else range(model.layer(m).size_out)
               for m in range(k + 1, last + 1)]
    paths = []
    for picks in cartesian(*choices):
        units, labels, factors = [index[0]], [first[0]], [first[1]]
        for m, pick in zip(range(k + 1, last + 1), picks):
            a = units[-1]
            b = a if pick is None else pick
            units.append(b)
            labels.append(f"∂o{m}[{b}]/∂o{m - 1}[{a}]")
            factors.append(jacobians[m][b, a])
        labels.append(f"∂loss/∂o{last}[{units[-1]}]")
        factors.append(loss_step[units[-1]])
        value = factors[0]
        for f in factors[1:]:
            value = value * f
        paths.append(Path(tuple(units), tuple(labels), tuple(factors), value))
    total = paths[0].product
    for p in paths[1:]:
        total = total + p.product
    penalty = descended = None
    if graph.batch_size > 1:  # one row's share: its data term (the penalty is the batch's, not a row's)
        recorded = graph.sample_weight_grads(sample)[weight][index]
    elif weight in (graph.penalty_grads or {}):  # the paths add up the data's term; the penalty's is not a path
        descended, penalty = graph.weight_grads[weight][index], graph.penalty_grads[weight][index]
        recorded = graph.sample_weight_grads(0)[weight][index]  # the data's term, as the backward pass made it
    else:
        recorded = graph.weight_grads[weight][index]
    return Paths(weight, index, tuple(paths), total, recorded, penalty, descended)
