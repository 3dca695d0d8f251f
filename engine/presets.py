"""Ready-made models and datasets. ``article`` is the seed article's running example."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction as F
from typing import Callable

import numpy as np

from .activations import ReLU
from .layers import Input, Linear
from .losses import HalfSquaredError
from .model import Dataset, Model


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    model: Model
    data: Dataset


def article(arithmetic: str = "exact") -> Preset:
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
    return Preset("article", "The seed article's model: identity, linear 3→1, ReLU, ½(x − y)²; 3 samples",
                  model, data)


PRESETS: dict[str, Callable[..., Preset]] = {"article": article}


def load_preset(name: str, arithmetic: str | None = None) -> Preset:
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of: {', '.join(PRESETS)}")
    preset = PRESETS[name]()
    if arithmetic is not None and arithmetic != preset.model.arithmetic:
        preset = Preset(preset.name, preset.description, preset.model.cast(arithmetic), preset.data)
    return preset
