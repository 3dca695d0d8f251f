"""trace's exact JSON (exact strings, shapes kept) and ``--sample all`` (the whole batch):
its weight gradients are the per-sample traces combined as the mean loss defines."""
import json
from fractions import Fraction as F

import numpy as np
import pytest

from engine.cli import main
from random_models import write_model


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


def test_sample_all_on_the_article(capsys):
    t = trace(capsys, "--preset", "article", "--sample", "all")
    assert t["samples"] == 3 and t["loss"] == "1/6" and t["sample_losses"] == [0, 0, "1/2"]
    assert t["outputs"]["o1"] == [[100, 2000, 100], [200, 0, 0], [0, 2000, 3000]]
    assert t["deltas"]["delta4"] == [[0], [0], ["-1/3"]]  # samples × units, each δ carrying 1/3
    assert t["weight_grads"]["W2"] == [[0, "-2000/3", -1000]]


def test_sample_all_text(capsys):
    assert main(["trace", "--preset", "article", "--sample", "all"]) == 0
    out = capsys.readouterr().out
    assert "all 3 samples, exact arithmetic" in out
    assert "δ4     = (0); (0); (-1/3)" in out and "δw2    = (0, -2000/3, -1000)   (summed)" in out


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("arithmetic", ["exact", "float"])
def test_batch_gradients_are_the_mean_of_the_samples(tmp_path, capsys, seed, arithmetic):
    """The loss is the mean over samples: each sample's δ carries 1/n in the batch, so
    δw(batch) = Σ_s δw(sample s alone) / n, exactly in exact arithmetic."""
    n = 3
    path = write_model(tmp_path / "m.json", seed, arithmetic, samples=n)
    batch = trace(capsys, "--model", path, "--sample", "all")
    alone = [trace(capsys, "--model", path, "--sample", str(s)) for s in range(1, n + 1)]
    for name, g in batch["weight_grads"].items():
        if arithmetic == "exact":
            want = sum(np.array(exact(a["weight_grads"][name]), dtype=object) for a in alone) / n
            assert exact(g) == want.tolist()  # Fractions: equal means exactly equal
        else:
            want = sum(np.array(a["weight_grads"][name]) for a in alone) / n
            assert np.allclose(g, want, rtol=1e-12, atol=1e-12)
    for k, rows in batch["deltas"].items():  # row s of the batch's δ: sample s's δ over n
        for s, a in enumerate(alone):
            if arithmetic == "exact":
                assert exact(rows[s]) == [v / n for v in exact(a["deltas"][k])]
            else:
                assert rows[s] == pytest.approx([v / n for v in a["deltas"][k]], rel=1e-12, abs=1e-15)


def test_sample_all_or_a_number_else_one_line(capsys):
    assert main(["trace", "--preset", "article", "--sample", "alll"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'alll' is not a whole number, nor 'all'" in err
