"""Gradient descent as in the article series: ``w ← w − α·δw``.

``batch_size=1`` is the sample-by-sample descent; a larger batch is batch learning:
the batch loss is the mean, each sample's learning flow carries 1/n, and δw is the sum
over the batch of those per-sample δw — the average gradient, exactly what
:func:`engine.passes.run` returns. The last batch of an epoch may be smaller
(``n % batch_size`` samples); its 1/n uses its own size. ``batch_size`` larger than
the dataset means the whole dataset.

The training loop never builds a Graph: a recorded graph costs memory and time that a
10,000-step run cannot afford. Graphs are recorded for the steps asked for up front
(``record_steps``), or afterwards with :func:`record_step`, which replays from the
nearest weight snapshot (the snapshot rule is in :class:`History`). A step is the
recording's own passes with recording off (engine/descent.py, engine/passes.py).
"""
from __future__ import annotations

from typing import Callable, Iterable

import numpy as np

from .descent import Descent, epoch_batches, gradients, read_lr
from .divergence import advice, diagnose, norms
from .graph import Graph
from .history import History, StepRecord, snapshot_every
from .limits import MAX_EXACT_TRAIN_WORK, check_exact_work, check_float_work
from .model import Dataset, Model
from .numbers import NotExactError, format_number
from .passes import FloatRangeError
from .record import check_batch, record

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
    total = _check_run_size(model, n, epochs, batch_size, max_steps)
    wanted = _steps_to_record(record_steps, total)
    x_all, y_all = data.batch(arithmetic)
    check_batch(model, x_all, y_all)
    descent = Descent(model, lr_value, y_all)
    n_params = sum(p.size for p in model.weights().values())
    every = snapshot_every(total, n_params, arithmetic)
    config = dict(lr=str(lr_value), epochs=epochs, batch_size=batch_size, shuffle=shuffle,
                  seed=seed, n_samples=n, arithmetic=arithmetic, total_steps=total)
    if model.penalty.active:  # what the run minimised besides the data's loss (engine/penalty.py)
        config.update(l2=str(model.penalty.l2), l1=str(model.penalty.l1))
    history = History(config=config, snapshot_every=every)
    history.weights[0] = descent.current
    recorded: dict[int, Graph] = {}
    stopped = None
    step = 0
    rng = np.random.default_rng(seed) if shuffle else None  # ~20 µs: not for a fixed order
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in range(1, epochs + 1):
            seen_loss, seen = 0, 0
            for x, y in epoch_batches(x_all, y_all, batch_size, shuffle, rng):
                step += 1
                if step in wanted:
                    recorded[step] = record(descent.now(), x, y)
                stopped = _step(descent, history, x, y, step, epoch, lr_shown)
                if stopped:
                    break
                seen_loss += history.steps[-1].loss * len(x)
                seen += len(x)
                if step % every == 0 or step == total:
                    history.weights[step] = descent.current
                if on_step is not None:
                    on_step(step, total)
                if should_stop is not None and step < total and should_stop():
                    history.weights[step] = descent.current  # the weights chart ends where training did
                    stopped = f"stopped at step {step:,} of {total:,} (epoch {epoch})"
                    break
            if seen:
                # Mean of the losses seen during the epoch, each before its own update:
                # free to compute, unlike a fresh pass over the dataset.
                history.epoch_losses.append(seen_loss / seen)
            if stopped:
                break
    return TrainResult(descent.now(), history, recorded, stopped)


def _step(descent: Descent, history: History, x, y, step: int, epoch: int, lr_shown: str) -> str | None:
    """One step: the gradients, the checks, the update, its StepRecord. Returns why
    training stops here instead (the step is then not in the history), or None."""
    try:
        loss, grads = gradients(descent.layers, descent.loss, x, y, descent.exact, descent.plan, descent.watch,
                                descent.penalty)
        step_norms, finite = norms(grads, descent.exact, loss)
    except NotExactError as err:
        if step == 1:  # the model as given, not the training: an error
            raise
        return _stopped(step, epoch, err, lr_shown)
    if not finite:
        stopped, rollback = diagnose(descent.model, descent.weights(), x, y, step, epoch, lr_shown)
        if rollback and descent.previous is not None:
            # The update of the step before overflowed: undo it and its record.
            descent.undo()
            history.weights.pop(step - 1, None)
            del history.steps[-1:]
        return stopped
    descent.update(grads)
    if descent.exact:
        try:
            descent.check_exact()
        except NotExactError as err:  # undo this step: history and model stay usable
            descent.undo()
            return _stopped(step, epoch, err, lr_shown)
    history.steps.append(StepRecord(step, epoch, loss, step_norms))
    return None


def _check_run_size(model: Model, n: int, epochs: int, batch_size: int, max_steps) -> int:
    """The run's number of steps, after refusing a run past the step or work limits."""
    arithmetic = model.arithmetic
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
    return total


def _steps_to_record(record_steps: Iterable[int], total: int) -> set[int]:
    wanted = sorted(set(int(s) for s in record_steps))
    if wanted and not (1 <= wanted[0] and wanted[-1] <= total):
        raise ValueError(f"record_steps must lie between 1 and {total}, got {wanted}")
    return set(wanted)


def _stopped(step, epoch, err, lr) -> str:
    text = f"training stopped at step {step} (epoch {epoch}): {err}"
    return text + advice(lr, step) if isinstance(err, FloatRangeError) else text


def _check_args(lr, epochs, batch_size, n, arithmetic):
    lr_value = read_lr(lr, arithmetic)
    if not lr_value > 0:
        raise ValueError(f"the learning rate must be positive, got {lr}")
    if int(epochs) != epochs or epochs < 1:
        raise ValueError(f"epochs must be a whole number ≥ 1, got {epochs}")
    if int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"batch_size must be a whole number ≥ 1, got {batch_size}")
    if n == 0:
        raise ValueError("the dataset is empty")
    return lr_value, int(epochs), min(int(batch_size), n)
