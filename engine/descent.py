"""The weights gradient descent moves, one step of it (``w ← w − α·δw``), the batches
of an epoch, and the replay that records a past step (:func:`record_step`).

A step is the passes of engine/passes.py with recording off: nothing below the first
layer with weights, no Graph, no copies."""
from __future__ import annotations

import copy
import math

import numpy as np

from .divergence import Watch
from .graph import Graph
from .model import Dataset, Model
from .numbers import check_size, float_number, format_number, parse_number
from .passes import Plan, check_float_range, run
from .penalty import NONE, Penalty, apply as apply_penalty
from .record import record


def gradients(layers, loss_fn, x, y, exact: bool, plan: Plan | None = None, watch: Watch | None = None,
              penalty: Penalty = NONE):
    """Mean loss of the batch and {"W2": δw², …}: the passes without what training never
    reads. ``plan`` (Plan(layers, loss_fn, full=False)) and ``watch`` are made once per run.
    With a ``penalty`` (engine/penalty.py) the loss is the objective, mean loss + P, and
    each δw of a weight matrix holds the penalty's term.

    Float: the loss is inf when a value it does not show is not finite, a hidden value
    or the input of a clipping loss (see engine.divergence), so that training stops
    there as for any other inf. Exact: NotExactError when fractions grow too long,
    FloatRangeError when a value leaves float64's range."""
    plan = plan or Plan(layers, loss_fn, full=False)
    values, sample_losses, _, grads = run(plan, layers, loss_fn, x, y, exact)
    loss = sample_losses.sum() / len(sample_losses)  # sum/n: cheaper than .mean()
    if penalty.active:
        loss = loss + apply_penalty(penalty, layers, grads, exact)[0]
    if exact:
        if penalty.active:
            check_float_range(np.asarray([loss], dtype=object), "the loss with the penalty")
        return loss, grads
    loss = float(loss)
    watch = watch or Watch(layers, loss_fn, y)
    if not watch.finite(values, values[-1], y, sample_losses, loss_fn, loss):
        return math.inf, grads
    return loss, grads


class Descent:
    """Private copies of a model's layers whose weights the steps rebind (arrays are
    never written in place, so the caller's model and every snapshot stay as they
    were), what a step calls, and the weights now and before the last update (to roll
    back an overflow or a fraction grown too long)."""

    def __init__(self, model: Model, lr, y_all=None):
        self.layers = layers = []
        for layer in model.layers:
            new = copy.copy(layer)
            new.params = dict(layer.params)
            layers.append(new)
        self.model, self.loss, self.lr, self.penalty = model, model.loss, lr, model.penalty
        self.exact = model.arithmetic == "exact"
        self.plan = Plan(layers, model.loss, full=False)
        self.watch = Watch(layers, model.loss, y_all)
        # (key, params dict, name) for every weight: the update rebinds params[name]
        self.refs = [(f"{name}{k}", layer.params, name) for k, layer in enumerate(layers, 1) for name in layer.params]
        self.current = self.weights()  # key -> array, as History keeps them; also a step's snapshot
        self.previous = None

    def weights(self) -> dict[str, np.ndarray]:
        return {key: params[name] for key, params, name in self.refs}

    def now(self) -> Model:
        """The model with the weights now."""
        return self.model.with_weights(self.weights())

    def update(self, grads) -> None:
        """w ← w − α·δw with new arrays: snapshots and the rollback keep references to
        the old ones, never copies."""
        lr = self.lr
        for key, params, name in self.refs:
            params[name] = params[name] - lr * grads[key]
        self.previous, self.current = self.current, self.weights()

    def undo(self) -> None:
        """Put the weights before the last update back."""
        for key, params, name in self.refs:
            params[name] = self.previous[key]

    def check_exact(self) -> None:
        """NotExactError if an updated exact weight grew too long or past float64's range."""
        for key, params, name in self.refs:
            where = f"the weights {key} after the update"
            check_size(params[name], where)
            check_float_range(params[name], where)


def epoch_batches(x_all, y_all, batch_size: int, shuffle: bool, rng):
    """The (x, y) batches of one epoch, in a new order from ``rng`` when shuffling."""
    if shuffle:
        order = rng.permutation(len(x_all))
        x_all, y_all = x_all[order], y_all[order]
    n = len(x_all)
    if batch_size >= n:  # full-batch learning: the views of slicing would only cost time
        return ((x_all, y_all),)
    return ((x_all[start:start + batch_size], y_all[start:start + batch_size]) for start in range(0, n, batch_size))


def read_lr(lr, arithmetic):
    value = parse_number(lr)
    try:  # refused in both arithmetics, as in a model file: every number can be shown in float
        float(value)
    except OverflowError:
        shown = lr.strip()[:40] if isinstance(lr, str) else format_number(value)[:40]
        raise ValueError(f"the learning rate {shown} is past float64's range (about 1.8e308)") from None
    # in float, engine.numbers refuses a rate it would make 0 (1e-400) rather than round it
    return value if arithmetic == "exact" else float_number(lr)


def record_step(result_or_history, model0: Model, data: Dataset, step: int, *, after: bool = False) -> Graph:
    """The recorded Graph of a past step, with the weights before its update (``after``:
    the weights after it, those of the snapshot at ``step``, on the same batch: what
    the Train page's film shows at that frame).

    Replays from the nearest weight snapshot before ``step`` with the same batch order
    (same seed), so any step can be recorded afterwards at a cost of at most
    ``history.snapshot_every`` steps.
    """
    history = getattr(result_or_history, "history", result_or_history)
    cfg = history.config
    if not 1 <= step <= len(history.steps):
        raise ValueError(f"step {step} was not trained; the history has steps 1 to {len(history.steps)}")
    start = max(s for s in history.weights if s < step)
    x_all, y_all = data.batch(cfg["arithmetic"])
    descent = Descent(model0.with_weights(history.weights[start]), read_lr(cfg["lr"], cfg["arithmetic"]), y_all)
    rng = np.random.default_rng(cfg["seed"]) if cfg["shuffle"] else None
    s = 0
    for _ in range(cfg["epochs"]):
        for x, y in epoch_batches(x_all, y_all, cfg["batch_size"], cfg["shuffle"], rng):
            s += 1
            if s <= start:
                continue
            if s == step and not after:
                return record(descent.now(), x, y)
            descent.update(gradients(descent.layers, descent.loss, x, y, descent.exact, descent.plan, descent.watch,
                                     descent.penalty)[1])
            if s == step:
                return record(descent.now(), x, y)
    raise AssertionError("unreachable: step lies within the history")
