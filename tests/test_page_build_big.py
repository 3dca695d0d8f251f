"""The Build page on a model too big to show whole: one layer's weights at a time, big
tables a window at a time, edits landing in the right cells, errors brought into view,
and reruns that do not convert the whole model (counted, not timed: bench/ times them)."""
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine.layers import Input, Linear, ReLU
from engine.losses import SoftmaxCrossEntropy
from engine.model import Dataset, Model
from engine.presets import load_preset
from ui import build_forms as bf
from ui import build_grids
from ui import draft as draft_module
from ui.draft import copy_draft, draft_from_spec, draft_to_doc, same_model

N_IN, N_HIDDEN, N_OUT, N_SAMPLES = 100, 80, 3, 60  # past a window (50 rows, 20 columns) every way


def big_spec():
    rng = np.random.default_rng(0)
    model = Model((Input(N_IN), Linear(N_IN, N_HIDDEN, rng.standard_normal((N_HIDDEN, N_IN)), np.zeros(N_HIDDEN)),
                   ReLU(N_HIDDEN), Linear(N_HIDDEN, N_OUT, rng.standard_normal((N_OUT, N_HIDDEN)), np.zeros(N_OUT))),
                  SoftmaxCrossEntropy())
    data = Dataset(rng.standard_normal((N_SAMPLES, N_IN)), np.eye(N_OUT)[rng.integers(0, N_OUT, N_SAMPLES)])
    return replace(load_preset("moons"), name="big", description="", model=model, data=data)


def open_big() -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.run()
    at.session_state["workspace"] = big_spec()
    at.switch_page("pages/build.py").run()
    assert not at.exception
    return at


def grids(at: AppTest) -> list:
    return list(at.get("arrow_data_frame"))


def send(at: AppTest, key: str, changes: dict) -> AppTest:
    """What the browser sends when a grid changes: its change set under its key."""
    at.session_state[key] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [], **changes}
    at.run()
    assert not at.exception
    return at


def weights_key(at: AppTest) -> str:
    key = at.data_editor[1].key  # layers, weights, data
    assert key.startswith("build_w")
    return key


def test_one_layer_and_one_window_is_shown_and_an_edit_lands_in_its_cell():
    at = open_big()
    editors = at.data_editor
    assert len(editors) == 3  # layers, one layer's weights, the data
    w = editors[1].value
    assert w.shape == (build_grids.WINDOW_ROWS, build_grids.WINDOW_COLS + 1)  # + b
    assert list(w.index[:2]) == ["neuron 1", "neuron 2"] and list(w.columns[-2:]) == ["w19", "b"]
    data = editors[2].value
    assert data.shape == (build_grids.WINDOW_ROWS, build_grids.WINDOW_COLS)

    first = at.session_state["build_draft"]["layers"][1]["id"]
    at.selectbox(key=f"build_wrows_{first}_{N_HIDDEN}").set_value(50).run()
    at.selectbox(key=f"build_wcols_{first}_{N_IN}").set_value(40).run()
    w = at.data_editor[1].value
    assert list(w.index[:1]) == ["neuron 51"] and w.shape == (N_HIDDEN - 50, 21)
    assert list(w.columns[:1]) == ["w40"]
    # the grid's row 2 is neuron 53; its columns name their input
    send(at, weights_key(at), {"edited_rows": {2: {"w41": "1/7", "b": "2"}}})
    p = at.session_state["build_draft"]["params"][first]
    assert p["W"][52][41] == "1/7" and p["b"][52] == "2"
    assert at.data_editor[1].value.iloc[2]["w41"] == "1/7"  # the same window, shown afresh
    at.button(key="build_apply").click().run()
    assert not at.error
    layer = at.session_state["workspace"].model.layers[1]
    assert layer.params["W"][52, 41] == pytest.approx(1 / 7) and layer.params["b"][52] == 2


def test_another_layer_is_chosen_and_edited():
    at = open_big()
    second = at.session_state["build_draft"]["layers"][3]["id"]
    assert at.radio(key=build_grids.PICK).options == ["W2, b2", "W4, b4"]  # as the graph names them
    at.radio(key=build_grids.PICK).set_value(second).run()
    w = at.data_editor[1].value
    assert w.shape == (N_OUT, build_grids.WINDOW_COLS + 1)  # 3 neurons: no neuron window
    send(at, weights_key(at), {"edited_rows": {1: {"w0": "-3"}}})
    assert at.session_state["build_draft"]["params"][second]["W"][1][0] == "-3"
    assert at.session_state["build_pending"]


def test_an_error_far_in_a_layer_is_brought_into_view():
    at = open_big()
    first = at.session_state["build_draft"]["layers"][1]["id"]
    second = at.session_state["build_draft"]["layers"][3]["id"]
    at.session_state["build_draft"]["params"][first]["W"][70][95] = "abc"  # neuron 71, input 96
    at.radio(key=build_grids.PICK).set_value(second).run()
    at.button(key="build_apply").click().run()
    assert any("layer 2: weights row 71, column 96: 'abc' is not a number" in e.value for e in at.error)
    assert at.session_state[build_grids.PICK] == first
    w = at.data_editor[1].value
    assert "neuron 71" in w.index and "w95" in w.columns
    assert w.loc["neuron 71", "w95"] == "abc"


