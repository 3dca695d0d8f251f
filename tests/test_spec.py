"""The JSON model file: round trips, one readable SpecError per mistake, no other exception."""
import copy
import json
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import limits, record
from engine.presets import PRESETS, load_preset
from engine.spec_json import SpecError
from engine.spec import FORMAT, Spec, dump_spec, load_spec, spec_to_dict

GOOD = {
    "format": FORMAT, "name": "tiny", "arithmetic": "exact",
    "layers": [{"type": "input", "size": 2},
               {"type": "linear", "size": 1, "bias": ["1/2"], "weights": [["1/3", -2]]},
               {"type": "relu"}],
    "loss": "half_squared_error",
    "data": {"x": [[1, 2], [3, "1/4"], [0, 0]], "y": [[0], [1], [1]]},
}


def doc(**changes):
    """GOOD with changes given as dotted paths: doc(**{"layers.1.size": 0})."""
    d = copy.deepcopy(GOOD)
    for path, value in changes.items():
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


def test_the_good_document_loads_with_exact_numbers():
    spec = load_spec(doc())
    assert spec.name == "tiny" and spec.model.arithmetic == "exact"
    assert spec.model.weights()["W2"].tolist() == [[F(1, 3), F(-2)]]
    assert spec.model.weights()["b2"].tolist() == [F(1, 2)]
    assert spec.data.x[1].tolist() == [3, F(1, 4)]


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_round_trips_through_the_file_format(name):
    spec = load_preset(name)
    text = dump_spec(spec)
    again = load_spec(text)
    assert dump_spec(again) == text
    assert (again.name, again.description, again.arithmetic) == (spec.name, spec.description, spec.arithmetic)
    for key, w in spec.model.weights().items():
        np.testing.assert_array_equal(again.model.weights()[key], w)
    np.testing.assert_array_equal(again.data.x, spec.data.x)
    np.testing.assert_array_equal(again.data.y, spec.data.y)
    assert again.data.feature_names == spec.data.feature_names


def test_exact_numbers_are_written_as_fractions_and_record_the_same():
    spec = load_preset("article")
    text = dump_spec(spec.model, spec.data, name="article")
    assert '"1/200"' in text and '"-3/11600"' in text
    again = load_spec(text.encode())
    assert record(again.model, *again.data.sample(3, "exact")).loss == F(1, 2)


def test_missing_weights_are_drawn_from_the_documented_seed():
    text = doc(**{"layers.1": {"type": "linear", "size": 1, "init": {"seed": 7}}, "arithmetic": "float"})
    a, b = load_spec(text), load_spec(text)
    np.testing.assert_array_equal(a.model.weights()["W2"], b.model.weights()["W2"])
    other = load_spec(doc(**{"layers.1": {"type": "linear", "size": 1, "init": {"seed": 8}},
                             "arithmetic": "float"}))
    assert not np.array_equal(a.model.weights()["W2"], other.model.weights()["W2"])


