"""The layers of a model file: each entry of ``"layers"`` read into a validated Layer.

One entry at a time, each checked against the layer before it (sizes, weight shapes,
the arithmetic), so a problem is reported where it is: "layer 3: weights have shape
(2, 4), expected (4, 2)". Reading the whole document is engine/spec.py's job.
"""
from __future__ import annotations

from . import limits
from .layers import LAYER_TYPES, Layer
from .spec_json import SpecError, kind_of, read_integer, read_object, shown
from .losses import LOSSES


def read_layers(items, arithmetic: str) -> list[Layer]:
    """The document's "layers" list as Layers; the first must be the input layer."""
    if not isinstance(items, list):
        raise SpecError(f"layers: expected a list of layers, got {kind_of(items)}")
    if not items:
        raise SpecError("layers: the model needs at least an input layer")
    if len(items) > limits.MAX_LAYERS:
        raise SpecError(f"layers: {len(items)} layers; at most {limits.MAX_LAYERS} are accepted")
    layers: list[Layer] = []
    parameters = 0
    for k, item in enumerate(items, 1):
        size_in = layers[-1].size_out if layers else None
        layer = _layer(item, k, size_in, arithmetic)
        parameters += sum(p.size for p in layer.params.values())
        if parameters > limits.MAX_PARAMETERS:
            raise SpecError(f"layer {k}: the model has more than {limits.MAX_PARAMETERS:,} weights and biases,"
                            " the limit")
        layers.append(layer)
    return layers


def _layer(item, k: int, size_in: int | None, arithmetic: str) -> Layer:
    where = f"layer {k}"
    if not isinstance(item, dict):
        raise SpecError(f"{where}: expected an object like {{\"type\": \"relu\"}}, got {kind_of(item)}")
    kind = item.get("type")
    if not isinstance(kind, str) or kind not in LAYER_TYPES:
        raise SpecError(f"{where}: unknown layer type {shown(kind)}; known types: {', '.join(LAYER_TYPES)}")
    cls = LAYER_TYPES[kind]
    read_object(item, where, required=("type",) + (("size",) if cls.sized else ()),
                optional=("type", "size", *cls.keys))
    check_exact_ok(kind, where, arithmetic)
    if (k == 1) != (kind == "input"):
        raise SpecError(f"{where}: the first layer, and only the first, must be of type 'input'"
                        + ("" if k > 1 else f", got {kind!r}"))
    most = limits.neurons_limit(arithmetic)
    size = size_in
    if "size" in item:
        size = read_integer(item["size"], f"{where}: size", 1, most,
                            f"at most {most} neurons per layer in {arithmetic} arithmetic")
    if not cls.sized and size != size_in:
        raise SpecError(f"{where}: size {size} does not match the previous layer's size {size_in}")
    return cls.from_entry(item, k, size_in, size, arithmetic)


def check_exact_ok(kind: str, where: str, arithmetic: str) -> None:
    """Refuse a layer or loss that needs exp or log (``exact_ok`` False) in exact arithmetic."""
    if arithmetic == "exact" and not (LAYER_TYPES.get(kind) or LOSSES[kind]).exact_ok:
        raise SpecError(f"{where}: {kind} needs exp or log, which have no exact value;"
                        " use \"arithmetic\": \"float\"")
