"""Gradient descent as in the article series: ``w ← w − α·δw``.

``batch_size=1`` is the sample-by-sample descent; a larger batch is batch learning:
the batch loss is the mean, each sample's learning flow carries 1/n, and δw is the sum
over the batch of those per-sample δw — the average gradient, exactly what
:func:`engine.record.passes` returns. The last batch of an epoch may be smaller
(``n % batch_size`` samples); its 1/n uses its own size. ``batch_size`` larger than
the dataset means the whole dataset.

The training loop never builds a Graph: a recorded graph costs memory and time that a
10,000-step run cannot afford. Graphs are recorded for the steps asked for up front
(``record_steps``), or afterwards with :func:`record_step`, which replays from the
nearest weight snapshot (the snapshot rule is in :class:`History`).
"""
from __future__ import annotations

import copy
import math
from typing import Callable, Iterable

import numpy as np

from .divergence import Watch, advice, diagnose, norms
from .graph import Graph
from .history import History, StepRecord, snapshot_every
from .limits import MAX_EXACT_TRAIN_WORK, check_exact_work, check_float_work
from .layers import Input
from .model import Dataset, Model
from .numbers import NotExactError, check_size, float_number, format_number, parse_number
from .record import FloatRangeError, check_batch, check_float_range, output_name, record

# Refused before starting: past this many steps the server would stall (float), and
# exact fractions grow with every step, so exact runs stay short.
DEFAULT_MAX_STEPS = {"float": 100_000, "exact": 1_000}


class TrainResult:
    """``model`` (a new Model; the input is never mutated), ``history``, ``recorded``
    (step -> Graph for ``record_steps``) and ``stopped`` (why training stopped early, or None)."""

    def __init__(self, model: Model, history: History, recorded: dict[int, Graph], stopped: str | None):
        self.model, self.history, self.recorded, self.stopped = model, history, recorded, stopped

    def __repr__(self):
        return f"TrainResult(steps={len(self.history.steps)}, stopped={self.stopped!r})"


