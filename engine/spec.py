"""The JSON model file ("backprop-explorer/1") <-> Spec (name, description, Model, Dataset).

The format is documented in docs/model-format.md; its size limits live in
engine/limits.py and each layer entry is read by engine/spec_layers.py. A file may come from anyone, so reading it is defensive: plain
``json`` (never eval or pickle), the byte size checked before parsing, and every
problem reported as one :class:`SpecError` that says what is wrong and where
("layer 3: weights have shape (2, 4), expected (4, 2)").
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np

from . import limits, spec_json
from .layers import Layer
from .spec_json import SpecError, kind_of, read_numbers, read_object, read_text, shown
from .losses import LOSSES
from .model import Dataset, Model
from .numbers import ARITHMETICS
from .penalty import KEYS as PENALTY_KEYS, Penalty, read_lambda
from .spec_layers import check_exact_ok, read_layers  # each entry of "layers" is read there
from .spec_data import EXTRA_KEYS, extras_to_dict, read_extras  # a CSV's standardize and test rows

__all__ = ["FORMAT", "Spec", "dump_spec", "load_spec", "spec_from_dict", "spec_to_dict"]

FORMAT = "backprop-explorer/1"
_TOP_KEYS = ("format", "name", "description", "arithmetic", "layers", "loss", "penalty", "data")
_DATA_KEYS = ("x", "y", "feature_names", "target_names", *EXTRA_KEYS)


@dataclass(frozen=True)
class Spec:
    """A model with its data, as a model file or a preset describes it."""

    name: str
    description: str
    model: Model
    data: Dataset

    @property
    def arithmetic(self) -> str:
        return self.model.arithmetic

    def cast(self, arithmetic: str) -> "Spec":
        """The same spec computing in another arithmetic."""
        return self if arithmetic == self.arithmetic else replace(self, model=self.model.cast(arithmetic))


# reading -----------------------------------------------------------------

class _Object(dict):
    """A JSON object that remembers its first repeated key (json keeps the last silently)."""

    duplicate = None


def _pairs(pairs):
    obj = _Object()
    for key, value in pairs:
        if key in obj and obj.duplicate is None:
            obj.duplicate = key
        obj[key] = value
    return obj


def load_spec(source: str | bytes) -> Spec:
    """Read a model file's text (or bytes); raise SpecError if it is not a usable model."""
    if isinstance(source, (bytes, bytearray)):
        _check_bytes(len(source))
        try:
            text = bytes(source).decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise SpecError(f"the file is not UTF-8 text (byte {e.start})") from None
    elif isinstance(source, str):
        _check_bytes(len(source.encode("utf-8", "surrogatepass")))
        text = source.removeprefix("\ufeff")
    else:
        raise SpecError(f"expected the text of a JSON file, got {type(source).__name__}")
    doc = _decode(text, spec_json.json_float)
    if isinstance(doc, dict) and doc.get("arithmetic") == "exact":
        # numbers as typed: read again keeping each literal whose float would not mean it
        # (a second pass, as exact files are small; float files keep the fast one)
        doc = _decode(text, spec_json.json_exact)
    return spec_from_dict(doc)


