"""Every layer and every loss: backward, Jacobian and formulas against finite differences."""
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from engine import Input, LeakyReLU, Linear, NotExactError, ReLU, Sigmoid, Softmax, Tanh
from engine.losses import LOSSES
from engine.numbers import to_array

H = 1e-6


def make(kind, size_in, size_out, rng):
    if kind == "linear":
        return Linear(size_in, size_out, rng.normal(size=(size_out, size_in)), rng.normal(size=size_out))
    if kind == "linear_nobias":
        return Linear(size_in, size_out, rng.normal(size=(size_out, size_in)))
    return {"input": Input, "relu": ReLU, "leaky_relu": LeakyReLU, "sigmoid": Sigmoid,
            "tanh": Tanh, "softmax": Softmax}[kind](size_in)


KINDS = ["input", "linear", "linear_nobias", "relu", "leaky_relu", "sigmoid", "tanh", "softmax"]


def away_from_kinks(x):
    # ReLU-like layers are not differentiable at 0: keep samples a step away from it.
    return np.where(np.abs(x) < 1e-3, 0.5, x)


def numeric_jacobian(f, x_row):
    """∂f/∂x by central differences, shape (out, in)."""
    cols = []
    for j in range(len(x_row)):
        e = np.zeros_like(x_row)
        e[j] = H
        cols.append((f(x_row + e) - f(x_row - e)) / (2 * H))
    return np.stack(cols, axis=1)


