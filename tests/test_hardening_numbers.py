"""Numbers that blow up: stable activations and losses, a divergence stop that says
where, and exact fractions that stop growing at a documented limit."""
from __future__ import annotations

import json
from fractions import Fraction as F

import numpy as np
import pytest

from engine.layers import Sigmoid, Softmax, Tanh
from engine.cli import main
from engine.losses import BinaryCrossEntropy, SoftmaxCrossEntropy
from engine.numbers import MAX_EXACT_DIGITS, NotExactError, to_array, to_float
from engine.record import record
from engine.spec import FORMAT, load_spec
from engine.descent import record_step
from engine.train import train

EXTREME = np.array([[-1000.0, -30.0, 0.0, 30.0, 1000.0]])


def _finite(*arrays):
    return all(np.isfinite(np.asarray(a, dtype=float)).all() for a in arrays)


@pytest.mark.parametrize("layer", [Sigmoid(5), Tanh(5), Softmax(5)], ids=lambda l: l.kind)
def test_activations_at_plus_minus_1000_are_finite_with_finite_gradients(layer):
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # not even a warning
        y = layer.forward(EXTREME)
        delta = layer.backward(EXTREME, y, np.ones_like(EXTREME))
    assert _finite(y, delta)
    assert ((0 <= y) & (y <= 1)).all() or layer.kind == "tanh"
    if layer.kind == "sigmoid":
        assert y[0, 0] == 0.0 and y[0, -1] == 1.0
    if layer.kind == "softmax":
        assert y.sum() == pytest.approx(1) and y[0, -1] == pytest.approx(1)


@pytest.mark.parametrize("y_truth", [0.0, 1.0])
def test_binary_cross_entropy_of_saturated_sigmoid_is_finite(y_truth):
    o = Sigmoid(5).forward(EXTREME)  # exactly 0 and 1 at the ends
    y = np.full_like(o, y_truth)
    loss = BinaryCrossEntropy()
    value, delta = loss.value(o, y), loss.delta(o, y)
    assert _finite(value, delta)
    assert value[0] == pytest.approx(np.mean(-np.log(np.clip(np.where(y_truth, o, 1 - o), 1e-12, 1))), rel=1e-6)
    # through the sigmoid the learning flow stays finite as well
    assert _finite(Sigmoid(5).backward(EXTREME, o, delta))


def test_softmax_cross_entropy_of_huge_logits_is_finite_and_right():
    logits = np.array([[-1000.0, 0.0, 1000.0], [1000.0, 1000.0, -1000.0]])
    y = np.array([[1.0, 0, 0], [0, 1.0, 0]])
    loss = SoftmaxCrossEntropy()
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value, delta = loss.value(logits, y), loss.delta(logits, y)
    assert _finite(value, delta)
    assert value.tolist() == pytest.approx([2000.0, np.log(2)])  # log-sum-exp, not log(0)
    np.testing.assert_allclose(delta, [[-0.5, 0, 0.5], [0.25, -0.25, 0]], atol=1e-12)


REGRESSION = {"format": FORMAT, "name": "line", "arithmetic": "float",
              "layers": [{"type": "input", "size": 2},
                         {"type": "linear", "size": 3, "bias": True, "init": {"seed": 1}},
                         {"type": "relu"}, {"type": "linear", "size": 1, "init": {"seed": 2}}],
              "loss": "half_squared_error",
              "data": {"x": [[1, 2], [3, -1], [0.5, 4]], "y": [[1], [2], [-3]]}}


@pytest.mark.parametrize("lr,where", [("10", "the loss (half_squared_error) of o4, the output of L4 (linear)"),
                                      ("1e300", "o4, the output of L4 (linear), is not finite")])
def test_a_huge_learning_rate_stops_saying_step_and_layer_and_keeps_the_history(lr, where):
    spec = load_spec(json.dumps(REGRESSION))
    result = train(spec.model, spec.data, lr=lr, epochs=1000, batch_size=1)
    assert result.stopped and where in result.stopped
    steps = result.history.steps
    assert f"training stopped at step {len(steps) + 1} " in result.stopped
    assert "learning rate" in result.stopped
    # the history up to that point is usable: finite losses, finite weights, any step replays
    assert 1 <= len(steps) < 1000 * 3
    assert _finite(result.history.losses())
    assert all(_finite(w) for w in result.model.weights().values())
    graph = record_step(result, spec.model, spec.data, len(steps))
    assert np.isfinite(float(graph.loss))
    json.dumps(result.history.as_dicts(), allow_nan=False)  # the JSON export works too


