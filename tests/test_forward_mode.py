"""Forward mode (dual numbers, one pass per weight) against reverse mode (one backward
pass): the same gradients, exactly in exact arithmetic, and each mode's cost counted by
the engine (engine/forward_mode.py, engine/counted.py, ``trace --mode``)."""
import json
import subprocess
import sys
from fractions import Fraction as F

import numpy as np
import pytest

from engine.cli import main
from engine.forward_mode import forward_gradients, reverse_gradients
from engine.numbers import NotExactError
from engine.presets import load_preset
from engine.spec import load_spec
from random_models import model_doc


def both(spec, sample=None):
    m = spec.model
    x, y = spec.data.batch(m.arithmetic) if sample is None else spec.data.sample(sample, m.arithmetic)
    return reverse_gradients(m, x, y), forward_gradients(m, x, y)


def test_article_sample_3_is_the_same_fractions_both_ways():
    (rev, rev_cost), (fwd, fwd_cost) = both(load_preset("article"), 3)
    assert list(fwd) == list(rev) == ["W2"]
    assert fwd["W2"].tolist() == rev["W2"].tolist() == [[0, -2000, -3000]]
    assert all(type(v) is F for v in fwd["W2"].flat)
    assert fwd_cost["passes"] == 3 and rev_cost["passes"] == 1  # one pass per weight of W2 (1×3)
    assert fwd_cost["multiplications"] > rev_cost["multiplications"] > 0


@pytest.mark.parametrize("seed", range(25))
def test_random_exact_models_give_equal_fractions_and_one_pass_per_weight(seed):
    spec = load_spec(json.dumps(model_doc(seed, "exact")))
    (rev, _), (fwd, cost) = both(spec)
    assert list(fwd) == list(rev)
    for key in rev:
        assert fwd[key].shape == rev[key].shape and fwd[key].tolist() == rev[key].tolist(), key
    assert cost["passes"] == sum(p.size for p in spec.model.weights().values())


@pytest.mark.parametrize("preset", ["xor", "moons", "spiral"])
def test_float_presets_agree_to_rounding(preset):
    spec = load_preset(preset)
    (rev, _), (fwd, cost) = both(spec)
    assert list(fwd) == list(rev)
    for key in rev:
        np.testing.assert_allclose(fwd[key], rev[key], rtol=1e-9, atol=1e-12)
    assert cost["passes"] == sum(p.size for p in spec.model.weights().values())


@pytest.mark.parametrize("seed", range(8))
def test_random_float_models_agree_to_rounding(seed):
    spec = load_spec(json.dumps(model_doc(seed, "float")))
    (rev, _), (fwd, _) = both(spec)
    for key in rev:
        np.testing.assert_allclose(fwd[key], rev[key], rtol=1e-9, atol=1e-12)


def wide(width: int, arithmetic: str = "exact"):
    """2 → width → 1 with ReLU: its weights grow with the width."""
    return load_spec(json.dumps({
        "format": "backprop-explorer/1", "name": f"wide {width}", "arithmetic": arithmetic,
        "layers": [{"type": "input", "size": 2},
                   {"type": "linear", "size": width, "bias": True,
                    "weights": [[str(F(i + 1, 3)), str(F(-i, 2))] for i in range(width)]},
                   {"type": "relu"},
                   {"type": "linear", "size": 1, "weights": [[str(F(1, i + 2)) for i in range(width)]]}],
        "loss": "half_squared_error",
        "data": {"x": [["1", "-1/2"], ["2", "1"]], "y": [["1"], ["0"]]}}))


