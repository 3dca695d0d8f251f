"""The layers of a model file: each entry of ``"layers"`` read into a validated Layer.

One entry at a time, each checked against the layer before it (sizes, weight shapes,
the arithmetic), so a problem is reported where it is: "layer 3: weights have shape
(2, 4), expected (4, 2)". Reading the whole document is engine/spec.py's job.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from . import limits
from .activations import LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from .layers import Input, Layer, Linear
from .limits import SpecError, kind_of, read_integer, read_number, read_numbers, read_object, read_shape, shown

LAYER_TYPES: dict[str, type[Layer]] = {cls.kind: cls for cls in
                                       (Input, Linear, ReLU, LeakyReLU, Sigmoid, Tanh, Softmax)}
# Layers and losses that need exp or log: refused in exact arithmetic when the file is
# read, rather than failing later in the middle of a pass.
FLOAT_ONLY = {"sigmoid", "tanh", "softmax", "binary_cross_entropy", "softmax_cross_entropy"}
INIT_SCHEMES = ("xavier", "he")
_LAYER_KEYS = {"input": ("size",), "linear": ("size", "bias", "weights", "init"),
               "relu": ("size", "at_zero"), "leaky_relu": ("size", "slope")}


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
    read_object(item, where, required=("type",) + (("size",) if kind in ("input", "linear") else ()),
                optional=("type",) + _LAYER_KEYS.get(kind, ("size",)))
    check_exact_ok(kind, where, arithmetic)
    if (k == 1) != (kind == "input"):
        raise SpecError(f"{where}: the first layer, and only the first, must be of type 'input'"
                        + ("" if k > 1 else f", got {kind!r}"))
    most = limits.neurons_limit(arithmetic)
    size = size_in
    if "size" in item:
        size = read_integer(item["size"], f"{where}: size", 1, most,
                            f"at most {most} neurons per layer in {arithmetic} arithmetic")
    if kind == "input":
        return Input(size)
    if kind == "linear":
        return _linear(item, k, size_in, size, arithmetic)
    if size != size_in:
        raise SpecError(f"{where}: size {size} does not match the previous layer's size {size_in}")
    if kind == "relu":
        at_zero = read_integer(item.get("at_zero", 1), f"{where}: at_zero", 0, 1, "it must be 0 or 1")
        return ReLU(size, at_zero=at_zero)
    if kind == "leaky_relu":
        # The slope stays a Fraction in both arithmetics (LeakyReLU converts it per pass);
        # read in the model's arithmetic so that float refuses a slope it would make 0.
        return LeakyReLU(size, slope=read_number(item.get("slope", Fraction(1, 100)), f"{where}: slope", arithmetic))
    return LAYER_TYPES[kind](size)


def _linear(item, k: int, size_in: int, size_out: int, arithmetic: str) -> Linear:
    where = f"layer {k}"
    if size_in * size_out > limits.MAX_PARAMETERS:  # refuse before drawing or parsing them
        raise SpecError(f"{where}: {size_in} × {size_out} weights; at most {limits.MAX_PARAMETERS:,} in a model")
    if "weights" in item and "init" in item:
        raise SpecError(f"{where}: give either weights or init, not both")
    if "weights" in item:
        shape = read_shape(item["weights"], f"{where}: weights")
        if shape != (size_out, size_in):
            raise SpecError(f"{where}: weights have shape {shape}, expected {(size_out, size_in)}"
                            " (out, in) like PyTorch")
        weights = read_numbers(item["weights"], f"{where}: weights", arithmetic)
    else:
        init = item.get("init", {})
        read_object(init, f"{where}: init", required=(), optional=("scheme", "seed"))
        scheme = init.get("scheme", "xavier")
        if scheme not in INIT_SCHEMES:
            raise SpecError(f"{where}: init scheme must be one of {', '.join(INIT_SCHEMES)},"
                            f" got {shown(scheme)}")
        seed = read_integer(init.get("seed", 0), f"{where}: init seed", 0, 2 ** 32 - 1,
                            "it must be below 2^32")
        weights = initial_weights(size_in, size_out, scheme=scheme, seed=seed, layer=k)
        if arithmetic == "exact":
            weights = np.vectorize(lambda v: Fraction(repr(v)), otypes=[object])(weights)
    bias = item.get("bias", False)
    if isinstance(bias, bool):
        bias = np.zeros(size_out) if bias else None
        if bias is not None and arithmetic == "exact":
            bias = np.array([Fraction(0)] * size_out, dtype=object)
    elif isinstance(bias, list):
        if len(bias) != size_out:
            raise SpecError(f"{where}: bias has {len(bias)} values, expected {size_out}")
        bias = read_numbers([bias], f"{where}: bias", arithmetic)[0]
    else:
        raise SpecError(f"{where}: bias must be true, false or a list of numbers, got {kind_of(bias)}")
    return Linear(size_in, size_out, weights, bias, arithmetic=arithmetic)


def initial_weights(size_in: int, size_out: int, *, scheme: str = "xavier", seed: int = 0,
                    layer: int = 0) -> np.ndarray:
    """Seeded normal weights (out, in): Xavier std √(2/(in+out)) or He std √(2/in).

    Rounded to 4 decimals so the same file gives the same weights in both arithmetics
    and exact fractions stay short. Each layer number draws from its own stream.
    """
    std = np.sqrt(2 / (size_in + size_out)) if scheme == "xavier" else np.sqrt(2 / size_in)
    rng = np.random.default_rng([seed, layer])
    return np.round(rng.normal(0.0, std, size=(size_out, size_in)), 4)


def check_exact_ok(kind: str, where: str, arithmetic: str) -> None:
    if arithmetic == "exact" and kind in FLOAT_ONLY:
        raise SpecError(f"{where}: {kind} needs exp or log, which have no exact value;"
                        " use \"arithmetic\": \"float\"")
