"""A CSV's Table -> the Dataset a model trains on: a seeded test split, then standardised features.

The split draws ``ceil(n × test_fraction)`` rows for the test set with
``numpy.random.default_rng(seed).permutation(n)`` (the same rows on every machine for a
seed); both parts keep the file's row order. The standardisation statistics come from
the training rows only (the test rows must not leak into training) and are applied to
both; the model file stores them with the rows as written (engine/spec_data.py).
"""
from __future__ import annotations

import math

import numpy as np

from .csv_data import CsvError, Table
from .model import Dataset
from .spec_data import Standardize


def split_rows(n: int, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(training rows, test rows) as sorted indices."""
    if not 0 <= test_fraction < 1:
        raise CsvError(f"the test fraction must be at least 0 and below 1, got {test_fraction:g}")
    n_test = math.ceil(n * test_fraction) if test_fraction > 0 else 0
    if n - n_test < 1:
        raise CsvError(f"a test fraction of {test_fraction:g} leaves no training rows out of {n}")
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def table_dataset(table: Table, *, test_fraction: float = 0.2, seed: int = 0, standardize: bool = True) -> Dataset:
    """The training Dataset (its ``test`` the held-out rows, if any)."""
    train, test = split_rows(len(table.x), test_fraction, seed)
    names = dict(feature_names=table.features, target_names=table.target_names)
    scale = Standardize.of(table.x[train]) if standardize else None

    def part(rows) -> Dataset:
        raw = table.x[rows]
        if scale is None:
            return Dataset(x=raw, y=table.y[rows], **names)
        return Dataset(x=scale.apply(raw), y=table.y[rows], raw_x=raw, standardize=scale, **names)

    data = part(train)
    if len(test):
        data = Dataset(x=data.x, y=data.y, raw_x=data.raw_x, standardize=data.standardize, test=part(test), **names)
    return data
