"""docs/model-format.md's loss conventions, checked on a recorded batch: the batch loss is
the mean over the samples; mse, mae and binary cross-entropy also average over the outputs,
half_squared_error and softmax cross-entropy sum over them; MAE's derivative at 0 is 0."""
import json

import numpy as np
import pytest

from engine.record import record
from engine.spec import load_spec

X = [[0.2, 0.5, 0.9], [0.4, 0.4, 0.1]]  # the model's output: an identity 3 → 3
Y = [[0.0, 1.0, 0.0], [0.3, 0.4, 0.3]]  # rows summing to 1, for softmax cross-entropy
x, y = np.array(X), np.array(Y)
PER_SAMPLE = {  # the documented formulas, summed (Σ) or averaged (mean) over the outputs
    "half_squared_error": 0.5 * ((x - y) ** 2).sum(axis=1),
    "mse": ((x - y) ** 2).mean(axis=1),
    "mae": np.abs(x - y).mean(axis=1),
    "binary_cross_entropy": -(y * np.log(x) + (1 - y) * np.log(1 - x)).mean(axis=1),
    "softmax_cross_entropy": -(y * (x - np.log(np.exp(x).sum(axis=1, keepdims=True)))).sum(axis=1),
}


def graph(loss: str, xs=X, ys=Y):
    doc = {"format": "backprop-explorer/1", "arithmetic": "float", "loss": loss,
           "layers": [{"type": "input", "size": 3},
                      {"type": "linear", "size": 3, "bias": False, "weights": np.eye(3).tolist()}],
           "data": {"x": xs, "y": ys}}
    spec = load_spec(json.dumps(doc))
    return record(spec.model, spec.data.x, spec.data.y)


@pytest.mark.parametrize("loss", PER_SAMPLE)
def test_the_batch_loss_is_the_mean_over_samples_of_the_documented_per_sample_loss(loss):
    g = graph(loss)
    np.testing.assert_allclose(g.sample_losses, PER_SAMPLE[loss], rtol=1e-12)
    assert g.loss == pytest.approx(PER_SAMPLE[loss].mean(), rel=1e-12)


@pytest.mark.parametrize("loss", PER_SAMPLE)
def test_the_delta_from_the_loss_is_the_derivative_of_the_batch_loss(loss):
    delta, h = graph(loss).value("δ3"), 1e-6
    for i in range(2):
        for j in range(3):
            up, down = [r[:] for r in X], [r[:] for r in X]
            up[i][j] += h
            down[i][j] -= h
            slope = (graph(loss, up).loss - graph(loss, down).loss) / (2 * h)
            assert delta[i, j] == pytest.approx(slope, rel=1e-5, abs=1e-9)


def test_maes_derivative_where_output_and_target_agree_is_zero():
    delta = graph("mae", [[0.2, 0.5, 0.9]], [[0.2, 0.0, 1.0]]).value("δ3")
    assert delta.tolist() == [[0.0, 1 / 3, -1 / 3]]  # sign(x − y) / (m·n), and sign(0) = 0
