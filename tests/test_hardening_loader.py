"""Bad model files, everywhere a user can hand one in: the loader and the CLI.

Every case gives one readable SpecError through ``load_spec`` and, through the command
line, exit status 2 with one line on stderr (no traceback). The fuzz tests feed
over 10,000 generated documents — valid model files with parts broken, hostile
strings, huge numbers, NaN in the JSON text, raw bytes — and allow nothing but
SpecError out; a document that does load must also record and show in float.
"""
from __future__ import annotations

import copy
import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import limits
from engine.cli import main
from engine.numbers import NotExactError
from engine.presets import load_preset
from engine.record import record
from engine.spec_json import SpecError
from engine.spec import FORMAT, Spec, dump_spec, load_spec, spec_to_dict

GOOD = {
    "format": FORMAT, "name": "tiny", "arithmetic": "exact",
    "layers": [{"type": "input", "size": 2},
               {"type": "linear", "size": 2, "bias": ["1/2", 0], "weights": [["1/3", -2], [1, "0.25"]]},
               {"type": "leaky_relu", "slope": "1/10"},
               {"type": "linear", "size": 1, "weights": [[1, -1]]},
               {"type": "relu", "at_zero": 0}],
    "loss": "half_squared_error",
    "data": {"x": [[1, 2], [3, "1/4"], [0, 0]], "y": [[0], [1], [1]],
             "feature_names": ["a", "b"], "target_names": ["t"]},
}
SOFTMAX = {
    "format": FORMAT, "name": "soft", "arithmetic": "float",
    "layers": [{"type": "input", "size": 2}, {"type": "linear", "size": 3, "bias": True, "init": {"seed": 3}},
               {"type": "softmax"}],
    "loss": "softmax_cross_entropy",
    "data": {"x": [[0.5, -1], [2, 3]], "y": [[1, 0, 0], [0, 0, 1]]},
}


def edit(base: dict, *changes) -> str:
    """``base`` with (dotted path, value) changes, as JSON text; DELETE removes a key."""
    d = copy.deepcopy(base)
    for path, value in changes:
        *parents, last = path.split(".")
        target = d
        for p in parents:
            target = target[int(p)] if isinstance(target, list) else target[p]
        if isinstance(target, list):
            target[int(last)] = value
        elif value is DELETE:
            del target[last]
        else:
            target[last] = value
    return json.dumps(d)


DELETE = object()
G = GOOD
FLOAT = dict(GOOD, arithmetic="float")
deep = "[" * 5_000 + "]" * 5_000
many_layers = [{"type": "input", "size": 2}] + [{"type": "relu"}] * 40

