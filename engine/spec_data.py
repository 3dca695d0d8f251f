"""The optional parts of a model file's ``"data"`` that a CSV brings (docs/model-format.md):

- ``"standardize": {"mean": [...], "std": [...]}``: each feature's mean and standard
  deviation over the training rows. The file keeps the rows as written; the reader
  applies ``(x − mean) / std`` to them (training and test rows alike), so a file gives
  the same inputs on every machine and new raw rows can be fed the same way.
- ``"test": {"x": [...], "y": [...]}``: held-out rows, written out (not a seed to
  re-draw them), never trained on; the loss and accuracy are also reported on them.

engine/spec.py reads the rest of the document and calls :func:`read_extras` last.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from . import limits
from .spec_json import SpecError, kind_of, read_numbers, read_object
from .numbers import to_array

EXTRA_KEYS = ("standardize", "test")


@dataclass(frozen=True)
class Standardize:
    """Per-feature mean and std (std > 0), as read or computed: ``apply`` maps raw rows."""

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def of(cls, x: np.ndarray) -> "Standardize":
        """The statistics of float rows; a constant column gets std 1 (it is only centred)."""
        mean = x.mean(axis=0)
        std = x.std(axis=0)
        return cls(mean, np.where(std > 0, std, 1.0))

    def apply(self, x: np.ndarray) -> np.ndarray:
        if x.dtype == object and self.mean.dtype == object:  # exact arithmetic: fractions stay fractions
            return (x - self.mean[None, :]) / self.std[None, :]
        return (np.asarray(x, dtype=np.float64) - np.asarray(self.mean, dtype=np.float64)) \
            / np.asarray(self.std, dtype=np.float64)


def read_extras(doc: dict, data, model):
    """The Dataset ``data`` (rows as written) with the document's standardize and test applied."""
    arithmetic = model.arithmetic
    test = None
    if "test" in doc:
        read_object(doc["test"], "data.test", required=("x", "y"), optional=("x", "y"))
        x, y = doc["test"]["x"], doc["test"]["y"]
        _check_rows(x, y, model, "data.test")
        total = len(data) + len(x)
        most = limits.samples_limit(arithmetic)
        if total > most:
            raise SpecError(f"data: {total:,} samples with the test rows; at most {most:,} in {arithmetic} arithmetic")
        if total * (model.size_in + model.size_out) > limits.MAX_DATA_VALUES:
            raise SpecError(f"data: more than {limits.MAX_DATA_VALUES:,} numbers in x and y together")
        test = type(data)(x=read_numbers(x, "data.test.x", arithmetic), y=read_numbers(y, "data.test.y", arithmetic),
                          feature_names=data.feature_names, target_names=data.target_names)
    scale = None
    if "standardize" in doc:
        scale = _read_standardize(doc["standardize"], model.size_in, arithmetic)
        data = replace(data, raw_x=data.x, x=scale.apply(data.x), standardize=scale)
        if test is not None:
            test = replace(test, raw_x=test.x, x=scale.apply(test.x), standardize=scale)
    return replace(data, test=test) if test is not None else data


def _check_rows(x, y, model, where: str) -> None:
    for name, rows in (("x", x), ("y", y)):
        if not isinstance(rows, list) or not rows:
            raise SpecError(f"{where}.{name}: expected a non-empty list of rows, got {kind_of(rows)}")
    if len(y) != len(x):
        raise SpecError(f"{where}.y has {len(y)} rows but {where}.x has {len(x)}")
    for name, rows, width in (("x", x, model.size_in), ("y", y, model.size_out)):
        for i, row in enumerate(rows, 1):
            if not isinstance(row, list):
                raise SpecError(f"{where}.{name} row {i}: expected a list of numbers, got {kind_of(row)}")
            if len(row) != width:
                raise SpecError(f"{where}.{name} row {i}: has {len(row)} numbers, expected {width}")


def _read_standardize(doc, width: int, arithmetic: str) -> Standardize:
    read_object(doc, "data.standardize", required=("mean", "std"), optional=("mean", "std"))
    values = {}
    for key in ("mean", "std"):
        row = doc[key]
        if not isinstance(row, list) or len(row) != width:
            got = f"{len(row)} numbers" if isinstance(row, list) else kind_of(row)
            raise SpecError(f"data.standardize.{key}: expected {width} numbers (one per feature), got {got}")
        values[key] = to_array(read_numbers([row], f"data.standardize.{key}", arithmetic)[0], arithmetic)
    for j, s in enumerate(values["std"], 1):
        if not s > 0:
            raise SpecError(f"data.standardize.std column {j}: must be positive, got {float(s):g}")
    return Standardize(values["mean"], values["std"])


def extras_to_dict(data, rows) -> dict:
    """The ``"data"`` keys a Dataset adds to its file: ``x`` as written (when standardised),
    ``standardize`` and ``test``. ``rows`` is engine.spec's writer of number rows."""
    out = {}
    if data.standardize is not None and data.raw_x is not None:
        out["x"] = rows(data.raw_x)
        out["standardize"] = {"mean": rows(np.asarray(data.standardize.mean)[None, :])[0],
                              "std": rows(np.asarray(data.standardize.std)[None, :])[0]}
    if data.test is not None:
        test = data.test
        out["test"] = {"x": rows(test.raw_x if test.raw_x is not None and data.standardize is not None else test.x),
                       "y": rows(test.y)}
    return out