def test_the_cli_prints_the_divergence_stop(tmp_path, capsys):
    path = tmp_path / "line.json"
    path.write_text(json.dumps(REGRESSION))
    assert main(["train", "--model", str(path), "--lr", "10", "--epochs", "100", "--batch-size", "1"]) == 0
    out = capsys.readouterr().out
    assert "stopped early: training stopped at step 8 (epoch 3)" in out and "L4" in out


GROWING = {"format": FORMAT, "arithmetic": "exact",
           "layers": [{"type": "input", "size": 2},
                      {"type": "linear", "size": 2, "weights": [["1/3", "2/7"], ["5/11", "-1/13"]]},
                      {"type": "linear", "size": 1, "weights": [["3/17", "-2/19"]]}],
           "loss": "half_squared_error",
           "data": {"x": [["1/3", "2/9"], ["5/7", "1/11"]], "y": [["1/2"], ["-1/3"]]}}


def test_exact_training_whose_fractions_grow_stops_at_the_documented_limit():
    spec = load_spec(json.dumps(GROWING))
    result = train(spec.model, spec.data, lr="1/7", epochs=300, batch_size=1)
    assert result.stopped is not None
    assert f"fractions grew past {MAX_EXACT_DIGITS} digits" in result.stopped
    assert "use float arithmetic" in result.stopped
    n = len(result.history.steps)
    assert f"training stopped at step {n + 1} " in result.stopped and n >= 1
    assert "o2, the output of L2" in result.stopped or "o3, the output of L3" in result.stopped \
        or "the weights" in result.stopped
    # what was trained stays exact, within the limit, and replays
    limit = 10 ** MAX_EXACT_DIGITS
    for w in result.model.weights().values():
        assert all(isinstance(v, F) and v.denominator < limit and abs(v.numerator) < limit for v in w.flat)
    assert record_step(result, spec.model, spec.data, n).loss == result.history.steps[-1].loss


def test_exact_weights_growing_in_the_update_are_rolled_back():
    # large δw, tiny weights: the update is where the digits pile up
    d = json.loads(json.dumps(GROWING))
    d["layers"] = [{"type": "input", "size": 1}, {"type": "linear", "size": 1, "weights": [["1/3"]]}]
    d["data"] = {"x": [["1/3"]], "y": [["1/2"]]}
    spec = load_spec(json.dumps(d))
    digits = MAX_EXACT_DIGITS // 2 - 5
    lr = F(1, 10 ** digits + 7)
    result = train(spec.model, spec.data, lr=f"{lr.numerator}/{lr.denominator}", epochs=50, batch_size=1)
    assert result.stopped and "the weights W2 after the update: fractions grew past" in result.stopped
    n = len(result.history.steps)
    assert f"at step {n + 1} " in result.stopped
    assert result.history.epoch_losses == [s.loss for s in result.history.steps]
    w = result.model.weights()["W2"][0, 0]
    assert len(str(w.denominator)) <= MAX_EXACT_DIGITS


def test_recording_with_huge_exact_fractions_is_refused_clearly():
    # 10 layers of 380-digit fractions: the product has far more than MAX_EXACT_DIGITS
    big = f"{10 ** 379 + 1}/{10 ** 379 + 3}"
    d = {"format": FORMAT, "arithmetic": "exact",
         "layers": [{"type": "input", "size": 1}] + [{"type": "linear", "size": 1, "weights": [[big]]}] * 10,
         "loss": "half_squared_error", "data": {"x": [["1/3"]], "y": [[1]]}}
    spec = load_spec(json.dumps(d))
    # the same words as training's: one pass makes both
    with pytest.raises(NotExactError, match=rf"o\d+, the output of L\d+ \(linear\): fractions grew past "
                                            rf"{MAX_EXACT_DIGITS} digits"):
        record(spec.model, *spec.data.sample(1, "exact"))
    path_message = None
    try:
        train(spec.model, spec.data, lr="1/2", epochs=1, batch_size=1)
    except NotExactError as e:  # the very first step: nothing to keep, a plain refusal
        path_message = str(e)
    assert path_message and "fractions grew past" in path_message


