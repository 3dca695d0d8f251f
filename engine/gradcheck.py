"""Finite differences against a recorded Graph: is every δ^k and every δw^k right?

For the edge X^k we perturb the recorded value it carries, o^{k-1}, one component at
a time, re-run L^k … L^K and the loss, and compare the central difference of the
batch loss (the mean) with δ^k; for a weight tensor we perturb one weight at a time.
With a penalty (engine/penalty.py) a weight's difference is that of the objective,
batch loss + P. Everything runs in float64: an exact graph is converted first (its recorded values
are used, so the float trap of the article does not change the point checked).

Layers act on each sample separately, so one column of o^{k-1} is perturbed in every
sample at once and each sample's loss gives its own derivative: two forward runs per
column instead of two per number.

Relative error of a tensor (``a`` the recorded gradient, ``n`` the numeric one):
``max|a − n| / max(FLOOR, max|a| + max|n|)``. Typically ~1e-9; up to ~1e-5 where the
loss curves sharply (a probability near 1 under cross-entropy); a wrong δ gives ~1;
FLOOR keeps a gradient that is 0 on both sides from dividing noise by noise.

A big model or batch is checked in part, within MAX_CHECK_WORK multiply-adds (the
Explore page runs the check on every view, for every user of the server): at most
MAX_CHECKED components per edge and per weight tensor, those with the largest recorded
gradients, nearest the loss first (the cheapest to re-run). An unchecked component's
numeric estimate is NaN, and a tensor with none checked has no entry; ``checked`` says
how many components of each were compared when that was not all of them.

Non-differentiable points are legitimately different. ReLU at exactly 0 (the
article's third sample: o2 = w·(0, 2000, 3000) = 0 exactly) has derivative 1 in the
engine (the article's convention; 0 with ``at_zero=0``), while the central difference
sees the average of both sides (½), so the error there is large. The same holds for
LeakyReLU at 0 (derivative 1, or its slope with ``at_zero=0``; each layer says which:
``Layer.at_kink``), MAE where o = y, and the L1 penalty at a weight of 0 (subgradient 0); binary cross-entropy with a probability within a
step of 0 or 1 is near log's singularity, where a finite step is too coarse. Such points are listed in ``kinks`` so a user
sees why, instead of a silent red mark.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .graph import Graph
from .numbers import format_number, to_float
from .penalty import value as penalty_value

FLOOR = 1e-8
MAX_CHECKED = 64  # components per edge or weight tensor
MAX_CHECK_WORK = 50_000_000  # multiply-adds of the re-runs together: well under a second
MAX_KINKS = 20  # notes listed; the rest are counted
REL_STEP = np.finfo(float).eps ** (1 / 3)  # ≈ 6e-6: balances truncation and rounding


@dataclass(frozen=True)
class GradCheck:
    """Relative error per edge ("X1" … "X{K+1}", for δ^1 … δ^{K+1}) and per weight
    tensor ("W2", "b2", …), the numeric estimates under the same keys, and the
    non-differentiable points met (empty when there were none)."""

    edges: dict[str, float]
    weights: dict[str, float]
    numeric: dict[str, np.ndarray]
    kinks: tuple[str, ...]
    checked: dict[str, tuple[int, int]] = field(default_factory=dict)  # key -> (compared, of), when partial

    def worst(self) -> tuple[str, float]:
        """The key with the largest relative error, and that error."""
        everything = {**self.edges, **self.weights}
        key = max(everything, key=everything.get)
        return key, everything[key]

    def ok(self, tol: float = 1e-4) -> bool:
        return self.worst()[1] <= tol


def relative_error(a: np.ndarray, n: np.ndarray) -> float:
    a, n = np.asarray(a, dtype=float), np.asarray(n, dtype=float)
    if np.isnan(n).any():  # a partial check: compare the checked components only
        a, n = a[~np.isnan(n)], n[~np.isnan(n)]
    if a.size == 0:
        return 0.0
    diff = float(np.abs(a - n).max())
    return diff / max(FLOOR, float(np.abs(a).max()) + float(np.abs(n).max()))


def _steps(values: np.ndarray) -> np.ndarray:
    """Step for each value, relative to its magnitude (at least REL_STEP)."""
    return REL_STEP * np.maximum(1.0, np.abs(values))


def gradcheck(graph: Graph) -> GradCheck:
    """Central differences for every δ^k and every δw^k of ``graph``."""
    model = graph.model.cast("float") if graph.arithmetic == "exact" else graph.model
    layers, loss = model.layers, model.loss
    y = to_float(graph.y).astype(float)
    n = graph.batch_size
    outs = [to_float(graph.o(k)).astype(float) for k in range(graph.K + 1)]

    K = graph.K
    fused = loss.fuses_with is not None and K >= 1 and layers[-1].kind == loss.fuses_with

    def sample_losses(k: int, o_in: np.ndarray, run=layers) -> np.ndarray:
        """Each sample's share of the batch loss (loss_i / n) after L^k … L^K. Below a
        last layer the loss fuses with, the loss as a function of that layer's input,
        whose derivative the passes give there (the clip flattens the other)."""
        o = o_in
        if fused and k <= K:
            for layer in run[k - 1:K - 1]:
                o = layer.forward(o)
            return loss.fused_value(o, y) / n
        for layer in run[k - 1:]:
            o = layer.forward(o)
        return loss.value(o, y) / n

    def objective_extra(run) -> float:
        """P of the weights in ``run`` (0 without a penalty): δw holds its term."""
        return float(penalty_value(model.penalty, run)) if model.penalty.active else 0.0

    edges, weights, numeric, checked = {}, {}, {}, {}
    # the multiply-adds of one re-run from L^k on: its weights and widths, per sample
    rerun = [n * (1 + sum(l.size_out + sum(p.size for p in l.params.values()) for l in layers[k - 1:]))
             for k in range(1, graph.K + 2)]
    budget = [MAX_CHECK_WORK]

    def pick(key: str, grads: np.ndarray, size: int, k: int) -> np.ndarray:
        """Which components to check (indices into ``size``), within the budget."""
        count = min(size, MAX_CHECKED, budget[0] // (2 * rerun[k - 1]))
        budget[0] -= count * 2 * rerun[k - 1]
        if count < size:
            checked[key] = (int(count), size)
        return np.argsort(-np.abs(grads), kind="stable")[:count]

    with np.errstate(all="ignore"):
        for k in range(graph.K + 1, 0, -1):  # nearest the loss first: the cheapest re-runs
            base = outs[k - 1]
            est = np.full_like(base, np.nan)
            delta = to_float(graph.delta(k)).astype(float)
            columns = pick(f"X{k}", np.abs(delta).max(axis=0) if delta.size else np.zeros(base.shape[1]),
                           base.shape[1], k)
            if len(columns) == 0 and base.shape[1]:
                continue
            for j in columns:
                h = _steps(base[:, j])
                plus, minus = base.copy(), base.copy()
                plus[:, j] += h
                minus[:, j] -= h
                width = plus[:, j] - minus[:, j]  # the step actually taken, after rounding
                est[:, j] = (sample_losses(k, plus) - sample_losses(k, minus)) / width
            numeric[f"X{k}"] = est
            edges[f"X{k}"] = relative_error(delta, est)

        for k in range(len(layers), 0, -1):
            for name, p in layers[k - 1].params.items():
                key = f"{name}{k}"
                p = np.asarray(p, dtype=float)
                est = np.full_like(p, np.nan)
                grad = to_float(graph.weight_grads[key]).astype(float)
                chosen = pick(key, grad.ravel(), p.size, k)
                if len(chosen) == 0 and p.size:
                    continue
                for flat in chosen:
                    idx = np.unravel_index(flat, p.shape)
                    h = float(_steps(p[idx]))
                    totals = []
                    for sign in (1, -1):
                        q = p.copy()
                        q[idx] += sign * h
                        run = model.with_weights({key: q}).layers
                        # the objective: the penalty is part of it (its other terms cancel)
                        totals.append(sample_losses(k, outs[k - 1], run).sum() + objective_extra(run))
                    est[idx] = (totals[0] - totals[1]) / (2 * h)
                numeric[key] = est
                weights[key] = relative_error(grad, est)
    edges = {key: edges[key] for key in sorted(edges, key=lambda e: int(e[1:]))}
    return GradCheck(edges, weights, numeric, tuple(_kinks(graph, model, outs, y)), checked)


def _kinks(graph: Graph, model, outs, y) -> list[str]:
    notes, more = [], 0

    def found(mask, note) -> None:
        """Notes for the first points of ``mask`` (at most MAX_KINKS in all); the rest counted."""
        nonlocal more
        total = int(np.count_nonzero(mask))
        shown = max(0, min(total, MAX_KINKS - len(notes)))
        for i, j in list(zip(*np.nonzero(mask)))[:shown]:
            notes.append(note(i, j))
        more += total - shown

    for k, layer in enumerate(model.layers, 1):
        at = layer.at_kink()  # the layer says if it has a kink at 0, and its derivative there
        if at is not None:
            x = outs[k - 1]
            found(np.abs(x) < _steps(x), lambda i, j: (
                f"L{k} ({layer.kind}) sample {i + 1}, component {j + 1}: its input is "
                f"{'exactly ' if x[i, j] == 0 else 'within a step of '}0, where it is not "
                f"differentiable; the engine uses derivative {format_number(at)}, finite differences "
                "see the average of both sides"))
    if model.penalty.l1:  # |w| has a kink at 0, where the engine takes sign(0) = 0
        for k, layer in enumerate(model.layers, 1):
            w = layer.params.get("W")
            if w is not None:
                w = np.asarray(w, dtype=float)
                found(np.atleast_2d(np.abs(w) < _steps(w)), lambda i, j: (
                    f"W{k}[{i + 1},{j + 1}]: the weight is {'exactly ' if w[i, j] == 0 else 'within a step of '}0, "
                    "where the L1 penalty |w| is not differentiable; the engine uses sign(w), the subgradient 0 "
                    "at exactly 0, and a finite step across 0 sees a blend of both sides"))
    smooth = model.loss.not_smooth(outs[-1], y, _steps(outs[-1]))
    if smooth is not None:
        found(*smooth)
    if more:
        notes.append(f"… and {more:,} more such points")
    return notes
