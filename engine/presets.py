"""Ready-made models and datasets, each a :class:`Spec`. ``article`` is the seed
article's running example; the others are training demos, written as model-file
documents so they go through the same validation as an uploaded file."""
from __future__ import annotations

from fractions import Fraction as F
from typing import Callable

import numpy as np

from . import datasets
from .layers import ReLU
from .layers import Input, Linear
from .losses import HalfSquaredError
from .model import Dataset, Model
from .spec import FORMAT, Spec, spec_from_dict


def article(arithmetic: str = "exact") -> Spec:
    """The article's model: L1 identity, L2 = w·X without bias, L3 ReLU, Loss ½(x − y)²."""
    w = [[F(1, 200), F(-3000, 11600000), F(1, 5800)]]
    model = Model(
        layers=(Input(3), Linear(3, 1, w, arithmetic=arithmetic), ReLU(1)),
        loss=HalfSquaredError(),
        arithmetic=arithmetic,
    )
    x = np.array([[100, 2000, 100], [200, 0, 0], [0, 2000, 3000]], dtype=object)
    y = np.array([[0], [1], [1]], dtype=object)
    data = Dataset(
        x=np.vectorize(F, otypes=[object])(x), y=np.vectorize(F, otypes=[object])(y),
        feature_names=("broccoli", "Tagada strawberries", "workout hours"),
        target_names=("good shape",),
    )
    return Spec("article", "The seed article's model: identity, linear 3→1, ReLU, ½(x − y)²; 3 samples",
                  model, data)


def xor() -> Spec:
    """XOR, the classic problem no single linear layer solves: 2-4-1, tanh then sigmoid."""
    return _spec("xor", "XOR: 2-4-1 MLP, tanh then sigmoid, binary cross-entropy; 4 samples",
                 layers=[_linear(4, weights=[[1, 1], [-1, -1], ["1/2", "-1/2"], ["-1/2", "1/2"]],
                                 bias=["-1/2", "1/2", 0, 0]),
                         {"type": "tanh"},
                         _linear(1, weights=[["1/2", "1/2", "1/2", "-1/2"]], bias=[0]),
                         {"type": "sigmoid"}],
                 loss="binary_cross_entropy", x=[[0, 0], [0, 1], [1, 0], [1, 1]], y=[[0], [1], [1], [0]],
                 features=["x1", "x2"], targets=["x1 xor x2"], inputs=2)


# The generated sets take their noise (the Data page's slider, as TensorFlow Playground's);
# None is each set's own default, and the description says any other.
NOISE_DEFAULTS = {"moons": 0.1, "circles": 0.08, "spiral": 0.2}


def _noisy(noise):
    kw = {} if noise is None else {"noise": float(noise)}
    return kw, "" if noise is None else f" (noise {float(noise):g})"


def moons(noise: float | None = None) -> Spec:
    kw, said = _noisy(noise)
    x, labels = datasets.moons(200, seed=0, **kw)
    return _binary("moons", f"Two interleaving half moons, 200 points{said}: 2-8-8-1 tanh MLP, sigmoid, BCE",
                   x, labels)


def circles(noise: float | None = None) -> Spec:
    kw, said = _noisy(noise)
    x, labels = datasets.circles(200, seed=0, **kw)
    return _binary("circles", f"A circle inside a circle, 200 points{said}: 2-8-8-1 tanh MLP, sigmoid, BCE",
                   x, labels)


def spiral(noise: float | None = None) -> Spec:
    kw, said = _noisy(noise)
    x, labels = datasets.spiral(300, classes=3, seed=0, **kw)
    return _spec("spiral", f"Three spiral arms, 300 points{said}: 2-16-16-3 tanh MLP, softmax cross-entropy",
                 layers=[_linear(16, seed=1), {"type": "tanh"}, _linear(16, seed=2), {"type": "tanh"},
                         _linear(3, seed=3)],
                 loss="softmax_cross_entropy", x=x.tolist(), y=datasets.one_hot(labels, 3).tolist(),
                 features=["x1", "x2"], targets=["arm 0", "arm 1", "arm 2"], inputs=2)


def _binary(name, description, x, labels) -> Spec:
    return _spec(name, description,
                 layers=[_linear(8, seed=1), {"type": "tanh"}, _linear(8, seed=2), {"type": "tanh"},
                         _linear(1, seed=3), {"type": "sigmoid"}],
                 loss="binary_cross_entropy", x=x.tolist(), y=labels[:, None].tolist(),
                 features=["x1", "x2"], targets=["class 1"], inputs=2)


def _linear(size, *, weights=None, bias=True, seed=0) -> dict:
    layer = {"type": "linear", "size": size, "bias": bias}
    if weights is None:
        layer["init"] = {"scheme": "xavier", "seed": seed}
    else:
        layer["weights"] = weights
    return layer


def _spec(name, description, *, layers, loss, x, y, features, targets, inputs) -> Spec:
    return spec_from_dict({
        "format": FORMAT, "name": name, "description": description, "arithmetic": "float",
        "layers": [{"type": "input", "size": inputs}, *layers], "loss": loss,
        "data": {"x": x, "y": y, "feature_names": features, "target_names": targets}})


PRESETS: dict[str, Callable[[], Spec]] = {
    "article": article, "xor": xor, "moons": moons, "circles": circles, "spiral": spiral}


# Training settings that suit a preset (the Train page starts from them):
# the article series' own α = 1e-7, one epoch over its 3 samples in order; XOR needs
# full batches and a few hundred epochs to find its two-line boundary. The 2-D sets
# need many small shuffled steps: α = 0.3 for 1,000 epochs in batches of 32 reaches a
# training accuracy of 1.0 (moons, circles) and 0.99 (spiral) in about 2 s each, where
# 20 epochs left them at a loss of 0.29, 0.59 and 0.68 (tests/test_csv_cli.py).
_SHUFFLED_32 = {"lr": "0.3", "batch_size": 32, "epochs": 1000, "shuffle": True}
SUGGESTED_TRAINING: dict[str, dict] = {
    "article": {"lr": "1e-7", "batch_size": 1, "epochs": 1},
    "xor": {"lr": "0.5", "batch_size": 4, "epochs": 200},
    "moons": _SHUFFLED_32, "circles": _SHUFFLED_32, "spiral": _SHUFFLED_32,
}


def load_preset(name: str, arithmetic: str | None = None) -> Spec:
    """A preset by name, optionally converted to the other arithmetic."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of: {', '.join(PRESETS)}")
    preset = PRESETS[name]()
    return preset if arithmetic is None else preset.cast(arithmetic)