def test_forward_multiplications_grow_faster_than_reverse():
    costs = []
    for width in (2, 4, 8):  # 1×, 2×, 4×
        (rev, rev_cost), (fwd, fwd_cost) = both(wide(width))
        assert all(fwd[k].tolist() == rev[k].tolist() for k in rev)
        assert fwd_cost["passes"] == 4 * width  # W1 (2w) + b1 (w) + W2 (w)
        costs.append((fwd_cost["multiplications"], rev_cost["multiplications"]))
    for (f1, r1), (f2, r2) in zip(costs, costs[1:]):
        assert f2 / f1 > r2 / r1 and f2 / r2 > f1 / r1  # the gap widens with the width
    assert costs[-1][0] / costs[0][0] > 8 and costs[-1][1] / costs[0][1] < 5  # ~quadratic vs ~linear


def test_forward_mode_past_its_limit_is_refused_before_any_pass(monkeypatch):
    import engine.forward_mode as fm
    import engine.limits
    calls = []
    monkeypatch.setattr(fm, "_one_pass", lambda *a: calls.append(a))
    monkeypatch.setattr(engine.limits, "MAX_EXACT_FORWARD_MODE_WORK", 10)
    with pytest.raises(NotExactError, match="forward mode: 16 passes"):
        both(wide(4))
    assert calls == []


def trace(capsys, *argv):
    status = main(["trace", *argv])
    out, err = capsys.readouterr()
    assert status == 0, err
    return out


def test_cli_forward_json_has_the_same_keys_and_its_cost(capsys):
    rev = json.loads(trace(capsys, "--preset", "article", "--sample", "3", "--json"))
    fwd = json.loads(trace(capsys, "--preset", "article", "--sample", "3", "--mode", "forward", "--json"))
    assert set(fwd) == set(rev) and "cost" in fwd
    assert fwd["cost"] == {"passes": 3, "multiplications": fwd["cost"]["multiplications"]}
    assert rev["cost"]["passes"] == 1 and fwd["cost"]["multiplications"] > rev["cost"]["multiplications"]
    assert fwd["weight_grads"] == rev["weight_grads"] == {"W2": [[0, -2000, -3000]]}
    assert {k: v for k, v in fwd.items() if k != "cost"} == {k: v for k, v in rev.items() if k != "cost"}


def test_cli_forward_on_the_whole_batch(capsys):
    rev = json.loads(trace(capsys, "--preset", "xor", "--sample", "all", "--json"))
    fwd = json.loads(trace(capsys, "--preset", "xor", "--sample", "all", "--mode", "forward", "--json"))
    assert set(fwd) == set(rev) and fwd["cost"]["passes"] == 17  # 2·4 + 4 + 4 + 1 weights
    for key, g in rev["weight_grads"].items():
        np.testing.assert_allclose(fwd["weight_grads"][key], g, rtol=1e-9, atol=1e-12)


def test_cli_text_adds_one_cost_line(capsys):
    rev = trace(capsys, "--preset", "article", "--sample", "3")
    fwd = trace(capsys, "--preset", "article", "--sample", "3", "--mode", "forward")
    assert rev.splitlines()[:-1] == fwd.splitlines()[:-1]
    assert rev.splitlines()[-1].startswith("  cost   = reverse mode: 1 pass (one backward pass), ")
    assert fwd.splitlines()[-1].startswith("  cost   = forward mode: 3 passes (one pass per weight), ")
    assert fwd.splitlines()[-1].endswith(" multiplications")


def test_cli_bad_mode_is_one_line_exit_2():
    done = subprocess.run([sys.executable, "-m", "engine", "trace", "--preset", "article", "--mode", "sideways"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "--mode: invalid choice: 'sideways'" in done.stderr


def test_cli_forward_past_its_limit_is_one_line_exit_2(monkeypatch, capsys):
    import engine.limits
    monkeypatch.setattr(engine.limits, "MAX_EXACT_FORWARD_MODE_WORK", 2)
    status = main(["trace", "--preset", "article", "--sample", "3", "--mode", "forward"])
    out, err = capsys.readouterr()
    assert status == 2 and out == "" and err.count("\n") == 1
    assert "forward mode: 3 passes (one per weight) × 1 samples × 3 weights is 9 multiplications" in err
    assert "use --mode reverse or float arithmetic" in err
