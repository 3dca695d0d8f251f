"""Finite differences confirm every recorded δ and δw, and catch a wrong backward."""
import numpy as np
import pytest

from engine import Input, LeakyReLU, Linear, Model, ReLU, Sigmoid, Softmax, Tanh, record
from engine.gradcheck import gradcheck
from engine.losses import LOSSES
from engine.presets import load_preset

TOL = 1e-4  # central differences: ~1e-9 typically, up to ~1e-5 where the loss curves sharply (p near 1)


def mlp(activation, loss, seed=0, sizes=(3, 5, 4, 2), n=6):
    rng = np.random.default_rng(seed)
    layers = [Input(sizes[0])]
    for a, b in zip(sizes, sizes[1:]):
        layers += [Linear(a, b, rng.normal(size=(b, a)) * 0.7, rng.normal(size=b) * 0.1), activation(b)]
    if loss == "softmax_cross_entropy":
        layers.pop()  # the fused loss takes the logits
    x = rng.normal(size=(n, sizes[0]))
    if loss == "binary_cross_entropy":
        layers[-1] = Sigmoid(sizes[-1])
        y = rng.integers(0, 2, size=(n, sizes[-1])).astype(float)
    elif loss == "softmax_cross_entropy":
        y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], size=n)]
    else:
        y = rng.normal(size=(n, sizes[-1]))
    return Model(tuple(layers), LOSSES[loss]()), x, y


@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("activation", [Tanh, Sigmoid, LeakyReLU], ids=lambda a: a.kind)
def test_random_mlps_pass(activation, loss):
    model, x, y = mlp(activation, loss)
    check = gradcheck(record(model, x, y))
    assert set(check.edges) == {f"X{k}" for k in range(1, model.K + 2)}
    assert set(check.weights) == set(model.weights())
    if loss == "mae":
        assert check.kinks == ()  # no o = y in random data
    assert check.ok(TOL), check.worst()


def test_a_saturated_sigmoid_under_cross_entropy_is_flagged():
    model = Model((Input(1), Linear(1, 1, [[40.0]]), Sigmoid(1)), LOSSES["binary_cross_entropy"]())
    check = gradcheck(record(model, np.array([[1.0]]), np.array([[0.0]])))
    assert any("binary_cross_entropy" in k and "singular" in k for k in check.kinks)


def test_softmax_layer_passes():
    rng = np.random.default_rng(1)
    model = Model((Input(3), Linear(3, 4, rng.normal(size=(4, 3))), Softmax(4)), LOSSES["half_squared_error"]())
    check = gradcheck(record(model, rng.normal(size=(5, 3)), rng.random((5, 4))))
    assert check.ok(TOL), check.worst()
    assert check.numeric["X3"].shape == (5, 4)


class SignFlippedTanh(Tanh):
    """A deliberately wrong backward: the learning flow comes out negated."""

    def backward(self, x, y, delta_out):
        return -super().backward(x, y, delta_out)


def test_a_wrong_backward_is_detected_where_it_is():
    model, x, y = mlp(Tanh, "mse")
    layers = list(model.layers)
    layers[4] = SignFlippedTanh(layers[4].size_in)  # L5, between W4 and W6
    check = gradcheck(record(Model(tuple(layers), model.loss), x, y))
    assert not check.ok(TOL)
    # Above the wrong layer everything still agrees; from its input down it does not.
    assert check.edges["X6"] < TOL and check.edges["X7"] < TOL and check.weights["W6"] < TOL
    assert check.edges["X5"] > 0.5 and check.weights["W4"] > 0.5 and check.edges["X1"] > 0.5


def test_exact_graphs_are_checked_in_float_and_the_relu_kink_is_explained():
    p = load_preset("article", "exact")
    sample2 = gradcheck(record(p.model, *p.data.sample(2, "exact")))
    assert sample2.ok(TOL) and sample2.kinks == ()
    # Sample 3: o2 is exactly 0, where ReLU has no derivative. The engine follows the
    # article (gate open, derivative 1); finite differences see ½: a legitimate gap.
    sample3 = gradcheck(record(p.model, *p.data.sample(3, "exact")))
    assert sample3.edges["X4"] < TOL  # the loss itself is smooth
    assert sample3.edges["X3"] == pytest.approx(1 / 3, rel=1e-3)  # |−1 − (−½)| / (1 + ½)
    np.testing.assert_allclose(sample3.numeric["X3"], [[-0.5]], rtol=1e-4)
    assert any("L3 (relu)" in k and "exactly 0" in k for k in sample3.kinks)


@pytest.mark.parametrize("at_zero,used", [(1, "derivative 1,"), (0, "derivative 1/100,")])
def test_the_leaky_relu_kink_note_names_the_derivative_the_layer_uses(at_zero, used):
    p = load_preset("article", "exact")
    layers = p.model.layers[:2] + (LeakyReLU(1, at_zero=at_zero),)
    check = gradcheck(record(Model(layers, p.model.loss, "exact"), *p.data.sample(3, "exact")))
    assert any("L3 (leaky_relu)" in k and "exactly 0" in k and used in k for k in check.kinks), check.kinks


def test_relu_away_from_zero_passes():
    rng = np.random.default_rng(2)
    model = Model((Input(3), Linear(3, 4, rng.normal(size=(4, 3)), rng.normal(size=4)), ReLU(4),
                   Linear(4, 1, rng.normal(size=(1, 4)))), LOSSES["half_squared_error"]())
    x = rng.normal(size=(8, 3))
    check = gradcheck(record(model, x, rng.normal(size=(8, 1))))
    assert check.kinks == () and check.ok(TOL), check.worst()