def steps_per_epoch(n: int, batch_size: int) -> int:
    return -(-n // min(batch_size, n))


def train(model: Model, data: Dataset, *, lr, epochs: int, batch_size: int, shuffle: bool = False,
          seed: int = 0, record_steps: Iterable[int] = (), on_step: Callable[[int, int], None] | None = None,
          max_steps: int | None = None, should_stop: Callable[[], bool] | None = None) -> TrainResult:
    """Train ``model`` on ``data`` by gradient descent; see the module docstring.

    ``lr`` may be a number or a string ("1e-7", "1/1000"); in exact arithmetic it is
    read exactly. ``shuffle`` draws a new order each epoch from ``seed``. ``on_step(step,
    total)`` is called after every step (progress bars), then ``should_stop()``: if it
    returns true, training ends there and the result keeps the steps done, with
    ``stopped`` "stopped at step N of M". Raises ValueError before starting if the run
    would exceed ``max_steps`` (default :data:`DEFAULT_MAX_STEPS`) or the float work limit.
    """
    arithmetic = model.arithmetic
    n = len(data)
    lr_value, epochs, batch_size = _check_args(lr, epochs, batch_size, n, arithmetic)
    lr_shown = lr.strip() if isinstance(lr, str) else format_number(lr_value)  # not 201 digits for 1e200
    per_epoch = steps_per_epoch(n, batch_size)
    total = epochs * per_epoch
    limit = DEFAULT_MAX_STEPS[arithmetic] if max_steps is None else int(max_steps)
    if total > limit:
        raise ValueError(f"{epochs} epochs × {per_epoch} steps = {total} steps is more than the limit of "
                         f"{limit} steps ({arithmetic} arithmetic); use fewer epochs or a larger batch")
    n_weights = sum(p.size for p in model.weights().values())
    if arithmetic == "exact":
        check_exact_work(epochs * n, n_weights, MAX_EXACT_TRAIN_WORK, f"training {epochs} epochs")
    else:
        check_float_work(epochs, n, batch_size, n_weights, len(model.layers))
    wanted = sorted(set(int(s) for s in record_steps))
    if wanted and not (1 <= wanted[0] and wanted[-1] <= total):
        raise ValueError(f"record_steps must lie between 1 and {total}, got {wanted}")
    wanted = set(wanted)

    x_all, y_all = data.batch(arithmetic)
    check_batch(model, x_all, y_all)
    layers = _private_layers(model)
    lowest = _lowest(layers)
    plan = _plan(layers, lowest, model.loss, y_all)
    n_params = sum(p.size for p in model.weights().values())
    every = snapshot_every(total, n_params, arithmetic)
    history = History(config=dict(lr=str(lr_value), epochs=epochs, batch_size=batch_size, shuffle=shuffle,
                                  seed=seed, n_samples=n, arithmetic=arithmetic, total_steps=total),
                      snapshot_every=every)
    refs = [(f"{name}{k}", layer.params, name) for k, layer in enumerate(layers, 1) for name in layer.params]
    # The weights now (key -> array, as History keeps them) and before the last update
    # (to roll back an overflow): one small dict a step, also the step's snapshot.
    current = history.weights[0] = _weights(layers)
    recorded: dict[int, Graph] = {}
    stopped = None
    previous = None
    step = 0
    rng = np.random.default_rng(seed) if shuffle else None  # ~20 µs: not for a fixed order
    exact = arithmetic == "exact"
    whole = batch_size >= n
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in range(1, epochs + 1):
            xs, ys = _epoch_data(x_all, y_all, shuffle, rng)
            seen_loss, seen = 0, 0
            for start in range(0, n, batch_size):
                step += 1
                if whole:  # full-batch learning: the views of slicing would only cost time
                    x, y = xs, ys
                else:
                    x, y = xs[start:start + batch_size], ys[start:start + batch_size]
                if step in wanted:
                    recorded[step] = record(model.with_weights(_weights(layers)), x, y)
                try:
                    loss, grads = gradients(layers, model.loss, x, y, exact, lowest, plan)
                    step_norms, finite = norms(grads, exact, loss)
                except NotExactError as err:
                    if step == 1:  # the model as given, not the training: an error
                        raise
                    stopped = _stopped(step, epoch, err, lr_shown)
                    break
                if not finite:
                    stopped, rollback = diagnose(model, _weights(layers), x, y, step, epoch, lr_shown)
                    if rollback and previous is not None:
                        # The update of the step before overflowed: undo it and its record.
                        _restore(refs, previous)
                        history.weights.pop(step - 1, None)
                        del history.steps[-1:]
                    break
                history.steps.append(StepRecord(step, epoch, loss, step_norms))
                seen_loss += loss * len(x)
                seen += len(x)
                _update(grads, lr_value)
                previous, current = current, {key: params[name] for key, params, name in refs}
                if exact:
                    try:
                        for k, layer in enumerate(layers, 1):
                            for name, p in layer.params.items():
                                check_size(p, f"the weights {name}{k} after the update")
                                check_float_range(p, f"the weights {name}{k} after the update")
                    except NotExactError as err:  # undo this step: history and model stay usable
                        _restore(refs, previous)
                        del history.steps[-1:]
                        seen_loss, seen = seen_loss - loss * len(x), seen - len(x)
                        stopped = _stopped(step, epoch, err, lr_shown)
                        break
                if step % every == 0 or step == total:
                    history.weights[step] = current
                if on_step is not None:
                    on_step(step, total)
                if should_stop is not None and step < total and should_stop():
                    history.weights[step] = current  # the weights chart ends where training did
                    stopped = f"stopped at step {step:,} of {total:,} (epoch {epoch})"
                    break
            if seen:
                # Mean of the losses seen during the epoch, each before its own update:
                # free to compute, unlike a fresh pass over the dataset.
                history.epoch_losses.append(seen_loss / seen)
            if stopped:
                break
    return TrainResult(model.with_weights(_weights(layers)), history, recorded, stopped)


def _lowest(layers) -> int:
    """The first layer with weights: no δ below it is ever needed for training."""
    return next((k for k, layer in enumerate(layers, 1) if layer.params), len(layers) + 1)


def gradients(layers, loss_fn, x, y, exact: bool, lowest: int, plan=None):
    """Mean loss of the batch and [(layer, name, key, δw)]: record.passes without what
    training never reads (δ^1, the identity layer's copies, the Graph). ``plan`` is
    :func:`_plan` of the same layers, made once per run.

    Float: the loss is inf when a value it does not show is not finite, a hidden value
    or the input of a clipping loss (see engine.divergence), so that training stops
    there as for any other inf. Exact: NotExactError when fractions grow too long,
    FloatRangeError when a value leaves float64's range."""
    forward, backward, watch = plan or _plan(layers, lowest, loss_fn, y)
    outs = [x]
    o = x
    for k, layer_forward in forward:
        if layer_forward is not None:  # None: the identity, whose copy would only cost time
            o = layer_forward(o)
            if exact:
                where = output_name(layers, k)
                check_size(o, where)
                check_float_range(o, where)
        outs.append(o)
    sample_losses, delta = loss_fn.value_and_delta(o, y)
    if exact:
        check_float_range(sample_losses, f"the loss ({loss_fn.kind})")
    grads = []
    for k, layer, param_grads, keys, layer_backward in backward:
        if param_grads is not None:
            for name, g in param_grads(outs[k - 1], delta).items():
                grads.append((layer, name, keys[name], g))
                if exact:
                    check_float_range(g, f"the gradient δ{keys[name]}")
        if layer_backward is not None:
            delta = layer_backward(outs[k - 1], outs[k], delta)
            if exact:
                check_size(delta, f"δ{k}")
                check_float_range(delta, f"δ{k}, the learning flow on X{k}")
    loss = sample_losses.sum() / len(sample_losses)  # sum/n: cheaper than .mean()
    if exact:
        return loss, grads
    loss = float(loss)
    if not watch.finite(outs, o, y, sample_losses, loss_fn, loss):
        return math.inf, grads
    return loss, grads


def _plan(layers, lowest: int, loss_fn, y_all=None):
    """The bound methods a step calls and its gradients' keys, looked up once per run:
    at a batch of 200 a step is ~40 numpy calls of ~1 µs each, so per-layer attribute
    lookups, type checks and f-strings showed in the step time. Bound methods read
    ``layer.params`` when called, so rebinding weights in ``_update`` is seen. Last, the
    checks a float step makes (engine.divergence.Watch)."""
    forward = [(k, None if type(layer) is Input else layer.forward) for k, layer in enumerate(layers, 1)]
    backward = [(k, layer, layer.param_grads if layer.params else None,
                 {name: f"{name}{k}" for name in layer.params}, layer.backward if k > lowest else None)
                for k, layer in reversed(list(enumerate(layers, 1))) if k >= lowest]
    return forward, backward, Watch(layers, loss_fn, y_all)


def record_step(result_or_history, model0: Model, data: Dataset, step: int) -> Graph:
    """The recorded Graph of a past step, with the weights before its update.

    Replays from the nearest weight snapshot before ``step`` with the same batch order
    (same seed), so any step can be recorded afterwards at a cost of at most
    ``history.snapshot_every`` steps.
    """
    history = getattr(result_or_history, "history", result_or_history)
    cfg = history.config
    if not 1 <= step <= len(history.steps):
        raise ValueError(f"step {step} was not trained; the history has steps 1 to {len(history.steps)}")
    start = max(s for s in history.weights if s < step)
    layers = _private_layers(model0.with_weights(history.weights[start]))
    x_all, y_all = data.batch(cfg["arithmetic"])
    n, batch_size, lr = cfg["n_samples"], cfg["batch_size"], _read_lr(cfg["lr"], cfg["arithmetic"])
    rng = np.random.default_rng(cfg["seed"]) if cfg["shuffle"] else None
    exact = cfg["arithmetic"] == "exact"
    lowest = _lowest(layers)
    plan = _plan(layers, lowest, model0.loss, y_all)
    s = 0
    for _ in range(cfg["epochs"]):
        xs, ys = _epoch_data(x_all, y_all, cfg["shuffle"], rng)
        for begin in range(0, n, batch_size):
            s += 1
            if s <= start:
                continue
            x, y = xs[begin:begin + batch_size], ys[begin:begin + batch_size]
            if s == step:
                return record(model0.with_weights(_weights(layers)), x, y)
            _update(gradients(layers, model0.loss, x, y, exact, lowest, plan)[1], lr)
    raise AssertionError("unreachable: step lies within the history")


# helpers ------------------------------------------------------------------------

def _stopped(step, epoch, err, lr) -> str:
    text = f"training stopped at step {step} (epoch {epoch}): {err}"
    return text + advice(lr, step) if isinstance(err, FloatRangeError) else text


def _read_lr(lr, arithmetic):
    value = parse_number(lr)
    try:  # refused in both arithmetics, as in a model file: every number can be shown in float
        float(value)
    except OverflowError:
        shown = lr.strip()[:40] if isinstance(lr, str) else format_number(value)[:40]
        raise ValueError(f"the learning rate {shown} is past float64's range (about 1.8e308)") from None
    # in float, engine.numbers refuses a rate it would make 0 (1e-400) rather than round it
    return value if arithmetic == "exact" else float_number(lr)


def _check_args(lr, epochs, batch_size, n, arithmetic):
    lr_value = _read_lr(lr, arithmetic)
    if not lr_value > 0:
        raise ValueError(f"the learning rate must be positive, got {lr}")
    if int(epochs) != epochs or epochs < 1:
        raise ValueError(f"epochs must be a whole number ≥ 1, got {epochs}")
    if int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"batch_size must be a whole number ≥ 1, got {batch_size}")
    if n == 0:
        raise ValueError("the dataset is empty")
    return lr_value, int(epochs), min(int(batch_size), n)


def _private_layers(model: Model) -> list:
    """Shallow copies whose params dicts training may rebind; arrays are never written
    in place, so the caller's model and every snapshot stay as they were."""
    layers = []
    for layer in model.layers:
        new = copy.copy(layer)
        new.params = dict(layer.params)
        layers.append(new)
    return layers


def _weights(layers) -> dict[str, np.ndarray]:
    return {f"{name}{k}": p for k, layer in enumerate(layers, 1) for name, p in layer.params.items()}


def _restore(refs, weights):
    """Put ``weights`` (key -> array) back into the layers' params; ``refs`` lists
    (key, params dict, name) for every weight."""
    for key, params, name in refs:
        params[name] = weights[key]


def _epoch_data(x_all, y_all, shuffle, rng):
    if not shuffle:
        return x_all, y_all
    order = rng.permutation(len(x_all))
    return x_all[order], y_all[order]


def _update(grads, lr):
    """w ← w − α·δw with new arrays: snapshots and the rollback keep references to the
    old ones, never copies."""
    for layer, name, _, g in grads:
        params = layer.params
        params[name] = params[name] - lr * g
