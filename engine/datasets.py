"""2-D classification sets generated in code from a seed (numpy only, no sklearn).

Each returns ``(x, labels)``: x of shape (n, 2) as float64, labels of shape (n,) as
integer classes. Same seed, same points, on every machine.
"""
from __future__ import annotations

import numpy as np


def moons(n: int = 200, *, noise: float = 0.1, seed: int = 0):
    """Two interleaving half circles: class 0 the upper one, class 1 the lower, shifted."""
    rng = np.random.default_rng(seed)
    n0 = n // 2
    t0 = rng.uniform(0, np.pi, n0)
    t1 = rng.uniform(0, np.pi, n - n0)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])
    x = np.vstack([upper, lower]) + rng.normal(0, noise, (n, 2))
    return _shuffled(x, np.repeat([0, 1], [n0, n - n0]), rng)


def circles(n: int = 200, *, noise: float = 0.08, factor: float = 0.5, seed: int = 0):
    """A small circle (class 1) inside a large one (class 0): not linearly separable."""
    rng = np.random.default_rng(seed)
    n0 = n // 2
    t = rng.uniform(0, 2 * np.pi, n)
    radius = np.where(np.arange(n) < n0, 1.0, factor)
    x = np.column_stack([radius * np.cos(t), radius * np.sin(t)]) + rng.normal(0, noise, (n, 2))
    return _shuffled(x, np.repeat([0, 1], [n0, n - n0]), rng)


def spiral(n: int = 300, *, classes: int = 3, noise: float = 0.2, seed: int = 0):
    """``classes`` arms winding out from the centre (the CS231n spiral)."""
    rng = np.random.default_rng(seed)
    per = n // classes
    xs, labels = [], []
    for c in range(classes):
        count = per if c < classes - 1 else n - per * (classes - 1)
        r = np.linspace(0.0, 1.0, count)
        t = np.linspace(c * 4.0, (c + 1) * 4.0, count) + rng.normal(0, noise, count)
        xs.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
        labels.append(np.full(count, c))
    return _shuffled(np.vstack(xs), np.concatenate(labels), rng)


def one_hot(labels: np.ndarray, classes: int) -> np.ndarray:
    """Class numbers (n,) -> rows (n, classes) with a single 1: softmax cross-entropy targets."""
    return np.eye(classes)[labels]


def _shuffled(x, labels, rng):
    # Mixed classes, so a mini-batch taken in order still sees both.
    order = rng.permutation(len(x))
    return np.round(x[order], 4), labels[order]
