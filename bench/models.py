"""The models and data the benchmarks run on, built once per size."""
from __future__ import annotations

import numpy as np

from engine.layers import ReLU, Tanh
from engine.layers import Input, Linear
from engine.losses import SoftmaxCrossEntropy
from engine.model import Dataset, Model
from engine.presets import load_preset
from engine.layers import initial_weights


def article(arithmetic: str = "float"):
    """The seed article's model and its 3 samples."""
    spec = load_preset("article", arithmetic)
    return spec.model, spec.data


def moons(n: int = 200):
    """2-8-8-1: tanh, tanh, sigmoid, binary cross-entropy, on ``n`` moons points."""
    spec = load_preset("moons")
    x, y = spec.data.batch("float")
    return spec.model, Dataset(x[:n], y[:n])


def mlp(sizes, batch: int, seed: int = 0):
    """Input then Linear+ReLU for each hidden size, a Linear to the classes, softmax
    cross-entropy; random inputs and one-hot targets."""
    layers = [Input(sizes[0])]
    for k, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        w = initial_weights(a, b, scheme="xavier", seed=k)
        layers.append(Linear(a, b, w, np.zeros(b)))
        if k < len(sizes) - 2:
            layers.append(ReLU(b))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, sizes[0]))
    y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], batch)]
    return Model(tuple(layers), SoftmaxCrossEntropy()), Dataset(x, y)


def deep(n_layers: int = 10, width: int = 3):
    """``n_layers`` layers in all: Input then Linear/Tanh pairs (the layer view's size test)."""
    layers = [Input(width)]
    k = 0
    while len(layers) < n_layers:
        layers.append(Linear(width, width, initial_weights(width, width, seed=k), np.zeros(width)))
        if len(layers) < n_layers:
            layers.append(Tanh(width))
        k += 1
    from engine.losses import HalfSquaredError
    model = Model(tuple(layers), HalfSquaredError())
    return model, Dataset(np.ones((1, width)) / 2, np.zeros((1, width)))
