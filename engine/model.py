"""Model (ordered layers + loss + arithmetic) and Dataset: plain data, no I/O."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .layers import Layer
from .losses import Loss
from .numbers import ARITHMETICS, to_array
from .penalty import NONE, Penalty


@dataclass(frozen=True)
class Model:
    """L1 … LK then the Loss. Layer k (1-based, as in the article) is ``layers[k-1]``."""

    layers: tuple[Layer, ...]
    loss: Loss
    arithmetic: str = "float"
    penalty: Penalty = NONE  # L2/L1 on the weights (engine/penalty.py): part of the objective

    def __post_init__(self):
        if self.arithmetic not in ARITHMETICS:
            raise ValueError(f"unknown arithmetic {self.arithmetic!r}; expected one of {ARITHMETICS}")
        object.__setattr__(self, "layers", tuple(self.layers))
        for k in range(1, len(self.layers)):
            before, layer = self.layers[k - 1], self.layers[k]
            if before.size_out != layer.size_in:
                raise ValueError(f"layer {k + 1} expects {layer.size_in} inputs but layer {k} gives {before.size_out}")

    @property
    def K(self) -> int:
        return len(self.layers)

    @property
    def size_in(self) -> int:
        return self.layers[0].size_in

    @property
    def size_out(self) -> int:
        return self.layers[-1].size_out

    def layer(self, k: int) -> Layer:
        return self.layers[k - 1]

    def cast(self, arithmetic: str) -> "Model":
        """The same model computing in the other arithmetic (weights converted); a model
        too wide for exact arithmetic raises NotExactError before converting anything."""
        if arithmetic == "exact" and self.arithmetic != "exact":
            from .limits import check_exact_sizes
            check_exact_sizes([layer.size_out for layer in self.layers])
        return replace(self, layers=tuple(l.cast(arithmetic) for l in self.layers), arithmetic=arithmetic,
                       penalty=self.penalty.cast(arithmetic))

    def weights(self) -> dict[str, np.ndarray]:
        """Every parameter tensor by its article name: W2, b2, ..."""
        return {f"{name}{k}": p for k, layer in enumerate(self.layers, 1) for name, p in layer.params.items()}

    def with_weights(self, weights: dict[str, np.ndarray]) -> "Model":
        """A copy with some parameter tensors replaced (used by training)."""
        import copy
        layers = []
        for k, layer in enumerate(self.layers, 1):
            new = copy.copy(layer)
            new.params = {name: weights.get(f"{name}{k}", p) for name, p in layer.params.items()}
            layers.append(new)
        return replace(self, layers=tuple(layers))

    def predict(self, x) -> np.ndarray:
        """The forward pass only: o^K for a batch."""
        o = to_array(x, self.arithmetic)
        for layer in self.layers:
            o = layer.forward(o)
        return o


@dataclass(frozen=True)
class Dataset:
    """Samples x (n, in) and targets y (n, out), kept as the user wrote them (Fractions).

    Data read from a CSV (engine/csv_data.py) may carry more, all optional and written
    to the model file (engine/spec_data.py): ``standardize``, the features' training
    mean and std, already applied to ``x`` (``raw_x`` keeps the rows as written, which
    the file stores), and ``test``, the held-out rows as a Dataset of their own, never
    trained on."""

    x: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...] = field(default=())
    target_names: tuple[str, ...] = field(default=())
    raw_x: np.ndarray | None = field(default=None, compare=False)
    standardize: object | None = field(default=None, compare=False)  # engine.spec_data.Standardize
    test: "Dataset | None" = field(default=None, compare=False)

    def __len__(self) -> int:
        return len(self.x)

    def batch(self, arithmetic: str, rows=None) -> tuple[np.ndarray, np.ndarray]:
        x, y = self.x, self.y
        if rows is not None:
            x, y = x[rows], y[rows]
        return to_array(x, arithmetic), to_array(y, arithmetic)

    def sample(self, i: int, arithmetic: str) -> tuple[np.ndarray, np.ndarray]:
        """Sample i counted from 1, like the article's tables, as a batch of one."""
        if not 1 <= i <= len(self):
            raise ValueError(f"sample {i} does not exist; the dataset has samples 1 to {len(self)}")
        return self.batch(arithmetic, slice(i - 1, i))