BAD = [
    # (document text, what the message must contain)
    (doc(**{"layers.1.weights": [[1, 2], [3, 4]]}), "layer 2: weights have shape (2, 2), expected (1, 2)"),
    (doc(**{"data.x.1": [3, "abc"]}), "data.x row 2, column 2: 'abc' is not a number"),
    (doc(**{"data.y": [[0], [1]]}), "data.y has 2 rows but data.x has 3"),
    (doc(**{"layers.2": {"type": "conv"}}), "layer 3: unknown layer type 'conv'; known types: input, linear, relu"),
    (doc(**{"layers.1.wieghts": 1}), "layer 2: unknown key 'wieghts'"),
    (doc(**{"colour": "red"}), "top level: unknown key 'colour'"),
    (doc(**{"data.z": 1}), "data: unknown key 'z'"),
    (doc().replace('"name": "tiny"', '"name": "tiny", "name": "again"'), "top level: duplicate key 'name'"),
    (doc().replace('"type": "relu"', '"type": "relu", "type": "relu"'), "layer 3: duplicate key 'type'"),
    (doc().replace('"1/4"', "NaN"), "NaN is not allowed"),
    (doc().replace('"1/4"', "-Infinity"), "-Infinity is not allowed"),
    (doc().replace('"1/4"', "1e400"), "data.x row 2, column 2: 1e400 is too large for float arithmetic"),
    (doc(**{"data.x.1": [3, "1/0"]}), "data.x row 2, column 2: '1/0' divides by zero"),
    (doc(**{"data.x.1": [3, True]}), "data.x row 2, column 2: expected a number, got true/false"),
    (doc(**{"data.x.1": [3, "1" * 4100]}), "data.x row 2, column 2: a number of 4100 characters"),
    (doc(**{"data.x.1": [3, "1e999999999"]}), "data.x row 2, column 2: '1e999999999' has an exponent past"),
    (doc(**{"data.x.1": [3, 10 ** 2500]}), "data.x row 2, column 2: a number with more than 2000 digits"),
    (doc(**{"data.x.1": [3]}), "data.x row 2: has 1 numbers, expected 2 (the input layer's size)"),
    (doc(**{"data.y.0": 0}), "data.y row 1: expected a list of numbers, got a number"),
    (doc(**{"data.x": []}), "data.x: expected a non-empty list of rows"),
    (doc(**{"layers.1.size": 0}), "layer 2: size: must be at least 1, got 0"),
    (doc(**{"layers.0.size": "2"}), "layer 1: size: expected a whole number, got a string"),
    (doc(**{"layers.1.size": 65, "layers.1.weights": [[0, 0]] * 65}), "layer 2: size: 65 is too large"),
    (doc(**{"layers.2.size": 3}), "layer 3: size 3 does not match the previous layer's size 1"),
    (doc(**{"layers.0": {"type": "linear", "size": 2, "weights": [[1]]}}), "layer 1: the first layer"),
    (doc(**{"layers.2": {"type": "input", "size": 1}}), "layer 3: the first layer, and only the first"),
    (doc(**{"layers.2": {"type": "sigmoid"}}), "layer 3: sigmoid needs exp or log"),
    (doc(**{"layers.2": "relu"}), "layer 3: expected an object"),
    (doc(**{"layers.1.bias": [1, 2]}), "layer 2: bias has 2 values, expected 1"),
    (doc(**{"layers.1.bias": "yes"}), "layer 2: bias must be true, false or a list of numbers, got a string"),
    (doc(**{"layers.1.init": {"seed": 1}}), "layer 2: give either weights or init, not both"),
    (doc(**{"layers.1.weights": [[1, 2], [3]]}), "layer 2: weights: rows have different lengths"),
    (doc(**{"layers.1.weights": [["1/3", {}]]}), "layer 2: weights row 1, column 2: expected a number, got an object"),
    (doc(**{"layers.2.at_zero": 2}), "layer 3: at_zero: 2 is too large; it must be 0 or 1"),
    (doc(**{"layers.2": {"type": "leaky_relu", "at_zero": 2}}), "layer 3: at_zero: 2 is too large; it must be 0 or 1"),
    (doc(**{"layers.2": {"type": "softplus", "slope": 1}}), "layer 3: unknown key 'slope'; known keys: type, size"),
    (doc(**{"layers": []}), "layers: the model needs at least an input layer"),
    (doc(**{"layers": [{"type": "input", "size": 2}] + [{"type": "relu"}] * 40}), "layers: 41 layers; at most 32"),
    (doc(**{"loss": "hinge"}), "loss: unknown loss 'hinge'; known losses: half_squared_error"),
    (doc(**{"loss": DELETE}), "top level: missing key 'loss'"),
    (doc(**{"format": "other/2"}), "format: expected 'backprop-explorer/1', got 'other/2'"),
    (doc(**{"arithmetic": "decimal"}), "arithmetic: expected one of float, exact, got 'decimal'"),
    (doc(**{"name": "n" * 500}), "name: 500 characters; at most 100"),
    (doc(**{"name": 5}), "name: expected a string, got a number"),
    (doc(**{"data.feature_names": ["a"]}), "data.feature_names: 1 names for 2 columns"),
    (doc(**{"data.target_names": [7]}), "data.target_names item 1: expected a string, got a number"),
    (doc(**{"arithmetic": "float", "data.x": [[0, 0]] * 10_001, "data.y": [[0]] * 10_001}),
     "data.x: 10,001 samples; at most 10,000 in float arithmetic"),
    (doc(**{"data.x": [[0, 0]] * 1001, "data.y": [[0]] * 1001}), "data.x: 1,001 samples; at most 1,000 in exact"),
    (doc(**{"arithmetic": "float", "layers.0.size": 784, "layers.1": {"type": "linear", "size": 4096}}),
     "layer 2: 784 × 4096 weights; at most 1,000,000 in a model"),
    (doc(**{"arithmetic": "float", "layers": [{"type": "input", "size": 700}] + [
        {"type": "linear", "size": 700}] * 3}), "layer 4: the model has more than 1,000,000 weights and biases"),
    ("[" * 100_000, "not valid JSON"),
    ('{"format": ', "not valid JSON: Expecting value at line 1 column 12"),
    ("[1, 2]", "top level: expected an object"),
    (b"\xff\xfe{}", "the file is not UTF-8 text"),
    (" " * (limits.MAX_FILE_BYTES + 1), "at most 20,971,520 are accepted"),
]


