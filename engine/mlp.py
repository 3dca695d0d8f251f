"""A multilayer perceptron for a dataset: hidden sizes and activation chosen by the
user, the output layer and loss by the task (engine/csv_data.py):

- binary: linear → 1, sigmoid, binary cross-entropy;
- classes: linear → k, softmax cross-entropy (fused, on the logits);
- regression: linear → 1, mean squared error.

Written as a model-file document and read by engine.spec, as the presets are, so the
model is one a file would give (weights drawn by the layers' ``init``, seeded).
"""
from __future__ import annotations

from dataclasses import replace

from . import limits
from .model import Dataset
from .spec import FORMAT, Spec, spec_from_dict

ACTIVATIONS = ("tanh", "relu", "sigmoid", "leaky_relu")
ARITHMETIC = "float"  # tanh, sigmoid and the classification losses need exp and log, which exact arithmetic has not
OUTPUTS = {"binary": ([{"type": "sigmoid"}], "binary_cross_entropy"),
           "classes": ([], "softmax_cross_entropy"),
           "regression": ([], "mse")}
MAX_HIDDEN_LAYERS = (limits.MAX_LAYERS - 3) // 2  # input, output linear and its activation, then pairs


def parse_hidden(text: str) -> tuple[int, ...]:
    """"8,8" -> (8, 8); "" -> () (no hidden layer: a linear model)."""
    text = str(text).strip()
    if not text:
        return ()
    parts = [p.strip() for p in text.split(",")]
    if len(parts) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"{len(parts)} hidden layers; at most {MAX_HIDDEN_LAYERS}")
    sizes = []
    for i, p in enumerate(parts, 1):
        if not p.isascii() or not p.isdigit() or len(p) > 6:
            raise ValueError(f"hidden layer {i}: {p[:20]!r} is not a whole number (sizes as 8,8)")
        size = int(p)
        if not 1 <= size <= limits.MAX_NEURONS:
            raise ValueError(f"hidden layer {i}: {size} neurons; between 1 and {limits.MAX_NEURONS:,}")
        sizes.append(size)
    return tuple(sizes)


def mlp_spec(data: Dataset, task: str, *, hidden=(8, 8), activation: str = "tanh", seed: int = 0,
             name: str = "csv", description: str = "", penalty: dict | None = None) -> Spec:
    """The model for ``data`` (its x and y widths) and ``task``, with ``data`` as its data.
    ``penalty``: the file's "penalty" entry ({"l2": λ₂, "l1": λ₁}, engine/penalty.py), judged
    as a file's is (SpecError naming the λ as engine/penalty.py: NAMES does)."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of: {', '.join(ACTIVATIONS)}")
    head, loss = OUTPUTS[task]
    scheme = "he" if activation in ("relu", "leaky_relu") else "xavier"
    layers = [{"type": "input", "size": data.x.shape[1]}]
    for size in hidden:
        layers += [{"type": "linear", "size": size, "bias": True, "init": {"scheme": scheme, "seed": seed}},
                   {"type": activation}]
    layers += [{"type": "linear", "size": data.y.shape[1], "bias": True, "init": {"scheme": "xavier", "seed": seed}},
               *head]
    shape = "-".join(str(s) for s in (data.x.shape[1], *hidden, data.y.shape[1]))
    words = loss.replace("_", " ").replace("cross entropy", "cross-entropy")  # as the graph writes it
    description = description or f"{shape} {activation} MLP, {words}; {len(data):,} samples"
    # The model from a document (validated as a file is); the data as built, which
    # engine.spec writes out and reads back the same (tests/test_csv_data.py).
    placeholder = {"x": [[0] * data.x.shape[1]], "y": [[0] * data.y.shape[1]]}
    doc = {"format": FORMAT, "name": name, "description": description, "arithmetic": ARITHMETIC,
           "layers": layers, "loss": loss, "data": placeholder}
    if penalty:
        doc["penalty"] = penalty
    spec = spec_from_dict(doc)
    return replace(spec, data=data)
