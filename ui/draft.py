"""The Build page's draft: an editable, possibly invalid copy of a model, and the way
between it and a validated :class:`engine.spec.Spec`.

A draft is a plain dict kept in ``st.session_state`` so nothing the user typed is lost
when validation fails. Numbers stay as the text the user typed ("1/200", "0.5", even
"abc") until :func:`build_spec` hands them to engine.spec, which does all validation
and names the place of each problem. The page's tables edit a draft through
ui/build_forms.py; no Streamlit import here, so all of it is testable.
"""
from __future__ import annotations

import math
import re
from fractions import Fraction

import numpy as np

from engine.layers import LAYER_TYPES
from engine.spec_json import SpecError, json_float
from engine.numbers import format_number, is_decimal, parse_number
from engine.penalty import NAMES as LAMBDA_NAMES
from engine.spec import FORMAT, Spec, dump_spec, load_spec, spec_from_dict
from engine.spec_data import extras_to_dict
from ui.draft_words import generated_description

# The layers whose size is chosen (input, linear); activations keep their input's.
SIZED = tuple(kind for kind, cls in LAYER_TYPES.items() if cls.sized)


# the option column: the keys a layer declares for it (ReLU's at_zero, LeakyReLU's slope, ...)

def option_keys(cls) -> list:
    """(name, Key) of the keys a layer class lets the option column edit, in order."""
    return [(name, key) for name, key in cls.keys.items() if key.option]


def option_text(layer) -> str:
    """A layer's option column: its option keys' values, comma-separated; trailing defaults
    are left out, the first value is always shown ("1" for a ReLU, "1/100" for a LeakyReLU)."""
    keys = option_keys(type(layer))
    parts = [key.text(getattr(layer, name)) for name, key in keys]
    while len(parts) > 1 and parts[-1] == keys[len(parts) - 1][1].text(keys[len(parts) - 1][1].default):
        parts.pop()
    return ", ".join(parts)


def option_entry(kind, text: str) -> dict:
    """The file-entry keys of an option column's text, as typed (engine.spec judges them)."""
    keys = option_keys(LAYER_TYPES[kind]) if kind in LAYER_TYPES else []
    if not keys or not text:
        return {}
    parts = [part.strip() for part in text.split(",", len(keys) - 1)]  # the last key takes any extra commas
    return {name: key.from_text(part) for (name, key), part in zip(keys, parts) if part}


# numbers as text -----------------------------------------------------------

def cell(v) -> str:
    """A number as editable text: format_number when that loses nothing, else the shortest exact repr."""
    if isinstance(v, (float, np.floating)) and math.isfinite(v):
        # The same answer as below without parse_number (float() of a decimal is correctly
        # rounded, as parse_number's fraction is): a 784-256-128-10 model has 235,000 weights.
        text = format_number(v)
        return text if float(text) == v else repr(float(v))
    text = format_number(v)
    if isinstance(v, Fraction) or float(parse_number(text)) == float(v):
        return text
    return repr(float(v))