@pytest.mark.parametrize("text,message", BAD, ids=[m for _, m in BAD])
def test_each_mistake_gets_one_message_saying_what_and_where(text, message):
    with pytest.raises(SpecError) as e:
        load_spec(text)
    assert message in str(e.value)
    assert "\n" not in str(e.value)


def test_float_limits_let_an_mnist_sized_model_in():
    d = {"format": FORMAT, "arithmetic": "float", "loss": "softmax_cross_entropy",
         "layers": [{"type": "input", "size": 784}, {"type": "linear", "size": 256, "bias": True},
                    {"type": "relu"}, {"type": "linear", "size": 10, "init": {"scheme": "he"}}],
         "data": {"x": [[0.5] * 784] * 20, "y": [[1] + [0] * 9] * 20}}
    spec = load_spec(json.dumps(d))
    assert spec.model.weights()["W2"].shape == (256, 784)


# Random documents: anything but SpecError escaping load_spec would crash the upload page.

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8) | st.sampled_from(["1/2", "1/0", "x", "input", "linear", "relu", "tanh", FORMAT]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["type", "size", "weights", "bias", "x", "y", "slope", "init", "seed", "k"]),
        inner, max_size=4),
    max_leaves=12)


def _leaf_paths(value, path=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaf_paths(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaf_paths(v, path + (i,))
    yield path


@settings(max_examples=100, deadline=None)
@given(json_values)
def test_random_json_raises_only_spec_errors(value):
    try:
        load_spec(json.dumps(value))
    except SpecError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.data(), json_values)
def test_a_good_document_with_one_part_replaced_raises_only_spec_errors(data, value):
    d = copy.deepcopy(GOOD)
    paths = [p for p in _leaf_paths(d) if p]
    path = data.draw(st.sampled_from(paths))
    target = d
    for p in path[:-1]:
        target = target[p]
    target[path[-1]] = value
    try:
        spec = load_spec(json.dumps(d))
    except SpecError:
        return
    assert isinstance(spec, Spec) and spec_to_dict(spec)["format"] == FORMAT


def test_the_example_in_the_format_documentation_loads():
    from pathlib import Path
    text = (Path(__file__).parent.parent / "docs" / "model-format.md").read_text()
    example = text.split("```json\n")[1].split("```")[0]
    spec = load_spec(example)
    assert spec.name == "article"
    assert record(spec.model, *spec.data.sample(3, "exact")).weight_grads["W2"].tolist() == [[0, -2000, -3000]]