def _decode(text: str, parse_float):
    try:
        return json.loads(text, object_pairs_hook=_pairs, parse_float=parse_float,
                          parse_int=spec_json.json_int, parse_constant=spec_json.json_constant)
    except json.JSONDecodeError as e:
        raise SpecError(f"not valid JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
    except RecursionError:
        raise SpecError("not valid JSON: arrays or objects nest too deeply") from None
    except SpecError:
        raise
    except ValueError as e:
        raise SpecError(f"not valid JSON: {str(e)[:200]}") from None


def _check_bytes(n: int) -> None:
    if n > limits.MAX_FILE_BYTES:
        raise SpecError(f"the file has {n:,} bytes; at most {limits.MAX_FILE_BYTES:,} are accepted")


def spec_from_dict(doc) -> Spec:
    """Validate an already-parsed document (as from json.loads) and build the Spec."""
    read_object(doc, "top level", required=("format", "layers", "loss", "data"), optional=_TOP_KEYS)
    if doc["format"] != FORMAT:
        raise SpecError(f"format: expected {FORMAT!r}, got {shown(doc['format'])}")
    name = read_text(doc.get("name", "untitled"), "name", limits.MAX_NAME_CHARS)
    description = read_text(doc.get("description", ""), "description", limits.MAX_DESCRIPTION_CHARS)
    arithmetic = doc.get("arithmetic", "float")
    if arithmetic not in ARITHMETICS:
        raise SpecError(f"arithmetic: expected one of {', '.join(ARITHMETICS)}, got {shown(arithmetic)}")
    layers = read_layers(doc["layers"], arithmetic)
    loss_kind = doc["loss"]
    if not isinstance(loss_kind, str) or loss_kind not in LOSSES:
        raise SpecError(f"loss: unknown loss {shown(loss_kind)}; known losses: {', '.join(LOSSES)}")
    check_exact_ok(loss_kind, "loss", arithmetic)
    penalty = _penalty(doc.get("penalty", {}), arithmetic)  # outside the try: its errors name their place, not "layers"
    try:
        model = Model(layers=tuple(layers), loss=LOSSES[loss_kind](), arithmetic=arithmetic, penalty=penalty)
    except ValueError as e:
        raise SpecError(f"layers: {e}") from None
    data = _data(doc["data"], model)
    return Spec(name=name, description=description, model=model, data=data)


def _penalty(doc, arithmetic: str) -> Penalty:
    """The optional "penalty": {"l2": λ₂, "l1": λ₁}, each a number ≥ 0, read and named as
    every λ is (engine/penalty.py: read_lambda)."""
    read_object(doc, "penalty", required=(), optional=PENALTY_KEYS)
    try:
        return Penalty(**{key: read_lambda(doc.get(key, 0), key, arithmetic) for key in PENALTY_KEYS})
    except ValueError as e:
        raise SpecError(str(e)) from None


def _data(doc, model: Model) -> Dataset:
    read_object(doc, "data", required=("x", "y"), optional=_DATA_KEYS)
    arithmetic = model.arithmetic
    x, y = doc["x"], doc["y"]
    for name, rows in (("x", x), ("y", y)):
        if not isinstance(rows, list) or not rows:
            raise SpecError(f"data.{name}: expected a non-empty list of rows, got {kind_of(rows)}")
    if len(y) != len(x):
        raise SpecError(f"data.y has {len(y)} rows but data.x has {len(x)}")
    most = limits.samples_limit(arithmetic)
    if len(x) > most:
        raise SpecError(f"data.x: {len(x):,} samples; at most {most:,} in {arithmetic} arithmetic")
    if len(x) * (model.size_in + model.size_out) > limits.MAX_DATA_VALUES:
        raise SpecError(f"data: more than {limits.MAX_DATA_VALUES:,} numbers in x and y together")
    for name, rows, width, what in (("x", x, model.size_in, "the input layer's size"),
                                    ("y", y, model.size_out, "the last layer's size")):
        for i, row in enumerate(rows, 1):
            if not isinstance(row, list):
                raise SpecError(f"data.{name} row {i}: expected a list of numbers, got {kind_of(row)}")
            if len(row) != width:
                raise SpecError(f"data.{name} row {i}: has {len(row)} numbers, expected {width} ({what})")
    names = {}
    for key, width in (("feature_names", model.size_in), ("target_names", model.size_out)):
        value = doc.get(key, [])
        if not isinstance(value, list):
            raise SpecError(f"data.{key}: expected a list of strings, got {kind_of(value)}")
        if value and len(value) != width:
            raise SpecError(f"data.{key}: {len(value)} names for {width} columns")
        names[key] = tuple(read_text(v, f"data.{key} item {i}", limits.MAX_NAME_CHARS)
                           for i, v in enumerate(value, 1))
    data = Dataset(x=read_numbers(x, "data.x", arithmetic), y=read_numbers(y, "data.y", arithmetic), **names)
    return read_extras(doc, data, model)


# writing -----------------------------------------------------------------

def dump_spec(spec: Spec | Model, data: Dataset | None = None, *, name: str = "untitled",
              description: str = "") -> str:
    """The model file's text for a Spec, or for a Model and its Dataset; load_spec reads it back.

    Exact numbers are written as "p/q" strings (whole numbers as JSON integers), floats
    as JSON numbers that read back to the same float64.
    """
    if isinstance(spec, Model):
        if data is None:
            raise ValueError("dump_spec(model, data): the data is missing")
        spec = Spec(name=name, description=description, model=spec, data=data)
    return _emit(spec_to_dict(spec)) + "\n"


def spec_to_dict(spec: Spec) -> dict:
    """The JSON document of a Spec, as plain dicts, lists, numbers and strings."""
    data = {"x": _json_rows(spec.data.x), "y": _json_rows(spec.data.y)}
    if spec.data.feature_names:
        data["feature_names"] = list(spec.data.feature_names)
    if spec.data.target_names:
        data["target_names"] = list(spec.data.target_names)
    data.update(extras_to_dict(spec.data, _json_rows))  # x as written when standardised
    doc = {"format": FORMAT, "name": spec.name, "description": spec.description,
           "arithmetic": spec.model.arithmetic, "layers": [_layer_dict(l) for l in spec.model.layers],
           "loss": spec.model.loss.kind}
    if spec.model.penalty.active:  # left out when 0: files without one stay as they were
        doc["penalty"] = {key: _json_number(v) for key, v in spec.model.penalty.to_entry().items()}
    doc["data"] = data
    return doc


def _layer_dict(layer: Layer) -> dict:
    """The layer's file entry (each layer declares it: ``to_entry``), its numbers as JSON."""
    return {key: _json_value(v) for key, v in layer.to_entry().items()}


def _json_value(v):
    if isinstance(v, np.ndarray):  # a bias (one row) or weights (rows)
        return _json_rows(v[None, :])[0] if v.ndim == 1 else _json_rows(v)
    return v if isinstance(v, (bool, int, str)) else _json_number(v)


def _json_rows(a: np.ndarray) -> list:
    if a.dtype != object:
        a = np.asarray(a, dtype=np.float64)
        if np.all(a == np.round(a)) and np.all(np.abs(a) < 2 ** 53):  # 0/1 labels read better as 0, 1
            return a.astype(np.int64).tolist()
        return a.tolist()
    return [[_json_number(v) for v in row] for row in a]


def _json_number(v):
    if isinstance(v, Fraction):
        return v.numerator if v.denominator == 1 else f"{v.numerator}/{v.denominator}"
    return float(v)


def _emit(value, depth: int = 0) -> str:
    """JSON that a person can read: short things on one line, one row of numbers per line.

    Built bottom-up, each number formatted once: a 10,000-row dataset stays fast."""
    if not isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    is_dict = isinstance(value, dict)
    children = value.values() if is_dict else value
    if not any(isinstance(v, (list, dict)) for v in children):
        return json.dumps(value, ensure_ascii=False)
    parts = [(json.dumps(k, ensure_ascii=False) + ": " if is_dict else "") + _emit(v, depth + 1)
             for k, v in (value.items() if is_dict else enumerate(value))]
    open_, close = "{}" if is_dict else "[]"
    line = open_ + ", ".join(parts) + close
    if len(line) <= 100 and "\n" not in line:
        return line
    pad = "  " * (depth + 1)
    return open_ + "\n" + ",\n".join(pad + p for p in parts) + "\n" + "  " * depth + close