def as_text(v) -> str:
    """A table cell as draft text: data_editor gives None or NaN for an emptied cell."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, str):
        return v
    try:
        return cell(v)
    except (ValueError, TypeError, OverflowError):  # inf, 1e400 as a float: Apply says where it is
        return str(v)


# spec <-> draft --------------------------------------------------------------

def draft_from_spec(spec: Spec) -> dict:
    """An editable copy of a model: layers as table rows, every number as text."""
    layers, params = [], {}
    for i, layer in enumerate(spec.model.layers):
        row = {"id": i, "type": layer.kind, "size": layer.size_out, "bias": False, "option": option_text(layer)}
        if layer.kind == "linear":
            row["bias"] = layer.has_bias
            params[i] = {"W": [[cell(v) for v in r] for r in layer.params["W"]],
                         "b": [cell(v) for v in layer.params["b"]] if layer.has_bias else None}
        layers.append(row)
    # A CSV's data: its rows as written, and its statistics and test rows kept as they are
    # (engine/spec_data.py), so that Apply re-standardises the same way and keeps the test set.
    extra = extras_to_dict(spec.data, lambda a: np.asarray(a).tolist())
    x = extra.pop("x", None) or spec.data.x
    return {"name": spec.name, "description": spec.description, "arithmetic": spec.arithmetic,
            "loss": spec.model.loss.kind, "layers": layers, "params": params,
            "x": [[cell(v) for v in r] for r in x], "y": [[cell(v) for v in r] for r in spec.data.y],
            "feature_names": list(spec.data.feature_names), "target_names": list(spec.data.target_names),
            "next_id": len(layers), "data_extra": extra,
            "l2": cell(spec.model.penalty.l2), "l1": cell(spec.model.penalty.l1)}


def scratch_spec(inputs: int = 2, outputs: int = 1, arithmetic: str = "float",
                 loss: str = "half_squared_error") -> Spec:
    """The smallest useful model: input n → linear (with bias) → loss, two samples of zeros and ones."""
    layers = [{"type": "input", "size": inputs},
              {"type": "linear", "size": outputs, "bias": True, "init": {"scheme": "xavier", "seed": 0}}]
    # the generated description, which the Build page keeps in step as the layers change
    doc = {"format": FORMAT, "name": "scratch", "description": generated_description(layers, loss),
           "arithmetic": arithmetic, "layers": layers,
           "loss": loss, "data": {"x": [[0] * inputs, [1] * inputs], "y": [[0] * outputs, [1] * outputs]}}
    return spec_from_dict(doc)


_INT = re.compile(r"[+-]?[0-9]{1,15}")  # ASCII digits: int() and float() read "١٢" too


def _json_number(text, arithmetic: str):
    """Plain numbers as JSON numbers (so a draft of a preset rebuilds it exactly); the rest as text.

    A decimal cell in float arithmetic becomes what the same literal in a model file
    becomes (engine.spec_json.json_float): its float, or, when that float would be
    infinite or 0 from a nonzero decimal, a Literal the loader refuses with its place."""
    if isinstance(text, str):
        t = text.strip()
        if _INT.fullmatch(t):
            return int(t)
        if arithmetic == "float" and is_decimal(t):
            return json_float(t)
    return text


def _numbers(rows, arithmetic: str):
    return [[_json_number(v, arithmetic) for v in row] for row in rows]


def copy_draft(draft: dict) -> dict:
    """A copy that edits of the original do not reach (its tables are copied row by row;
    copy.deepcopy takes seconds on a big model's 235,000 strings, which need no copy)."""
    rows = lambda m: [list(r) for r in m]  # noqa: E731
    return {**draft, "layers": [dict(r) for r in draft["layers"]],
            "params": {i: {"W": rows(p["W"]), "b": None if p.get("b") is None else list(p["b"])}
                       for i, p in draft["params"].items()},
            "x": rows(draft["x"]), "y": rows(draft["y"]),
            "feature_names": list(draft["feature_names"]), "target_names": list(draft["target_names"])}


def same_model(a: dict, b: dict) -> bool:
    """Whether two drafts make the same model file: draft_to_doc(a) == draft_to_doc(b), but
    reading as numbers only the rows whose text differs (converting every number of a
    784-256-128-10 draft took seconds, on every rerun of Build)."""
    tables_a, tables_b = [], []

    def keep(into):  # a table is set aside, its place in the document holds its index
        return lambda rows: (into.append(rows), [len(into)] * len(rows))[1]

    doc_a, doc_b = draft_to_doc(a, keep(tables_a)), draft_to_doc(b, keep(tables_b))
    if _lambdas(doc_a.pop("penalty", {})) != _lambdas(doc_b.pop("penalty", {})) or doc_a != doc_b:
        return False  # also when the arithmetic, a layer or a table's row count differs
    arithmetic = a["arithmetic"]
    for rows_a, rows_b in zip(tables_a, tables_b):
        if rows_a != rows_b and not all(
                x == y or (len(x) == len(y) and _numbers([x], arithmetic) == _numbers([y], arithmetic))
                for x, y in zip(rows_a, rows_b)):
            return False
    return True


def draft_to_doc(draft: dict, numbers=None) -> dict:
    """The model-file document of a draft (numbers still as text) for engine.spec to judge.
    ``numbers`` turns a table (rows of cells) into the document's rows (same_model sets
    the tables aside)."""
    a = draft["arithmetic"]
    numbers = numbers or (lambda rows: _numbers(rows, a))
    layers = []
    for row in draft["layers"]:
        kind = row.get("type")
        item = {"type": kind}
        if kind in SIZED:
            item["size"] = row.get("size")
        if kind == "linear":
            p = draft["params"].get(row["id"], {})
            item["weights"] = numbers(p.get("W", []))
            item["bias"] = numbers([p["b"]])[0] if row.get("bias") and p.get("b") is not None else bool(row.get("bias"))
        option = str(row.get("option") or "").strip()  # a forged change set may send any JSON value
        item.update(option_entry(kind, option) if isinstance(kind, str) else {})
        layers.append(item)
    data = {"x": numbers(draft["x"]), "y": numbers(draft["y"])}
    for key in ("feature_names", "target_names"):
        if draft.get(key):
            data[key] = draft[key]
    data.update(_fitting_extras(draft))
    doc = {"format": FORMAT, "name": draft["name"] or "untitled", "description": draft["description"] or "",
           "arithmetic": draft["arithmetic"], "layers": layers, "loss": draft["loss"], "data": data}
    penalty = penalty_entry(draft.get("l2"), draft.get("l1"))
    if penalty:
        doc["penalty"] = penalty
    return doc


def penalty_entry(l2, l1) -> dict:
    """The model file's "penalty" entry of the two λ fields as typed (Build's draft, the
    Data page's form, Train's run), for engine.spec to judge: an empty field means 0.
    Each λ stays the text typed, not a JSON number: the message then quotes it as typed,
    word for word what the CLI's --l2/--l1 say for the same text (engine/penalty.py:
    read_lambda), and a λ read from text or from its number is the same λ.
    {} when both are 0: a model without a penalty, as a file without the key. The entry
    is the same text in either arithmetic: the loader reads it in the model's."""
    penalty = {key: str(text or "").strip() or "0" for key, text in (("l2", l2), ("l1", l1))}
    return penalty if any(value != 0 for value in _lambdas(penalty).values()) else {}


def _lambdas(entry: dict) -> dict:
    """A penalty entry's λ by value, so that "0.010" typed over "0.01" is no edit (the
    entry keeps the text); a text that is not a number stays itself (never 0: the loader
    refuses it with its reason)."""
    out = {}
    for key, text in entry.items():
        try:
            out[key] = parse_number(text)
        except ValueError:
            out[key] = text
    return out


def _fitting_extras(draft: dict) -> dict:
    """The CSV's standardize and test rows while they still fit the draft's columns; once
    features or targets are added or removed they describe other data, and are left out."""
    extra = draft.get("data_extra") or {}
    width_x = len(draft["x"][0]) if draft["x"] else None
    width_y = len(draft["y"][0]) if draft["y"] else None
    if "standardize" in extra and len(extra["standardize"]["mean"]) != width_x:
        extra = {k: v for k, v in extra.items() if k != "standardize"}
    test = extra.get("test")
    if test and (len(test["x"][0]) != width_x or len(test["y"][0]) != width_y):
        extra = {k: v for k, v in extra.items() if k != "test"}
    return extra


def build_spec(draft: dict) -> tuple[Spec | None, list[tuple[str, str]]]:
    """Validate a draft through engine.spec: (Spec, []) or (None, [(where, message)])."""
    try:
        return spec_from_dict(draft_to_doc(draft)), []
    except SpecError as e:
        return None, [(locate(str(e), draft), str(e))]


def locate(message: str, draft: dict) -> str:
    """Which part of the page a SpecError is about: 'layers', 'weights:<id>', 'data', 'loss', ..."""
    m = re.match(r"layer (\d+): (weights|bias)", message)
    if m:
        k = int(m.group(1))
        if 1 <= k <= len(draft["layers"]):
            return f"weights:{draft['layers'][k - 1]['id']}"
    if message.startswith(("layer", "layers")):
        return "layers"
    if message.startswith(tuple(LAMBDA_NAMES.values())):  # a λ's message names it in words
        return "penalty"
    for prefix in ("data", "loss", "penalty", "arithmetic", "name", "description"):
        if message.startswith(prefix):
            return "data" if prefix == "data" else prefix
    return "general"


def import_model(data: bytes) -> Spec:
    """The Spec of an uploaded model file's bytes; SpecError says what is wrong and where."""
    return load_spec(data)


def export_model(spec: Spec) -> str:
    """The JSON model file of a Spec (what the download button serves)."""
    return dump_spec(spec)
