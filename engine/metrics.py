"""How well a model does on its data: the mean loss and, for classification, the accuracy,
on the training rows and (when the data holds a test split) on the held-out rows.

Accuracy is read off the loss, which says what the outputs mean: binary cross-entropy
-> the output is a probability, class 1 above 0.5; softmax cross-entropy -> the class
is the largest logit (the largest probability: softmax keeps the order). Other losses
are regressions, with no accuracy.
"""
from __future__ import annotations

import numpy as np

from .model import Dataset, Model

CLASSIFYING = ("binary_cross_entropy", "softmax_cross_entropy")


def mean_loss(model: Model, data: Dataset) -> float | None:
    x, y = data.batch(model.arithmetic)
    # a diverged model's outputs overflow: the None below says so, not a RuntimeWarning
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        losses = model.loss.value(model.predict(x), y)
    try:  # an exact loss past float64's range (a diverged run) has no float
        loss = float(losses.sum() / len(losses))
    except OverflowError:
        return None
    return loss if np.isfinite(loss) else None  # a diverged model: JSON has no inf or nan


def accuracy(model: Model, data: Dataset) -> float | None:
    """The fraction of samples whose predicted class is the target's; None for a regression."""
    kind = model.loss.kind
    if kind not in CLASSIFYING:
        return None
    # compared as computed (exact outputs as fractions: one past float64's range has no float)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        o = model.predict(data.batch(model.arithmetic)[0])
    y = np.asarray(data.y)
    if kind == "binary_cross_entropy":
        right = (o > 0.5) == (y > 0.5)
        return float(right.all(axis=1).mean())
    return float((o.argmax(axis=1) == y.argmax(axis=1)).mean())


def evaluate(model: Model, data: Dataset) -> dict:
    """{"loss": {"train": L, "test": L}, "accuracy": {...}}; "test" only with a test split,
    "accuracy" only for classification."""
    parts = {"train": data, **({"test": data.test} if data.test is not None else {})}
    out = {"loss": {name: mean_loss(model, part) for name, part in parts.items()}}
    if model.loss.kind in CLASSIFYING:
        out["accuracy"] = {name: accuracy(model, part) for name, part in parts.items()}
    return out