@pytest.mark.parametrize("kind", KINDS)
def test_backward_matches_finite_differences(kind):
    rng = np.random.default_rng(0)
    size_in = 4
    layer = make(kind, size_in, size_in if kind not in ("linear", "linear_nobias") else 3, rng)
    x = away_from_kinks(rng.normal(size=(5, size_in)))
    y = layer.forward(x)
    delta_out = rng.normal(size=y.shape)
    delta_in = layer.backward(x, y, delta_out)
    # δ_in = ∂(Σ δ_out · L(x))/∂x: the learning flow through the layer.
    scalar = lambda row, i: float(delta_out[i] @ layer.forward(row[None])[0])
    for i in range(len(x)):
        num = numeric_jacobian(lambda r: np.array([scalar(r, i)]), x[i])[0]
        np.testing.assert_allclose(delta_in[i], num, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("kind", KINDS)
def test_jacobian_matches_finite_differences_and_backward(kind):
    rng = np.random.default_rng(1)
    layer = make(kind, 3, 3 if kind not in ("linear", "linear_nobias") else 2, rng)
    x = away_from_kinks(rng.normal(size=(2, 3)))
    y = layer.forward(x)
    delta_out = rng.normal(size=y.shape)
    delta_in = layer.backward(x, y, delta_out)
    for i in range(2):
        j = np.asarray(layer.jacobian(x[i], y[i]), dtype=float)
        assert j.shape == (layer.size_out, layer.size_in)
        np.testing.assert_allclose(j, numeric_jacobian(lambda r: layer.forward(r[None])[0], x[i]),
                                   rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(delta_in[i], delta_out[i] @ j, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("bias", [False, True])
def test_linear_weight_gradient_matches_finite_differences(bias):
    rng = np.random.default_rng(2)
    w, b = rng.normal(size=(2, 3)), rng.normal(size=2)
    x, delta_out = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    layer = Linear(3, 2, w, b if bias else None)
    grads = layer.param_grads(x, delta_out)
    f = lambda w_flat: float((delta_out * Linear(3, 2, w_flat.reshape(2, 3), b if bias else None).forward(x)).sum())
    np.testing.assert_allclose(grads["W"].ravel(), numeric_jacobian(lambda r: np.array([f(r)]), w.ravel())[0],
                               rtol=1e-6)
    if bias:
        np.testing.assert_allclose(grads["b"], delta_out.sum(axis=0))


def test_a_value_used_twice_accumulates_its_gradient():
    # Fan-out: each input component of a Linear feeds every output, so its δ sums the
    # impacts over all outputs: δ^k_i = Σ_j δ^{k+1}_j W_ji.
    rng = np.random.default_rng(3)
    w = rng.normal(size=(3, 2))
    layer = Linear(2, 3, w)
    x, delta_out = rng.normal(size=(1, 2)), rng.normal(size=(1, 3))
    delta_in = layer.backward(x, layer.forward(x), delta_out)[0]
    by_hand = [sum(delta_out[0, j] * w[j, i] for j in range(3)) for i in range(2)]
    np.testing.assert_allclose(delta_in, by_hand)
    num = numeric_jacobian(lambda r: np.array([float(delta_out[0] @ layer.forward(r[None])[0])]), x[0])[0]
    np.testing.assert_allclose(delta_in, num, rtol=1e-7)
    # One output alone carries only its own share: the sum is really over all outputs.
    assert not np.allclose(delta_in, delta_out[0, 0] * w[0])


def loss_case(kind, rng, n=4, m=3):
    o = rng.normal(size=(n, m))
    if kind == "binary_cross_entropy":
        return rng.uniform(0.1, 0.9, size=(n, m)), rng.integers(0, 2, size=(n, m)).astype(float)
    if kind == "softmax_cross_entropy":
        return o, np.eye(m)[rng.integers(0, m, size=n)]
    if kind == "mae":
        return o, o + np.where(rng.random((n, m)) < 0.5, -1, 1) * rng.uniform(0.1, 1, size=(n, m))
    return o, rng.normal(size=(n, m))


@pytest.mark.parametrize("kind", sorted(LOSSES))
def test_loss_delta_is_the_gradient_of_the_mean_loss(kind):
    rng = np.random.default_rng(4)
    loss = LOSSES[kind]()
    o, y = loss_case(kind, rng)
    delta = loss.delta(o, y)
    mean = lambda flat: np.array([loss.value(flat.reshape(o.shape), y).mean()])
    np.testing.assert_allclose(delta.ravel(), numeric_jacobian(mean, o.ravel())[0], rtol=1e-5, atol=1e-9)
    assert loss.value(o, y).shape == (len(o),)


@pytest.mark.parametrize("kind", sorted(LOSSES))
def test_loss_formulas_are_latex(kind):
    loss = LOSSES[kind]()
    for text in (loss.formula(4), loss.forward_formula(4)):
        assert isinstance(text, str) and text.strip()
    assert "\\delta" in loss.formula(4) or "δ" in loss.formula(4)


@pytest.mark.parametrize("layer", [Sigmoid(2), Tanh(2), Softmax(2)], ids=lambda l: l.kind)
def test_exact_arithmetic_refuses_what_has_no_rational_value(layer):
    with pytest.raises(NotExactError):
        layer.forward(to_array([[1, 2]], "exact"))


@pytest.mark.parametrize("kind", ["binary_cross_entropy", "softmax_cross_entropy"])
def test_exact_arithmetic_refuses_logarithmic_losses(kind):
    o, y = to_array([["1/2", "1/4"]], "exact"), to_array([[1, 0]], "exact")
    with pytest.raises(NotExactError):
        LOSSES[kind]().value(o, y)
    with pytest.raises(NotExactError):
        LOSSES[kind]().delta(o, y)


@pytest.mark.parametrize("kind", ["half_squared_error", "mse", "mae"])
def test_exact_losses_stay_fractions(kind):
    o, y = to_array([["1/3", "-2/7"]], "exact"), to_array([[1, 0]], "exact")
    loss = LOSSES[kind]()
    assert all(isinstance(v, F) for v in loss.delta(o, y).flat)
    assert all(isinstance(v, F) for v in loss.value(o, y).flat)


def test_relu_derivative_at_zero_follows_the_convention():
    x = to_array([[0, -1, 2]], "exact")
    assert ReLU(3).derivative(x, ReLU(3).forward(x)).tolist() == [[1, 0, 1]]  # the article: open at 0
    assert ReLU(3, at_zero=0).derivative(x, x).tolist() == [[0, 0, 1]]
    xf = np.array([[0.0, -1.0, 2.0]])
    assert ReLU(3).derivative(xf, xf).tolist() == [[1.0, 0.0, 1.0]]
    with pytest.raises(ValueError):
        ReLU(3, at_zero=2)


def test_leaky_relu_derivative_at_zero_is_1_by_default_or_the_slope_as_pytorch():
    x = to_array([[0, -1, 2]], "exact")
    assert LeakyReLU(3).derivative(x, x).tolist() == [[1, F(1, 100), 1]]  # the engine's default
    assert LeakyReLU(3, at_zero=0).derivative(x, x).tolist() == [[F(1, 100), F(1, 100), 1]]  # PyTorch's
    assert LeakyReLU(3, at_zero=0).forward(x).tolist() == LeakyReLU(3).forward(x).tolist()  # same values
    assert "> 0" in LeakyReLU(3, at_zero=0).formula(2) and "\\geq 0" in LeakyReLU(3).formula(2)
    with pytest.raises(ValueError):
        LeakyReLU(3, at_zero=2)


@pytest.mark.parametrize("kind", KINDS)
def test_formulas_are_latex_and_substituted_shows_the_numbers(kind):
    layer = make(kind, 2, 2, np.random.default_rng(5))
    x = np.array([[0.25, -0.75]])
    y = layer.forward(x)
    delta_out = np.array([[0.5, 1.5]])
    delta_in = layer.backward(x, y, delta_out)
    assert layer.formula(2).strip() and layer.forward_formula(2).strip()
    text = layer.substituted(2, x[0], y[0], delta_out[0], delta_in[0])
    assert "0.5" in text and "1.5" in text  # δ_out written out
    assert f"{delta_in[0, 1]:.6g}"[:4] in text  # and the result


def test_exact_substitution_writes_fractions():
    layer = Linear(2, 1, [["1/200", "-3/11600"]], arithmetic="exact")
    x = to_array([[0, 2000]], "exact")
    d = to_array([[-1]], "exact")
    text = layer.substituted(2, x[0], layer.forward(x)[0], d[0], layer.backward(x, None, d)[0])
    assert "\\frac{1}{200}" in text
    assert "2000" in layer.param_substituted(2, "W", x[0], d[0])  # δw^2 = δ^3 ⊗ o^1


# property-based: shapes and values ----------------------------------------------

shapes = st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4))


@settings(max_examples=25, deadline=None)
@given(shapes, st.sampled_from(KINDS), st.integers(0, 2**32 - 1))
def test_any_shape_backward_has_the_input_shape_and_matches_its_jacobian(shape, kind, seed):
    batch, size_in, size_out = shape
    rng = np.random.default_rng(seed)
    if kind not in ("linear", "linear_nobias"):
        size_out = size_in
    layer = make(kind, size_in, size_out, rng)
    x = away_from_kinks(rng.normal(scale=3, size=(batch, size_in)))
    y = layer.forward(x)
    assert y.shape == (batch, size_out)
    delta_out = rng.normal(size=y.shape)
    delta_in = layer.backward(x, y, delta_out)
    assert delta_in.shape == x.shape
    before = delta_out.copy()
    layer.backward(x, y, delta_out)
    np.testing.assert_array_equal(delta_out, before)  # the incoming δ is never mutated
    for i in range(batch):
        j = np.asarray(layer.jacobian(x[i], y[i]), dtype=float)
        np.testing.assert_allclose(delta_in[i], delta_out[i] @ j, rtol=1e-9, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(sorted(LOSSES)), st.integers(1, 5), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_any_shape_loss_delta_carries_one_over_n(kind, n, m, seed):
    rng = np.random.default_rng(seed)
    loss = LOSSES[kind]()
    o, y = loss_case(kind, rng, n, m)
    # The batch's δ is each sample's own δ divided by n: the 1/n of batch learning.
    batch = loss.delta(o, y)
    single = np.concatenate([loss.delta(o[i:i + 1], y[i:i + 1]) for i in range(n)])
    np.testing.assert_allclose(batch * n, single, rtol=1e-12)