CASES = [
    # (id, document text or bytes, what the message must say)
    # non-numbers, empty cells, wrong types in cells
    ("word in a cell", edit(G, ("data.x.1", [3, "abc"])), "data.x row 2, column 2: 'abc' is not a number"),
    ("empty cell", edit(G, ("data.x.1", [3, ""])), "data.x row 2, column 2: '' is not a number"),
    ("blank cell", edit(G, ("data.x.1", [3, "   "])), "data.x row 2, column 2"),
    ("null cell", edit(G, ("data.x.1", [3, None])), "data.x row 2, column 2: expected a number, got null"),
    ("bool cell", edit(G, ("layers.1.weights.0", [True, 1])), "layer 2: weights row 1, column 1: expected a number"),
    ("list in a cell", edit(G, ("data.y.0", [[0]])), "data.y row 1, column 1: expected a number, got a list"),
    ("object weight", edit(G, ("layers.1.weights.0", [{}, 1])), "layer 2: weights row 1, column 1"),
    # NaN and infinity, as JSON constants and as strings
    ("NaN constant", edit(G).replace('"1/4"', "NaN"), "NaN is not allowed"),
    ("Infinity constant", edit(FLOAT).replace('"1/4"', "Infinity"), "Infinity is not allowed"),
    ("-Infinity constant", edit(G).replace('"1/4"', "-Infinity"), "-Infinity is not allowed"),
    ("nan string", edit(FLOAT, ("data.x.1", [3, "nan"])), "data.x row 2, column 2: 'nan' is not a number"),
    ("inf string", edit(G, ("data.x.1", [3, "inf"])), "data.x row 2, column 2: 'inf' is not a number"),
    ("overflowing literal", edit(FLOAT).replace('"1/4"', "1e400"), "1e400 is too large for float arithmetic"),
    ("past float range, exact", edit(G, ("data.x.1", [3, "1e400"])), "is too large for float arithmetic"),
    ("past float range slope", edit(FLOAT, ("layers.2.slope", "1e309")), "layer 3: slope"),
    # fractions with a zero denominator
    ("1/0", edit(G, ("data.x.1", [3, "1/0"])), "data.x row 2, column 2: '1/0' divides by zero"),
    ("0/0 weight", edit(G, ("layers.1.weights.0", ["0/0", 1])), "'0/0' divides by zero"),
    ("-3/0 bias", edit(FLOAT, ("layers.1.bias", ["-3/0", 1])), "layer 2: bias row 1, column 1: '-3/0' divides by zero"),
    ("zero slope denominator", edit(G, ("layers.2.slope", "1/0")), "layer 3: slope: '1/0' divides by zero"),
    # wrong shapes
    ("weights (2, 1)", edit(G, ("layers.1.weights", [[1], [2]])), "layer 2: weights have shape (2, 1), expected (2, 2)"),
    ("ragged weights", edit(G, ("layers.1.weights", [[1, 2], [3]])), "layer 2: weights: rows have different lengths"),
    ("flat weights", edit(G, ("layers.1.weights", [1, 2])), "layer 2: weights: expected a list of rows"),
    ("short x row", edit(G, ("data.x.1", [3])), "data.x row 2: has 1 numbers, expected 2"),
    ("long y row", edit(G, ("data.y.1", [1, 2])), "data.y row 2: has 2 numbers, expected 1"),
    ("x and y rows", edit(G, ("data.y", [[0]])), "data.y has 1 rows but data.x has 3"),
    ("bias length", edit(G, ("layers.1.bias", [1])), "layer 2: bias has 1 values, expected 2"),
    ("names count", edit(G, ("data.feature_names", ["a"])), "data.feature_names: 1 names for 2 columns"),
    ("size mismatch", edit(G, ("layers.2.size", 5)), "layer 3: size 5 does not match the previous layer's size 2"),
    ("no data rows", edit(G, ("data.x", [])), "data.x: expected a non-empty list of rows"),
    # zero-size and negative layers
    ("zero-size input", edit(G, ("layers.0.size", 0)), "layer 1: size: must be at least 1, got 0"),
    ("zero-size linear", edit(G, ("layers.1.size", 0)), "layer 2: size: must be at least 1, got 0"),
    ("negative size", edit(G, ("layers.3.size", -4)), "layer 4: size: must be at least 1, got -4"),
    ("no layers", edit(G, ("layers", [])), "layers: the model needs at least an input layer"),
    # sizes past the limits
    ("neurons, exact", edit(G, ("layers.1.size", 65)), "layer 2: size: 65 is too large; at most 64"),
    ("neurons, float", edit(FLOAT, ("layers.0.size", 4097)), "layer 1: size: 4097 is too large; at most 4096"),
    ("huge size", edit(FLOAT, ("layers.0.size", 10 ** 30)), "layer 1: size: a huge number is too large"),
    ("weights in a layer", edit(FLOAT, ("layers.0.size", 4000), ("layers.1", {"type": "linear", "size": 4000})),
     "layer 2: 4000 × 4000 weights; at most 1,000,000"),
    ("layers", edit(G, ("layers", many_layers)), "layers: 41 layers; at most 32"),
    ("samples, exact", edit(G, ("data.x", [[0, 0]] * 1001), ("data.y", [[0]] * 1001)),
     "data.x: 1,001 samples; at most 1,000 in exact"),
    ("samples, float", edit(FLOAT, ("data.x", [[0, 0]] * 10_001), ("data.y", [[0]] * 10_001)),
     "data.x: 10,001 samples; at most 10,000 in float"),
    ("seed", edit(FLOAT, ("layers.3", {"type": "linear", "size": 1, "init": {"seed": 2 ** 40}})),
     "layer 4: init seed: 1099511627776 is too large"),
    ("digits", edit(G, ("data.x.1", [3, 10 ** 2500])), "a number with more than 2000 digits"),
    ("digits past Python's reader", edit(G).replace('"1/4"', "9" * 5000), "a number with more than 2000 digits"),
    ("digits of a fraction", edit(G, ("data.x.1", [3, "1/" + "7" * 2001])), "a number with more than 2000 digits"),
    ("exponent", edit(G, ("data.x.1", [3, "1e999999999"])), "has an exponent past 400"),
    ("file size", " " * (limits.MAX_FILE_BYTES + 1), "at most 20,971,520 are accepted"),
    # absurdly long strings
    ("long name", edit(G, ("name", "n" * 100_000)), "name: 100,000 characters; at most 100"),
    ("long description", edit(G, ("description", "d" * 1001)), "description: 1,001 characters; at most 1000"),
    ("long feature name", edit(G, ("data.feature_names", ["a", "b" * 101])), "data.feature_names item 2: 101"),
    ("long number", edit(G, ("data.x.1", [3, "1" * 5000])), "a number of 5000 characters; at most 4010"),
    ("long layer type", edit(G, ("layers.2.type", "x" * 10_000)), "layer 3: unknown layer type 'xxxx"),
    ("control character", edit(G, ("name", "a\x00b")), "name: character 2 (U+0000) is not allowed"),
    ("lone surrogate", edit(G, ("data.target_names", ["\ud800"])), "data.target_names item 1: character 1 (U+D800)"),
    # huge or deeply nested JSON
    ("deep arrays", deep, "not valid JSON: arrays or objects nest too deeply"),
    ("deep objects", '{"a":' * 5_000 + "1" + "}" * 5_000, "not valid JSON: arrays or objects nest too deeply"),
    ("deep list in a cell", edit(G, ("data.x.1", [3, json.loads("[" * 500 + "]" * 500)])), "expected a number, got a list"),
    ("deep layers", edit(G, ("layers", json.loads("[" * 500 + "]" * 500))), "layer 1: expected an object"),
    ("truncated", edit(G)[:100], "not valid JSON"),
    ("not UTF-8", b"\xff\xfe{}", "the file is not UTF-8 text"),
    ("empty file", "", "not valid JSON: Expecting value at line 1 column 1"),
    ("JavaScript", "{format: 'x'}", "not valid JSON"),
    # wrong types
    ("a list", "[1, 2]", "top level: expected an object"),
    ("a number", "42", "top level: expected an object"),
    ("null", "null", "top level: expected an object"),
    ("layers an object", edit(G, ("layers", {"type": "input"})), "layers: expected a list of layers, got an object"),
    ("layer a string", edit(G, ("layers.2", "relu")), "layer 3: expected an object"),
    ("size a string", edit(G, ("layers.0.size", "2")), "layer 1: size: expected a whole number, got a string"),
    ("size a float", edit(G, ("layers.0.size", 2.0)), "layer 1: size: expected a whole number, got a number"),
    ("size true", edit(G, ("layers.0.size", True)), "layer 1: size: expected a whole number, got true/false"),
    ("bias a string", edit(G, ("layers.1.bias", "yes")), "layer 2: bias must be true, false or a list"),
    ("name a number", edit(G, ("name", 5)), "name: expected a string, got a number"),
    ("names an object", edit(G, ("data.feature_names", {"a": 1})), "data.feature_names: expected a list of strings"),
    ("data a list", edit(G, ("data", [1])), "data: expected an object"),
    ("x a string", edit(G, ("data.x", "1,2")), "data.x: expected a non-empty list of rows, got a string"),
    ("init a list", edit(FLOAT, ("layers.3", {"type": "linear", "size": 1, "init": [1]})), "layer 4: init: expected an object"),
    ("format", edit(G, ("format", ["backprop-explorer/1"])), "format: expected 'backprop-explorer/1', got a list"),
    ("arithmetic", edit(G, ("arithmetic", "decimal")), "arithmetic: expected one of float, exact"),
    ("at_zero", edit(G, ("layers.4.at_zero", 0.5)), "layer 5: at_zero: expected a whole number"),
    # unknown names
    ("unknown layer", edit(G, ("layers.2", {"type": "conv2d"})), "layer 3: unknown layer type 'conv2d'"),
    ("layer without type", edit(G, ("layers.2", {"size": 2})), "layer 3: unknown layer type null"),
    ("unknown loss", edit(G, ("loss", "hinge")), "loss: unknown loss 'hinge'"),
    ("unknown init", edit(FLOAT, ("layers.3", {"type": "linear", "size": 1, "init": {"scheme": "lecun"}})),
     "layer 4: init scheme must be one of xavier, he, got 'lecun'"),
    ("unknown key", edit(G, ("colour", "red")), "top level: unknown key 'colour'"),
    ("misspelt key", edit(G, ("layers.1.wieghts", 1)), "layer 2: unknown key 'wieghts'"),
    ("first layer", edit(G, ("layers.0", {"type": "relu"})), "layer 1: the first layer, and only the first"),
    ("exact sigmoid", edit(G, ("layers.4", {"type": "sigmoid"})), "layer 5: sigmoid needs exp or log"),
    ("missing loss", edit(G, ("loss", DELETE)), "top level: missing key 'loss'"),
    # duplicate keys
    ("duplicate top key", edit(G).replace('"name": "tiny"', '"name": "tiny", "name": "x"'),
     "top level: duplicate key 'name'"),
    ("duplicate layer key", edit(G).replace('"type": "input"', '"type": "input", "type": "input"'),
     "layer 1: duplicate key 'type'"),
    ("duplicate data key", edit(G).replace('"target_names": ["t"]', '"target_names": ["t"], "x": [[0, 0]]'),
     "data: duplicate key 'x'"),
]


