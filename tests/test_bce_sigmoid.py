"""Binary cross-entropy after a Sigmoid: the loss does the sigmoid's backward, so δ at
the sigmoid's input is exactly (o − y)/(m·n), also where the clipped derivative fails."""
import json

import numpy as np
import pytest

from engine.gradcheck import gradcheck
from engine.presets import load_preset
from engine.record import record
from engine.spec import load_spec
from engine.train import train

FORMAT = "backprop-explorer/1"


def _saturated(z: float, truth: int):
    """input 1 → w·x (w = 1) → sigmoid → BCE on one sample x = z."""
    return load_spec(json.dumps({
        "format": FORMAT,
        "layers": [{"type": "input", "size": 1}, {"type": "linear", "size": 1, "weights": [[1]]},
                   {"type": "sigmoid"}],
        "loss": "binary_cross_entropy", "data": {"x": [[z]], "y": [[truth]]}}))


@pytest.mark.parametrize("z,truth", [(34.5, 0), (-34.5, 1), (40.0, 0), (3.0, 1)])
def test_the_delta_at_the_sigmoid_input_is_o_minus_y(z, truth):
    spec = _saturated(z, truth)
    graph = record(spec.model, *spec.data.sample(1, "float"))
    o = graph.o(3)[0, 0]
    assert graph.delta(3)[0, 0] == o - truth  # exactly, n = m = 1
    assert abs(graph.delta(3)[0, 0]) > 0.9 or z == 3.0  # the clipped version gave ~1e-3 (or 0 at z = 40)
    assert graph.weight_grads["W2"][0, 0] == (o - truth) * z
    # δ on the loss's edge is still the loss's own (clipped) derivative
    p = min(max(o, 1e-12), 1 - 1e-12)
    assert graph.delta(4)[0, 0] == (p - truth) / (p * (1 - p))


@pytest.mark.parametrize("z,truth", [(34.5, 0), (-34.5, 1), (0.7, 1)])
def test_finite_differences_agree_below_the_sigmoid_even_when_saturated(z, truth):
    spec = _saturated(z, truth)
    check = gradcheck(record(spec.model, *spec.data.sample(1, "float")))
    assert check.edges["X3"] < 1e-6 and check.edges["X2"] < 1e-6 and check.weights["W2"] < 1e-6


def test_presets_with_sigmoid_and_bce_pass_the_gradient_check_on_a_batch():
    for name in ("xor", "moons", "circles"):
        spec = load_preset(name)
        x, y = spec.data.batch("float")
        check = gradcheck(record(spec.model, x[:8], y[:8]))
        assert check.ok(1e-5), (name, check.worst())


def test_the_mean_over_outputs_and_samples_scales_the_fused_delta():
    spec = load_spec(json.dumps({
        "format": FORMAT,
        "layers": [{"type": "input", "size": 2}, {"type": "linear", "size": 2, "weights": [[1, 2], [-3, 1]]},
                   {"type": "sigmoid"}],
        "loss": "binary_cross_entropy", "data": {"x": [[0.5, 1], [40, -2], [1, 1]], "y": [[1, 0], [0, 1], [1, 1]]}}))
    graph = record(spec.model, *spec.data.batch("float"))
    o, y = graph.o(3), graph.y
    assert np.array_equal(graph.delta(3), (o - y) / (2 * 3))
    assert gradcheck(graph).edges["X3"] < 1e-6


def test_training_moves_a_saturated_sigmoid_back():
    spec = _saturated(34.5, 0)  # o = 1 − 1e-15 on the wrong side
    result = train(spec.model, spec.data, lr="0.01", epochs=1, batch_size=1)
    w = result.model.weights()["W2"][0, 0]
    o = 1 / (1 + np.exp(-34.5))
    assert w == 1 - 0.01 * (o * 34.5)  # δw = (o − y)·x; the clipped gradient moved it by ~3e-4 of that
    assert result.stopped is None
