"""trace's exact JSON: exact strings, shapes kept."""
import json
from fractions import Fraction as F

import pytest

from engine.cli import main


def trace(capsys, *argv):
    status = main(["trace", *argv, "--json"])
    out, err = capsys.readouterr()
    assert status == 0, err
    return json.loads(out)


def exact(v):
    """A JSON value of exact arithmetic back to Fractions, nested lists kept."""
    if isinstance(v, list):
        return [exact(e) for e in v]
    assert isinstance(v, (int, str)) and not isinstance(v, bool), v  # never a float
    return F(v)


def test_exact_json_writes_exact_strings_and_whole_integers(capsys):
    t = trace(capsys, "--preset", "article", "--sample", "3")
    assert t["loss"] == "1/2"
    assert t["deltas"]["delta2"] == ["-1/200", "3/11600", "-1/5800"]
    assert t["deltas"]["delta4"] == [-1] and t["outputs"]["o1"] == [0, 2000, 3000]
    assert t["weight_grads"]["W2"] == [[0, -2000, -3000]]  # (out, in): the shape stays


def test_float_json_writes_numbers(capsys):
    t = trace(capsys, "--preset", "article", "--sample", "3", "--arithmetic", "float")
    assert t["loss"] == 0.5 and isinstance(t["deltas"]["delta2"][1], float)
    assert t["weight_grads"]["W2"] == [[0.0, 0.0, 0.0]]  # the float trap: δ3 = 0
