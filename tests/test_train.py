"""Gradient descent: the article's exact learning step, batch learning, divergence, limits."""
import json
from fractions import Fraction as F

import numpy as np
import pytest

from engine import Dataset, Input, Linear, Model, Tanh, record
from engine.losses import LOSSES
from engine.presets import load_preset
from engine.record import passes
from engine.descent import gradients, record_step
from engine.train import train


def regression(seed=0, n=12):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    y = x @ np.array([[1.5], [-2.0]]) + 0.5
    model = Model((Input(2), Linear(2, 4, rng.normal(size=(4, 2)) * 0.5, np.zeros(4)), Tanh(4),
                   Linear(4, 1, rng.normal(size=(1, 4)) * 0.5, np.zeros(1))), LOSSES["mse"]())
    return model, Dataset(x, y)


def test_article_sample_by_sample_changes_w2_only_at_sample_3():
    p = load_preset("article", "exact")
    alpha = F("1e-7")
    result = train(p.model, p.data, lr=alpha, epochs=1, batch_size=1)
    w0 = p.model.weights()["W2"]
    h = result.history
    assert [s.loss for s in h.steps] == [0, 0, F(1, 2)]
    # Samples 1 and 2 have δ = 0: W2 does not move; sample 3 moves it by −α·δw2 = +α·(0, 2000, 3000).
    assert h.weights[1]["W2"].tolist() == w0.tolist() == h.weights[2]["W2"].tolist()
    expected = [[F(1, 200), F(-3, 11600) + 2000 * alpha, F(1, 5800) + 3000 * alpha]]
    assert result.model.weights()["W2"].tolist() == expected
    assert expected == [[F(1, 200), F(-17, 290000), F(137, 290000)]]  # by hand
    assert all(isinstance(v, F) for v in result.model.weights()["W2"].flat)
    assert p.model.weights()["W2"].tolist() == w0.tolist()  # the input model is untouched
    assert result.stopped is None and h.epoch_losses == [F(1, 6)]


def test_batch_gradient_is_the_average_of_sample_gradients():
    model, data = regression()
    x, y = data.batch("float")
    batch = record(model, x, y).weight_grads
    singles = [record(model, x[i:i + 1], y[i:i + 1]).weight_grads for i in range(len(x))]
    for key, g in batch.items():
        np.testing.assert_allclose(g, sum(s[key] for s in singles) / len(x), rtol=1e-12, atol=1e-15)


def test_batch_learning_takes_one_step_with_the_average_gradient():
    p = load_preset("article", "exact")
    result = train(p.model, p.data, lr="1e-7", epochs=1, batch_size=3)
    x, y = p.data.batch("exact")
    grads = record(p.model, x, y).weight_grads
    assert len(result.history.steps) == 1
    assert result.model.weights()["W2"].tolist() == (p.model.weights()["W2"] - F("1e-7") * grads["W2"]).tolist()
    assert grads["W2"].tolist() == [[0, F(-2000, 3), -1000]]  # δw2 of sample 3, carrying 1/3


@pytest.mark.parametrize("arithmetic", ["float", "exact"])
def test_training_gradients_are_record_passes_gradients(arithmetic):
    p = load_preset("article", arithmetic)
    x, y = p.data.batch(arithmetic)
    loss, grads = gradients(list(p.model.layers), p.model.loss, x, y, arithmetic == "exact")
    _, sample_losses, _, expected = passes(p.model, x, y)
    assert {k: g.tolist() for k, g in grads.items()} == {k: g.tolist() for k, g in expected.items()}
    assert loss == sample_losses.sum() / 3


def test_loss_decreases_on_a_simple_regression():
    model, data = regression()
    result = train(model, data, lr=0.1, epochs=200, batch_size=4, shuffle=True, seed=3)
    losses = result.history.epoch_losses
    assert len(losses) == 200 and len(result.history.steps) == 600
    assert losses[-1] < losses[0] / 10
    assert result.stopped is None
    assert set(result.history.steps[0].grad_norms) == {"W2", "b2", "W4", "b4"}
    json.dumps(result.history.as_dicts())


def test_shuffle_is_reproducible_from_the_seed():
    model, data = regression()
    a = train(model, data, lr=0.1, epochs=3, batch_size=5, shuffle=True, seed=7)
    b = train(model, data, lr=0.1, epochs=3, batch_size=5, shuffle=True, seed=7)
    c = train(model, data, lr=0.1, epochs=3, batch_size=5, shuffle=True, seed=8)
    assert a.history.losses() == b.history.losses() != c.history.losses()
    assert [s.epoch for s in a.history.steps] == [1, 1, 1, 2, 2, 2, 3, 3, 3]  # 12 samples: 5 + 5 + 2


def test_divergence_stops_naming_the_step_and_the_tensor():
    model, data = regression()
    result = train(model, data, lr=1e12, epochs=50, batch_size=12)
    assert result.stopped is not None
    steps = result.history.steps
    assert 0 < len(steps) < 50
    assert f"step {len(steps) + 1}" in result.stopped or f"step {len(steps) + 2}" in result.stopped
    assert any(name in result.stopped for name in ("W2", "b2", "W4", "b4", "o", "δ", "loss"))
    assert all(np.isfinite(s.loss) for s in steps)
    assert all(np.isfinite(w).all() for w in result.model.weights().values())


def test_record_steps_returns_graphs_with_the_weights_before_the_update():
    model, data = regression()
    result = train(model, data, lr=0.1, epochs=2, batch_size=4, shuffle=True, record_steps=[1, 5])
    assert set(result.recorded) == {1, 5}
    g1, g5 = result.recorded[1], result.recorded[5]
    assert g1.batch_size == 4
    assert g1.loss == pytest.approx(result.history.steps[0].loss)
    assert g5.loss == pytest.approx(result.history.steps[4].loss)
    np.testing.assert_array_equal(g1.model.weights()["W2"], model.weights()["W2"])
    # Any past step can be recorded afterwards by replay, identically.
    again = record_step(result, model, data, 5)
    np.testing.assert_array_equal(again.x, g5.x)
    for key, g in g5.weight_grads.items():
        np.testing.assert_array_equal(again.weight_grads[key], g)


def test_snapshots_stay_small_for_long_runs():
    model, data = regression()
    result = train(model, data, lr=0.01, epochs=3000, batch_size=4)  # 9,000 steps, 17 weights
    h = result.history
    assert len(h.steps) == 9000
    assert sum(w.size for ws in h.weights.values() for w in ws.values()) <= 1_000_000 + 17
    assert 9000 in h.weights and 0 in h.weights
    graph = record_step(result, model, data, 8999)
    assert graph.loss == pytest.approx(h.steps[8998].loss)


def test_too_many_steps_are_refused_before_starting():
    model, data = regression()
    calls = []
    with pytest.raises(ValueError, match="limit"):
        train(model, data, lr=0.1, epochs=200_000, batch_size=12, on_step=lambda s, t: calls.append(s))
    assert calls == []
    with pytest.raises(ValueError, match="limit"):
        train(model, data, lr=0.1, epochs=10, batch_size=1, max_steps=100)


def test_on_step_reports_progress():
    model, data = regression()
    calls = []
    train(model, data, lr=0.1, epochs=2, batch_size=6, on_step=lambda s, t: calls.append((s, t)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


@pytest.mark.parametrize("kwargs", [dict(lr=0), dict(lr=-1), dict(epochs=0), dict(batch_size=0)])
def test_bad_arguments_are_refused(kwargs):
    model, data = regression()
    args = dict(lr=0.1, epochs=1, batch_size=1) | kwargs
    with pytest.raises(ValueError):
        train(model, data, **args)