@pytest.mark.parametrize("text,message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_the_loader_refuses_each_bad_input_with_one_line_saying_where(text, message):
    with pytest.raises(SpecError) as e:
        load_spec(text)
    assert message in str(e.value)
    assert "\n" not in str(e.value) and len(str(e.value)) < 400


@pytest.mark.parametrize("text,message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_the_cli_exits_2_with_one_line_for_each_bad_input(text, message, tmp_path, capsys):
    path = tmp_path / "model.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    for command in (["trace", "--model", str(path)], ["train", "--model", str(path), "--lr", "0.1"]):
        assert main(command) == 2
        out, err = capsys.readouterr()
        assert out == ""
        assert err.count("\n") == 1 and err.startswith(f"error: {path}: ")
        assert message in err and "Traceback" not in err


def test_the_good_documents_load():
    for d in (GOOD, FLOAT, SOFTMAX):
        assert isinstance(load_spec(json.dumps(d)), Spec)


@pytest.mark.parametrize("argv,message", [
    (["train", "--preset", "xor", "--lr", "abc"], "'abc' is not a number"),
    (["train", "--preset", "xor", "--lr", "1/0"], "divides by zero"),
    (["train", "--preset", "xor", "--lr", "nan"], "is not a number"),
    (["train", "--preset", "xor", "--lr", "1e-999999999"], "has an exponent past 400"),  # hung for minutes
    (["train", "--preset", "article", "--lr", "1E+99999"], "has an exponent past 400"),
    (["train", "--preset", "xor", "--lr", "-1"], "the learning rate must be positive"),
    (["train", "--preset", "xor", "--lr", "0.1", "--epochs", "0"], "epochs must be a whole number ≥ 1"),
    (["train", "--preset", "xor", "--lr", "0.1", "--epochs", "100000000"], "is more than the limit"),
    (["train", "--preset", "article", "--lr", "1/1000", "--epochs", "5000"], "is more than the limit"),
    (["train", "--preset", "xor", "--lr", "0.1", "--batch-size", "-3"], "batch_size must be a whole number"),
    (["train", "--preset", "nope", "--lr", "0.1"], "nope"),
    (["trace", "--preset", "xor", "--sample", "999"], "sample"),
    (["trace", "--preset", "xor", "--sample", "-5"], "sample"),
    (["trace", "--model", "/no/such/file.json"], "cannot read /no/such/file.json"),
    (["trace", "--model", "/"], "cannot read /"),
    (["trace", "--preset", "xor", "--arithmetic", "exact"], "no exact rational value"),
])
def test_the_cli_refuses_bad_arguments_with_one_line(argv, message, capsys):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err, err


# Fuzzing ---------------------------------------------------------------------------

SEEDS = [GOOD, FLOAT, SOFTMAX, spec_to_dict(load_preset("article")), spec_to_dict(load_preset("xor"))]
HOSTILE = [
    None, True, False, 0, -1, 1, 2, 3, 64, 65, 4096, 4097, 2 ** 31, 2 ** 53 + 1, 10 ** 399, -(10 ** 400),
    0.5, -0.0, 1e308, -1e308, 5e-324, math.nan, math.inf, -math.inf,
    "", " ", "abc", "1/0", "0/0", "-1/0", "1/2", "-3000/11600000", "1e400", "1e-400", "1e309", "NaN", "nan",
    "inf", "-Infinity", "1e999999999", "1" * 250, "9" * 2001, "1/" + "3" * 1999, "1E-300", "1E-200", "<script>alert(1)</script>", '"];x->y[', "\\N",
    "&amp;", "\n", "\r\n", "\t", "\ud800", "\x00", "\x1b[31m", "é" * 101, "x" * 10_000,
    "input", "linear", "relu", "leaky_relu", "sigmoid", "tanh", "softmax", "conv", "exact", "float",
    "half_squared_error", "binary_cross_entropy", "softmax_cross_entropy", "mae", FORMAT, "xavier", "he",
    [], {}, [[]], [[1]], [["1/2"]], [[0, 0]], [0, 0], {"type": "relu"}, {"type": "input", "size": 2},
    {"type": "linear", "size": 1}, {"seed": 1}, {"scheme": "he", "seed": 2 ** 32},
    json.loads("[" * 200 + "]" * 200), [[0.5] * 64], [[0] * 2] * 1001, [0] * 5000,
]
KEYS = ["type", "size", "weights", "bias", "init", "slope", "at_zero", "x", "y", "seed", "scheme", "name",
        "format", "layers", "loss", "data", "feature_names", "target_names", "arithmetic", "description", "zzz"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12) | st.sampled_from(HOSTILE),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=5),
    max_leaves=10)


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value[:6]):  # the first rows are enough to aim at
            yield from _paths(v, path + (i,))


