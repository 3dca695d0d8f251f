"""The worked example of the seed article, exactly, and its float trap."""
from fractions import Fraction as F

import numpy as np
import pytest

from engine import record
from engine.presets import load_preset


def trace(sample, arithmetic="exact"):
    preset = load_preset("article", arithmetic)
    return record(preset.model, *preset.data.sample(sample, arithmetic))


@pytest.mark.parametrize("sample,o2,loss", [(1, 0, 0), (2, 1, 0), (3, 0, F(1, 2))])
def test_forward_values_of_every_sample(sample, o2, loss):
    g = trace(sample)
    np.testing.assert_array_equal(g.o(1), g.x)
    assert g.o(2)[0, 0] == o2 and g.o(3)[0, 0] == max(o2, 0)
    assert g.loss == loss


def test_backward_values_of_the_third_sample_are_the_articles():
    g = trace(3)
    assert g.delta(4)[0].tolist() == [F(-1)]
    assert g.delta(3)[0].tolist() == [F(-1)]  # o2 is exactly 0: the gate is open
    assert g.delta(2)[0].tolist() == [-F(1, 200), -F(-3000, 11600000), -F(1, 5800)]
    assert g.delta(1)[0].tolist() == g.delta(2)[0].tolist()
    assert g.weight_grads["W2"].tolist() == [[0, -2000, -3000]]
    assert all(isinstance(v, F) for v in g.delta(2).flat)


def test_float_arithmetic_falls_into_the_trap():
    g = trace(3, "float")
    o2 = g.o(2)[0, 0]
    assert -1e-15 < o2 < 0  # w·(0, 2000, 3000) is not 0 in float64
    assert g.delta(3)[0, 0] == 0  # so the ReLU gate closes
    assert not g.weight_grads["W2"].any()  # and no learning flow reaches W2


def test_timeline_runs_forward_then_back_to_delta1():
    names = [e.name for e in trace(3).timeline]
    assert names == ["o1", "o2", "o3", "loss", "δ4", "δ3", "δ2", "δw2", "δ1"]


def test_recorded_graph_is_immutable():
    g = trace(3)
    with pytest.raises(ValueError):
        g.delta(2)[0, 0] = 5
    with pytest.raises(Exception):
        g.loss = 3
