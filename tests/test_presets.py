"""Presets: each loads, is what its description says, and its training demo learns."""
import numpy as np
import pytest

from engine import datasets, record
from engine.presets import PRESETS, load_preset
from engine.record import passes
from engine.spec import Spec


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_is_a_spec_with_a_one_line_description(name):
    spec = load_preset(name)
    assert isinstance(spec, Spec)
    assert spec.name == name and spec.description and "\n" not in spec.description
    x, y = spec.data.batch(spec.arithmetic)
    assert x.shape == (len(spec.data), spec.model.size_in) and y.shape == (len(spec.data), spec.model.size_out)
    assert np.isfinite(float(record(spec.model, *spec.data.sample(1, spec.arithmetic)).loss))


def test_presets_are_the_same_every_time():
    for name in PRESETS:
        a, b = load_preset(name), load_preset(name)
        for key, w in a.model.weights().items():
            np.testing.assert_array_equal(b.model.weights()[key], w)
        np.testing.assert_array_equal(a.data.x, b.data.x)


def test_article_can_switch_arithmetic():
    assert load_preset("article").arithmetic == "exact"
    assert load_preset("article", "float").model.weights()["W2"].dtype == np.float64


def _full_batch_descent(spec, lr, steps):
    model = spec.model
    x, y = spec.data.batch("float")
    first = None
    for _ in range(steps):
        _, losses, _, grads = passes(model, x, y)
        first = losses.mean() if first is None else first
        model = model.with_weights({k: w - lr * grads[k] for k, w in model.weights().items()})
    _, losses, _, _ = passes(model, x, y)
    return first, losses.mean(), model


@pytest.mark.parametrize("name,lr,steps", [("xor", 1.0, 300), ("moons", 0.5, 300), ("circles", 0.5, 300),
                                           ("spiral", 0.5, 300)])
def test_training_demos_learn_from_their_initial_weights(name, lr, steps):
    spec = load_preset(name)
    first, last, model = _full_batch_descent(spec, lr, steps)
    assert last < first / 2
    x, y = spec.data.batch("float")
    out = model.predict(x)
    guess = out.argmax(axis=1) if out.shape[1] > 1 else (out[:, 0] > 0.5)
    truth = y.argmax(axis=1) if y.shape[1] > 1 else y[:, 0]
    assert (guess == truth).mean() > 0.75


def test_xor_has_its_four_cases():
    spec = load_preset("xor")
    assert spec.data.x.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert spec.data.y[:, 0].tolist() == [0, 1, 1, 0]


@pytest.mark.parametrize("make", [datasets.moons, datasets.circles, datasets.spiral])
def test_generated_sets_are_seeded_and_balanced(make):
    x1, l1 = make(seed=3)
    x2, l2 = make(seed=3)
    x3, _ = make(seed=4)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(l1, l2)
    assert not np.array_equal(x1, x3)
    counts = np.bincount(l1)
    assert counts.min() >= counts.max() - 1


def test_unknown_preset_lists_the_known_ones():
    with pytest.raises(ValueError, match="choose one of: article, xor"):
        load_preset("mnist")