def _mutate(d, data) -> dict:
    def value():  # a copy: HOSTILE's lists must stay as they are for the next example
        return copy.deepcopy(data.draw(json_values))

    paths = [p for p in _paths(d) if p]
    path = data.draw(st.sampled_from(paths))
    parent = d
    for p in path[:-1]:
        parent = parent[p]
    last = path[-1]
    op = data.draw(st.sampled_from(["replace", "replace", "replace", "delete", "add key", "duplicate",
                                    "wrap", "shrink", "grow"]))
    target = parent[last]
    if op == "replace":
        parent[last] = value()
    elif op == "delete":
        del parent[last]
    elif op == "add key" and isinstance(target, dict):
        target[data.draw(st.sampled_from(KEYS))] = value()
    elif op == "duplicate" and isinstance(target, list) and target:
        target.append(copy.deepcopy(target[-1]))
    elif op == "wrap":
        parent[last] = [target]
    elif op == "shrink" and isinstance(target, list):
        del target[len(target) // 2:]
    elif op == "grow" and isinstance(target, list):
        target.extend([value()] * data.draw(st.integers(1, 70)))
    return d


TEXT_EDITS = [lambda t: t, lambda t: t, lambda t: t, lambda t: t,
              lambda t: t.replace("1", "NaN", 1), lambda t: t.replace("0", "-Infinity", 1),
              lambda t: t.replace('"type"', '"type": "relu", "type"', 1),
              lambda t: t.replace('"size": 2', '"size": 2e0', 1),
              lambda t: t.replace("]", "", 1), lambda t: t[: len(t) * 2 // 3],
              lambda t: t.replace('"1/2"', "1" * 4400, 1), lambda t: "\ufeff" + t]


def _must_be_usable(spec: Spec) -> None:
    """What the pages do with a model right after loading it: fingerprint, record, show in float."""
    assert load_spec(dump_spec(spec).encode("utf-8")).name == spec.name
    try:
        record(spec.model, *spec.data.sample(1, spec.arithmetic))
        float_model = spec.model.cast("float")
        record(float_model, *spec.data.sample(len(spec.data), "float"))
    except NotExactError:
        pass  # a documented refusal the pages show (growth, or float's range)


# 1,500 mutated files (~6 s; 10,000 took ~40 s of a 2-core CI's time and found
# nothing more in the runs that had them). Hypothesis keeps failing examples in its
# database, so a local run replays any failure first.
@pytest.mark.slow
@settings(max_examples=1_500, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_fuzz_broken_model_files_raise_only_spec_error(data):
    d = copy.deepcopy(data.draw(st.sampled_from(SEEDS)))
    for _ in range(data.draw(st.integers(1, 3))):
        d = _mutate(d, data)
    text = json.dumps(d, ensure_ascii=data.draw(st.booleans()))  # NaN/Infinity appear as JSON constants
    text = data.draw(st.sampled_from(TEXT_EDITS))(text)
    raw = text.encode("utf-8", "surrogatepass") if data.draw(st.booleans()) else text
    try:
        spec = load_spec(raw)
    except SpecError as e:
        assert "\n" not in str(e)
        return
    _must_be_usable(spec)


@settings(max_examples=2_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(st.binary(max_size=300),
                 st.builds(lambda t, i, b: t[:i] + b + t[i:], st.sampled_from([json.dumps(s).encode() for s in SEEDS]),
                           st.integers(0, 600), st.binary(min_size=1, max_size=8))))
def test_fuzz_raw_bytes_raise_only_spec_error(raw):
    try:
        spec = load_spec(raw)
    except SpecError as e:
        assert "\n" not in str(e)
        return
    _must_be_usable(spec)


def test_uploads_are_limited_in_the_server_config():
    import tomllib
    from pathlib import Path
    config = tomllib.loads((Path(__file__).parents[1] / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == 5  # MB: model files are small JSON documents
    assert config["server"]["maxUploadSize"] * 1024 * 1024 <= limits.MAX_FILE_BYTES
