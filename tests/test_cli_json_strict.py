"""Every command's ``--json`` is strict JSON, even for a model whose float values overflow:
Python's default writes ``Infinity`` and ``NaN``, which jq, a browser's JSON.parse and
most parsers refuse. A non-finite float is null (engine/cli/output.py: print_json)."""
import json
import warnings

import pytest

from engine.cli import main

OVERFLOW = {"format": "backprop-explorer/1", "name": "overflow", "arithmetic": "float",
            "layers": [{"type": "input", "size": 1},
                       {"type": "linear", "size": 1, "bias": False, "weights": [["1e308"]]}],
            "loss": "half_squared_error", "data": {"x": [["10"], ["0"]], "y": [["0"], ["0"]]}}


def strict(text: str):
    def refuse(name):
        raise AssertionError(f"{name} is not JSON")
    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("argv", [
    ["trace", "--sample", "1"],
    ["trace", "--sample", "all"],
    ["trace", "--sample", "1", "--mode", "forward"],
    ["train", "--epochs", "1"],
    ["paths", "--weight", "W2", "--index", "0,0", "--sample", "1"],
])
def test_json_of_an_overflowing_model_is_strict_with_null_for_inf_and_nan(tmp_path, capsys, argv):
    path = tmp_path / "overflow.json"
    path.write_text(json.dumps(OVERFLOW))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a diverged value is said in the output, not warned about
        status = main([*argv, "--model", str(path), "--json"])
    out, err = capsys.readouterr()
    assert status == 0, err
    doc = strict(out)
    if argv[0] == "trace":
        assert doc["loss"] is None and doc["outputs"]["o1"] in ([10.0], [[10.0], [0.0]])
        assert "null" in json.dumps(doc["weight_grads"])  # inf or nan, written null
    if argv[0] == "train":
        assert "not finite" in doc["stopped"] and doc["loss"]["train"] is None


def test_finite_values_are_written_as_before(capsys):
    assert main(["trace", "--preset", "article", "--sample", "3", "--arithmetic", "float", "--json"]) == 0
    doc = strict(capsys.readouterr().out)
    assert doc["loss"] == 0.5 and doc["outputs"]["o1"] == [0.0, 2000.0, 3000.0]
