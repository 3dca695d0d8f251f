"""Explore's "Forward mode vs reverse mode" (ui/modes.py, engine/mode_costs.py): the same
gradients both ways on the user's model, equal value for value (exactly, in exact
arithmetic), each mode's counted cost, and the chart of the cost gap as the model widens."""
import json
from fractions import Fraction

import numpy as np
from streamlit.testing.v1 import AppTest

from engine.forward_mode import forward_gradients, reverse_gradients
from engine.mode_costs import cost_growth, widen
from engine.presets import load_preset
from engine.record import record
from engine.spec import load_spec
from random_models import model_doc


def explore(**state) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.session_state["modes_open"] = True
    for k, v in state.items():
        at.session_state[k] = v
    return at.run()


def values_table(at):
    """The panel's table: one row per weight component, both modes side by side."""
    return next(d.value for d in at.dataframe if "forward mode" in d.value.columns)


def metrics(at) -> list[tuple[str, str]]:
    return [(m.label, m.value) for m in at.metric]


def test_the_article_gives_the_same_fractions_both_ways_with_each_cost():
    at = explore()
    assert not at.exception and not at.error
    table = values_table(at)
    assert list(table["weight"]) == ["W2[0, 0]", "W2[0, 1]", "W2[0, 2]"]
    assert list(table["forward mode"]) == list(table["reverse mode"]) == ["0", "-2000", "-3000"]
    assert set(table["equal"]) == {"yes"}
    # the counts the CLI prints (trace --mode forward|reverse): 3 passes, 18 and 1 pass, 8
    assert metrics(at) == [("passes", "3"), ("multiplications", "18"), ("passes", "1"), ("multiplications", "8")]
    assert "Equal value for value: all 3 gradients are the same fractions" in at.success[0].value
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    lines = {t["name"]: t for t in chart["data"]}
    assert lines["forward mode"]["text"] == lines["reverse mode"]["text"] == ["1×", "2×", "4×", "8×"]
    assert lines["forward mode"]["x"] == [3, 6, 12, 24]  # the article's input widened: no hidden layer
    assert lines["forward mode"]["y"][0] == 18 and lines["reverse mode"]["y"][0] == 8
    gap = [f / r for f, r in zip(lines["forward mode"]["y"], lines["reverse mode"]["y"])]
    assert gap == sorted(gap) and gap[-1] > 4 * gap[0]  # the gap grows with the weights
    assert any("2.2× at 1×" in c.value and "13.0× at 8×" in c.value for c in at.caption)


def test_in_float_the_modes_agree_to_rounding_on_a_whole_batch():
    at = explore(sample=0, arithmetic="float")  # the whole batch of the article
    assert not at.exception and not at.error
    table = values_table(at)
    f = np.array([float(v) for v in table["forward mode"]])
    r = np.array([float(v) for v in table["reverse mode"]])
    assert np.allclose(f, r, rtol=1e-12, atol=1e-12)
    assert at.success or at.info  # said either way: equal, or equal up to rounding


def test_the_panel_does_no_work_while_closed(monkeypatch):
    calls = []
    monkeypatch.setattr("ui.modes.forward_gradients", lambda *a: calls.append(a))
    at = AppTest.from_file("../app.py", default_timeout=120).run()
    assert not at.exception and calls == [] and not at.metric


def test_a_model_past_forward_modes_limit_gets_one_sentence(monkeypatch):
    monkeypatch.setattr("engine.limits.MAX_EXACT_FORWARD_MODE_WORK", 8)  # the article's sample: 3 × 1 × 3
    at = explore()
    assert not at.exception and not at.error
    said = [w.value for w in at.warning][-1]
    assert said.startswith("Forward mode: 3 passes (one per weight)") and said.endswith("Choose float arithmetic.")
    assert not at.metric


# the engine side: widening keeps the function, both modes agree on random models -------

def test_a_widened_model_computes_the_same_loss_exactly():
    p = load_preset("article")
    x, y = p.data.sample(3, "exact")
    for f in (2, 4):
        wide, wide_x = widen(p.model, f, x)
        assert record(wide, wide_x, y).loss == Fraction(1, 2)
        assert sum(w.size for w in wide.weights().values()) == 3 * f
    p = load_preset("xor")
    x, y = p.data.sample(2, "float")
    wide, wide_x = widen(p.model, 4, x)
    assert [l.size_out for l in wide.layers] == [2, 16, 16, 1, 1] and np.array_equal(wide_x, x)
    assert np.isclose(float(record(wide, wide_x, y).loss), float(record(p.model, x, y).loss), rtol=1e-12)


def test_cost_growth_counts_every_size_and_leaves_out_what_passes_the_budget():
    p = load_preset("xor")
    x, y = p.data.sample(1, "float")
    points = cost_growth(p.model, x, y)
    assert [q["weights"] for q in points] == [17, 33, 65, 129]
    assert points[0]["forward"] == forward_gradients(p.model, x, y)[1]
    assert points[0]["reverse"] == reverse_gradients(p.model, x, y)[1]
    small = cost_growth(p.model, x, y, most=33 * 33)
    assert [q["forward"] is None for q in small] == [False, False, True, True]
    assert all(q["reverse"] for q in small)


def test_on_random_models_widening_keeps_the_loss_and_the_modes_agree_exactly():
    for seed in range(8):
        spec = load_spec(json.dumps(model_doc(seed, "exact")))
        x, y = spec.data.batch("exact")
        wide, wide_x = widen(spec.model, 2, x)
        assert record(wide, wide_x, y).loss == record(spec.model, x, y).loss, seed
        fwd, rev = forward_gradients(wide, wide_x, y)[0], reverse_gradients(wide, wide_x, y)[0]
        assert all((fwd[k] == rev[k]).all() for k in rev), seed


def test_a_size_past_the_weights_limit_is_not_even_made(monkeypatch):
    made = []
    real = widen
    monkeypatch.setattr("engine.mode_costs.widen", lambda m, f, x: made.append(f) or real(m, f, x))
    monkeypatch.setattr("engine.limits.MAX_PARAMETERS", 65)  # xor: 17, 33, 65, then 129 weights
    p = load_preset("xor")
    x, y = p.data.sample(1, "float")
    points = cost_growth(p.model, x, y)
    assert made == [1, 2, 4] and [q["weights"] for q in points] == [17, 33, 65, 129]
    assert points[-1]["reverse"] is None and points[-1]["forward"] is None


def test_a_model_without_exact_arithmetic_is_not_promised_exact_equality():
    """Where float rounding makes the two modes differ, the panel sends the user to exact
    arithmetic only if the model has it (XOR's tanh and sigmoid do not)."""
    from ui.modes import verdict
    rows = [{"equal": "yes"}, {"equal": "differs by 1.1e-16"}]
    same, said = verdict(rows, False, load_preset("xor").model, 3.0)
    assert not same and "exact arithmetic makes them equal" not in said and "no exact arithmetic" in said
    same, said = verdict(rows, False, load_preset("article").model, 3.0)
    assert not same and "exact arithmetic makes them equal" in said
    assert verdict(rows[:1], True, load_preset("article").model, 3.0)[0]
