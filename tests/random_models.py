"""Small random model files, exact or float, for tests that compare the CLI's answers
with each other (a batch with its samples, the paths with δw, exact with float)."""
from __future__ import annotations

import json
import random
from fractions import Fraction

EXACT_ACTIVATIONS = ("relu", "leaky_relu", None)
FLOAT_ACTIVATIONS = EXACT_ACTIVATIONS + ("tanh", "sigmoid", "softplus")


def _number(rng: random.Random) -> str:
    f = Fraction(rng.randint(-9, 9), rng.randint(1, 5))
    return str(f)  # "-3/2" or "4": the file's exact grammar, read as float in float models


def model_doc(seed: int, arithmetic: str, samples: int = 3) -> dict:
    """A model of 2-4 layers of 1-3 neurons, its weights and data small fractions."""
    rng = random.Random(seed)
    size = rng.randint(1, 3)
    layers = [{"type": "input", "size": size}]
    activations = EXACT_ACTIVATIONS if arithmetic == "exact" else FLOAT_ACTIVATIONS
    for _ in range(rng.randint(1, 2)):
        out = rng.randint(1, 3)
        bias = [_number(rng) for _ in range(out)] if rng.random() < 0.5 else False
        layers.append({"type": "linear", "size": out, "bias": bias,
                       "weights": [[_number(rng) for _ in range(size)] for _ in range(out)]})
        size = out
        activation = rng.choice(activations)
        if activation:
            layers.append({"type": activation})
    return {"format": "backprop-explorer/1", "name": f"random {seed}", "arithmetic": arithmetic,
            "layers": layers, "loss": rng.choice(("half_squared_error", "mse", "mae")),
            "data": {"x": [[_number(rng) for _ in range(layers[0]["size"])] for _ in range(samples)],
                     "y": [[_number(rng) for _ in range(size)] for _ in range(samples)]}}


def write_model(path, seed: int, arithmetic: str, samples: int = 3) -> str:
    path.write_text(json.dumps(model_doc(seed, arithmetic, samples)))
    return str(path)