def test_a_bad_bias_far_down_is_brought_into_view():
    at = open_big()
    first = at.session_state["build_draft"]["layers"][1]["id"]
    at.session_state["build_draft"]["params"][first]["b"][70] = "1/0"  # neuron 71's bias
    at.run()
    at.button(key="build_apply").click().run()
    assert any("layer 2: bias row 1, column 71: '1/0' divides by zero" in e.value for e in at.error)
    w = at.data_editor[1].value
    assert w.loc["neuron 71", "b"] == "1/0" and "w0" in w.columns  # the inputs' window stays the first


def test_data_windows_edit_delete_and_add_samples():
    at = open_big()
    at.selectbox(key=f"build_drows_{N_SAMPLES}").set_value(50).run()
    at.selectbox(key=f"build_dcols_{N_IN + N_OUT}").set_value(100).run()  # the last window: y1..y3
    data = at.data_editor[2].value
    assert list(data.columns) == ["y0", "y1", "y2"] and list(data.index[:1]) == [50]
    x, y = at.session_state["build_draft"]["x"], at.session_state["build_draft"]["y"]
    kept = x[52][0]
    key = at.data_editor[2].key
    assert key.startswith("build_data_")
    send(at, key, {"edited_rows": {0: {"y2": "1/3"}}, "deleted_rows": [1],
                   "added_rows": [{"y0": "1", "y1": None}]})
    x, y = at.session_state["build_draft"]["x"], at.session_state["build_draft"]["y"]
    assert len(x) == len(y) == N_SAMPLES  # one deleted, one added
    assert y[50][2] == "1/3" and x[51][0] == kept  # sample 51 went, 52 moved up
    assert x[-1] == ["0"] * N_IN and y[-1] == ["1", "0", "0"]  # new ones go last, blanks are 0


def test_a_rerun_after_an_edit_converts_only_the_edited_row(monkeypatch):
    """Reruns stay cheap on any model: no number of the model is formatted again (cell) and
    only the edited row is read as numbers; it was every number, twice, per rerun."""
    at = open_big()
    calls = {"cell": 0, "number": 0}
    for name in ("cell", "_json_number"):
        real = getattr(draft_module, name)

        def counted(*a, _real=real, _name=name, **k):
            calls["cell" if _name == "cell" else "number"] += 1
            return _real(*a, **k)
        monkeypatch.setattr(draft_module, name, counted)
    send(at, weights_key(at), {"edited_rows": {3: {"w4": "0.25"}}})
    assert at.session_state["build_pending"]
    assert calls["cell"] == 0
    # the edited row, on both sides of the comparison, and the penalty's two λ
    assert calls["number"] <= 2 * (N_IN + 1) + 2


@pytest.mark.parametrize("change,preset,arithmetic", [
    (lambda d: d["params"][1]["W"][0].__setitem__(0, "0.50"), "article", "float"),  # the same float
    (lambda d: d["params"][1]["W"][0].__setitem__(0, "0.50"), "article", "exact"),  # another fraction's text
    (lambda d: d["params"][1]["W"][0].__setitem__(1, "7"), "article", "float"),
    (lambda d: d["params"][1]["b"].__setitem__(0, "0.0"), "xor", "float"),
    (lambda d: d["params"][1]["b"].__setitem__(0, "1/3"), "xor", "float"),
    (lambda d: d["x"][1].__setitem__(0, "2"), "article", "exact"),
    (lambda d: d["x"].pop(), "article", "float"),
    (lambda d: d["layers"][2].__setitem__("type", "sigmoid"), "article", "float"),
    (lambda d: d.__setitem__("name", "other"), "article", "float"),
    (lambda d: None, "article", "exact"),
])
def test_same_model_agrees_with_comparing_the_documents(change, preset, arithmetic):
    base = draft_from_spec(load_preset(preset, arithmetic))
    base["params"][1]["W"][0][0] = "0.5"
    samples = len(base["x"])
    edited = copy_draft(base)
    change(edited)
    assert same_model(edited, base) == (draft_to_doc(edited) == draft_to_doc(base))
    assert base["params"][1]["W"][0][0] == "0.5" and len(base["x"]) == samples  # the copy is a copy


def test_windowed_data_commit_is_the_whole_table_commit_shifted():
    draft = draft_from_spec(load_preset("xor"))
    other = copy_draft(draft)
    bf.commit_data(draft, {"edited_rows": {0: {"x1": "9"}}, "deleted_rows": [1]}, first_row=2)
    bf.commit_data(other, {"edited_rows": {2: {"x1": "9"}}, "deleted_rows": [3]})
    assert draft["x"] == other["x"] and draft["y"] == other["y"]
    assert Fraction(draft["x"][2][1]) == 9 and len(draft["x"]) == 3


@pytest.mark.parametrize("table,row,column,shown", [("x", 54, 89, "x89"), ("y", 57, 1, "y1")])
def test_a_bad_data_cell_far_away_is_brought_into_view(table, row, column, shown):
    at = open_big()
    at.session_state["build_draft"][table][row][column] = "abc"
    at.run()
    at.button(key="build_apply").click().run()
    assert any(f"data.{table} row {row + 1}, column {column + 1}: 'abc'" in e.value for e in at.error)
    data = at.data_editor[2].value
    assert data.loc[row, shown] == "abc"