def test_the_cli_refuses_recording_huge_fractions_in_one_line(tmp_path, capsys):
    big = f"{10 ** 379 + 1}/{10 ** 379 + 3}"
    d = {"format": FORMAT, "arithmetic": "exact",
         "layers": [{"type": "input", "size": 1}] + [{"type": "linear", "size": 1, "weights": [[big]]}] * 10,
         "loss": "half_squared_error", "data": {"x": [["1/3"]], "y": [[1]]}}
    path = tmp_path / "big.json"
    path.write_text(json.dumps(d))
    assert main(["trace", "--model", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "fractions grew past" in err


def test_exact_numbers_past_the_float_range_are_refused_when_shown_in_float():
    huge = np.array([[F(10 ** 400), F(1, 3)]], dtype=object)
    for convert in (lambda: to_array(huge, "float"), lambda: to_float(huge)):
        with pytest.raises(NotExactError, match="too large for float arithmetic"):
            convert()
    assert to_float(np.array([[F(1, 3)]], dtype=object))[0, 0] == pytest.approx(1 / 3)


# Exact work past the limits is refused before it starts ---------------------------------

def _wide(arithmetic: str, width: int, depth: int, samples: int):
    layers = [{"type": "input", "size": width}]
    for k in range(depth):
        layers += [{"type": "linear", "size": width, "bias": True, "init": {"seed": k}}, {"type": "relu"}]
    return load_spec(json.dumps({"format": FORMAT, "arithmetic": arithmetic, "layers": layers,
                                 "loss": "half_squared_error",
                                 "data": {"x": [[1] * width] * samples, "y": [[0] * width] * samples}}))


@pytest.fixture
def linear_forwards(monkeypatch):
    """Counts Linear.forward calls: work refused before it starts leaves it at zero."""
    from engine.layers import Linear
    calls, original = [], Linear.forward
    monkeypatch.setattr(Linear, "forward", lambda self, x: calls.append(1) or original(self, x))
    return calls


def test_an_exact_whole_batch_past_the_work_limit_is_refused_at_once(linear_forwards):
    from engine.limits import MAX_EXACT_WORK
    spec = _wide("exact", 64, 15, 1000)  # a whole batch would take about half an hour
    x, y = spec.data.batch("exact")
    with pytest.raises(NotExactError, match=f"more than the limit of {MAX_EXACT_WORK:,}"):
        record(spec.model, x, y)
    assert not linear_forwards  # refused before the first multiplication
    with pytest.raises(NotExactError, match="recording this batch in exact arithmetic: 1,000 samples"):
        record(spec.model, x, y)
    small = _wide("exact", 4, 2, 3)
    assert record(small.model, *small.data.batch("exact")).batch_size == 3  # small work still runs


def test_exact_training_past_the_work_limit_is_refused_before_the_first_step(linear_forwards):
    spec = _wide("exact", 64, 3, 100)
    with pytest.raises(NotExactError, match="training 5 epochs in exact arithmetic"):
        train(spec.model, spec.data, lr="1/10", epochs=5, batch_size=1)
    assert not linear_forwards


def test_a_wide_float_model_is_not_cast_to_exact():
    spec = _wide("float", 784, 1, 10)
    with pytest.raises(NotExactError, match="784 neurons in layer 1; exact arithmetic allows at most 64"):
        spec.model.cast("exact")


def test_explore_shows_a_wide_float_model_and_refuses_only_its_exact_side():
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.session_state["workspace"] = _wide("float", 100, 2, 2000)
    at.run()
    assert not at.exception
    at.toggle(key="diff_open").set_value(True).run()  # the float-vs-exact view
    assert not at.exception and any("exact arithmetic allows at most 64" in w.value for w in at.warning)
    at.selectbox(key="sample").set_value(0).run()  # the whole batch
    assert not at.exception
    at.radio(key="arithmetic").set_value("exact").run()  # refused with the reason, the float graph kept
    assert not at.exception and not at.error and at.radio(key="arithmetic").value == "float"
    assert any("no exact arithmetic" in w.value and "exact arithmetic allows at most 64" in w.value for w in at.warning)


def test_the_gradient_check_of_a_big_model_stays_within_its_budget():
    from engine.gradcheck import MAX_CHECKED, gradcheck
    spec = _wide("float", 100, 2, 2000)
    graph = record(spec.model, *spec.data.batch("float"))  # Explore's whole batch: it used to take ~40 s
    check = gradcheck(graph)
    assert check.worst()[1] < 1e-4  # what was checked agrees
    assert check.checked and all(done <= MAX_CHECKED and done < of for done, of in check.checked.values())
    small = load_spec(json.dumps(REGRESSION))
    full = gradcheck(record(small.model, *small.data.batch("float")))
    assert full.checked == {} and set(full.weights) == {"W2", "b2", "W4"}  # small models: everything


def test_a_float_run_past_the_work_limit_is_refused_before_the_first_step(linear_forwards):
    spec = _wide("float", 700, 2, 1000)  # ~1M weights × 1,000 samples: hours for 10,000 epochs
    with pytest.raises(ValueError, match="is more work than this server allows in one run"):
        train(spec.model, spec.data, lr="0.1", epochs=10_000, batch_size=1000)
    assert not linear_forwards
