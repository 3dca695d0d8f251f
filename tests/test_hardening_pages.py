"""Bad input through the pages (AppTest): every mistake typed into the Build page's
fields and tables is shown right under that field, the model in use stays the last
valid one, nothing raises; garbage links fall back with a warning; the Train page
refuses bad settings and runs past the limits before starting."""
from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from engine.spec import spec_to_dict
from ui import build_forms as bf
from ui.draft import build_spec, draft_from_spec


def open_page(page: str | None = None, **query) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    if page:
        at.switch_page(page).run()
        assert not at.exception
    return at


def _flat(node, out):
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            out.append(child)
            _flat(child, out)
    return out


def field_above(at: AppTest, fragment: str) -> str | None:
    """The key (without the draft generation) of the widget drawn just above the error
    that contains ``fragment``: where the user sees the message."""
    last = None
    for el in _flat(at.main, []):
        key = getattr(el, "key", None)
        if key and not key.startswith("$$"):
            last = re.sub(r"_\d+$", "", key)
        if getattr(el, "type", "") == "error" and fragment in el.value:
            return last
    return None


def change(at: AppTest, table: str, changes: dict) -> None:
    """What the browser sends when a data_editor changes: its change set under its key."""
    full = {"edited_rows": {}, "added_rows": [], "deleted_rows": [], **changes}
    at.session_state[f"build_{table}_{at.session_state['build_gen']}"] = full
    at.run()
    assert not at.exception


def typed(at: AppTest, field: str, value) -> None:
    at.session_state[f"build_{field}_{at.session_state['build_gen']}"] = value
    at.run()
    assert not at.exception


W, DATA, LAYERS = "w1", "data", "layers"
BUILD_CASES = [
    # (id, preset, how: (table, change set) or (field, value), field the error is under, message)
    ("word in a weight", "article", (W, {"edited_rows": {0: {"w1": "abc"}}}), "build_w1",
     "layer 2: weights row 1, column 2: 'abc' is not a number"),
    ("empty weight", "article", (W, {"edited_rows": {0: {"w0": None}}}), "build_w1",
     "layer 2: weights row 1, column 1: '' is not a number"),
    ("zero denominator", "article", (W, {"edited_rows": {0: {"w2": "5/0"}}}), "build_w1", "'5/0' divides by zero"),
    ("nan weight", "article", (W, {"edited_rows": {0: {"w1": "nan"}}}), "build_w1", "'nan' is not a number"),
    ("infinite weight", "article", (W, {"edited_rows": {0: {"w1": "-inf"}}}), "build_w1", "'-inf' is not a number"),
    ("past float range", "article", (W, {"edited_rows": {0: {"w1": "1e400"}}}), "build_w1", "too large for float"),
    ("huge exponent", "article", (W, {"edited_rows": {0: {"w1": "1e-999999999"}}}), "build_w1", "exponent past 400"),
    ("absurdly long number", "article", (W, {"edited_rows": {0: {"w1": "7" * 10_000}}}), "build_w1",
     "a number of 10000 characters"),
    ("markup in a weight", "article", (W, {"edited_rows": {0: {"w1": "<script>alert(1)</script>"}}}), "build_w1",
     "is not a number"),
    ("word in the data", "article", (DATA, {"edited_rows": {1: {"x0": "abc"}}}), "build_data",
     "data.x row 2, column 1: 'abc' is not a number"),
    ("empty data cell", "article", (DATA, {"edited_rows": {1: {"x0": ""}}}), "build_data", "data.x row 2, column 1"),
    ("zero denominator in y", "xor", (DATA, {"edited_rows": {0: {"y0": "1/0"}}}), "build_data",
     "data.y row 1, column 1: '1/0' divides by zero"),
    ("no samples left", "article", (DATA, {"deleted_rows": [0, 1, 2]}), "build_data", "data.x: expected a non-empty"),
    ("zero-size layer", "xor", (LAYERS, {"edited_rows": {1: {"size": 0}}}), "build_layers", "layer 2: size"),
    ("negative size", "xor", (LAYERS, {"edited_rows": {1: {"size": -3}}}), "build_layers", "layer 2: size"),
    ("empty size", "xor", (LAYERS, {"edited_rows": {1: {"size": None}}}), "build_layers", "layer 2: size"),
    ("size past the float limit", "xor", (LAYERS, {"edited_rows": {1: {"size": 10 ** 7}}}), "build_layers",
     "layer 2: size: 10000000 is too large; at most 4096"),
    ("size past the exact limit", "article", (LAYERS, {"edited_rows": {1: {"size": 65}}}), "build_layers",
     "layer 2: size: 65 is too large; at most 64"),
    ("unknown layer type", "article", (LAYERS, {"edited_rows": {2: {"type": "conv2d"}}}), "build_layers",
     "layer 3: unknown layer type 'conv2d'"),
    ("no layer type", "article", (LAYERS, {"edited_rows": {2: {"type": None}}}), "build_layers",
     "layer 3: unknown layer type null"),
    ("relu option", "article", (LAYERS, {"edited_rows": {2: {"option": "2"}}}), "build_layers", "layer 3: at_zero"),
    ("relu option word", "article", (LAYERS, {"edited_rows": {2: {"option": "abc"}}}), "build_layers",
     "layer 3: at_zero: expected a whole number"),
    ("slope zero denominator", "article", (LAYERS, {"edited_rows": {2: {"type": "leaky_relu", "option": "1/0"}}}),
     "build_layers", "layer 3: slope: '1/0' divides by zero"),
    ("exact sigmoid", "article", (LAYERS, {"edited_rows": {2: {"type": "sigmoid"}}}), "build_layers",
     "layer 3: sigmoid needs exp or log"),
    ("no layers", "article", (LAYERS, {"deleted_rows": [0, 1, 2]}), "build_layers",
     "layers: the model needs at least an input layer"),
    ("first layer not input", "article", (LAYERS, {"deleted_rows": [0]}), "build_layers", "layer 1: the first layer"),
    ("too many layers", "xor", (LAYERS, {"added_rows": [{"type": "relu"}] * 40}), "build_layers",
     "layers: 45 layers; at most 32"),
    # the arithmetic, the loss and the λ fields share a row (ui/penalty_fields.py): their errors
    # go under it, not under the layers
    ("negative λ₂", "xor", ("l2", "-1"), "build_l1", "the L2 penalty λ₂ must be 0 or more, got '-1'"),
    ("word in λ₁", "article", ("l1", "abc"), "build_l1", "the L1 penalty λ₁: 'abc' is not a number (use 0.001, 1e-3 or 1/1000)"),
    # the name and description share the row above: their errors go under it, not under the λ
    ("control character in the name", "article", ("name", "a\x1b[31mb"), "build_description",
     "name: character 2 (U+001B)"),
]


@pytest.mark.parametrize("preset,how,field,message", [c[1:] for c in BUILD_CASES], ids=[c[0] for c in BUILD_CASES])
def test_build_shows_each_bad_input_under_its_field_and_keeps_the_model(preset, how, field, message):
    at = open_page("pages/build.py", preset=preset)
    before = spec_to_dict(at.session_state["workspace"])
    where, what = how
    if isinstance(what, dict):
        change(at, where, what)
    else:
        typed(at, where, what)
    at.button(key="build_apply").click().run()
    assert not at.exception
    assert spec_to_dict(at.session_state["workspace"]) == before  # the last valid model stays
    errors = [e.value for e in at.error]
    assert any(message in e for e in errors), errors
    assert field_above(at, message) == field
    assert any("Not applied" in e for e in errors)
    # and Explore still shows the model in use
    at.switch_page("pages/explore.py").run()
    assert not at.exception and spec_to_dict(at.session_state["workspace"]) == before


def test_absurdly_long_names_are_cut_by_the_fields_to_the_file_limits():
    at = open_page("pages/build.py")
    typed(at, "name", "n" * 50_000)
    typed(at, "description", "d" * 50_000)
    at.button(key="build_apply").click().run()
    assert not at.exception
    ws = at.session_state["workspace"]
    assert (ws.name, ws.description) == ("n" * 100, "d" * 1000)


@pytest.mark.parametrize("how,place", [((W, {"edited_rows": {0: {"w1": "abc"}}}), "weights:1"),
                                       ((LAYERS, {"edited_rows": {1: {"size": 0}}}), "layers")])
def test_the_pure_build_functions_place_the_error(how, place):
    from engine.presets import load_preset
    draft = draft_from_spec(load_preset("article"))
    table, changes = how
    if table == W:
        bf.commit_weights(draft, 1, changes)
    else:
        bf.commit_layers(draft, changes)
    spec, errors = build_spec(draft)
    assert spec is None and errors[0][0] == place


def test_a_huge_layer_size_is_refused_without_drawing_its_weights():
    from engine.presets import load_preset
    draft = draft_from_spec(load_preset("xor"))
    notes = bf.commit_layers(draft, {"edited_rows": {1: {"size": 10 ** 12}}})
    assert any("past the limits; not resized" in n for n in notes)
    assert build_spec(draft)[1][0][1].startswith("layer 2: size: 1000000000000 is too large")


@pytest.mark.parametrize("query,warning", [
    ({"preset": "<script>alert(1)</script>"}, "There is no preset '<script>alert(1)</script>'"),
    ({"preset": "x" * 5000}, "There is no preset"),
    ({"model": "!!!"}, "The model in the link could not be read"),
    ({"model": "e30"}, "The model in the link could not be read (top level: missing key"),  # "{}"
    ({"model": "A" * 20_000}, "the model in the link is too long"),
    ({"step": "-5"}, "The link asks for step '-5'"),
    ({"step": "99999999999999999999"}, "The link asks for step"),
    ({"sample": "999"}, "The link asks for sample '999', but this model has samples 1 to 3"),
    ({"sample": "<b>1</b>"}, "The link asks for sample '<b>1</b>'"),
    ({"preset": "xor", "sample": "0"}, "this model has samples 1 to 4"),
])
def test_garbage_links_fall_back_with_a_warning(query, warning):
    at = open_page(**query)
    warnings = [w.value for w in at.warning]
    assert any(warning in w for w in warnings), warnings
    assert at.session_state["workspace"].name in ("article", "xor")
    assert at.session_state["sample"] in range(1, 5) and at.session_state["step"] == 0


def train_page(preset: str) -> AppTest:
    return open_page("pages/train.py", preset=preset)


@pytest.mark.parametrize("lr,message", [("abc", "'abc' is not a number"), ("1/0", "divides by zero"),
                                        ("-0.5", "must be positive"), ("0", "must be positive"),
                                        ("nan", "is not a number"), ("", "is not a number"),
                                        ("1e-999999999", "exponent past 400")])
def test_train_refuses_a_bad_learning_rate_with_a_message(lr, message):
    at = train_page("xor")
    at.text_input(key="train_lr").input(lr).run()
    at.number_input(key="train_epochs").set_value(1).run()
    next(b for b in at.button if b.label == "Train").click().run()
    assert not at.exception
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert "training" not in at.session_state


@pytest.mark.parametrize("preset,epochs,limit", [("xor", 1_000_000, "100,000"), ("article", 400, "1,000")])
def test_train_refuses_runs_past_the_limit_before_starting(preset, epochs, limit):
    at = train_page(preset)
    at.number_input(key="train_epochs").set_value(epochs)
    at.number_input(key="train_batch").set_value(1)
    at.run()
    assert not at.exception
    assert any(f"limit of {limit} steps" in e.value for e in at.error)
    assert next(b for b in at.button if b.label == "Train").disabled
    assert "training" not in at.session_state
    # and were the click forged, the engine refuses before the first step
    from engine.train import train
    ws = at.session_state["workspace"]
    with pytest.raises(ValueError, match="is more than the limit"):
        train(ws.model, ws.data, lr="1/10", epochs=epochs, batch_size=1)


# The Build page's pure functions under random edits: nothing but a placed message --------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from engine.presets import load_preset  # noqa: E402

cell_values = st.one_of(st.none(), st.booleans(), st.integers(-10 ** 30, 10 ** 30), st.floats(),
                        st.text(max_size=12), st.sampled_from(["1/0", "nan", "-inf", "1e400", "1e-9999999",
                                                               "<script>", "", " ", "1/3", "0.5", "7" * 5000]))
layer_edits = st.fixed_dictionaries({}, optional={
    "type": st.one_of(st.sampled_from(bf.LAYER_KINDS), st.none(), st.text(max_size=6)),
    "size": st.one_of(st.none(), st.integers(-5, 10 ** 12), st.floats(), st.text(max_size=4)),
    "bias": st.one_of(st.booleans(), st.none()), "option": cell_values, "order": st.one_of(st.none(), st.floats())})


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(["article", "xor"]), st.data())
def test_random_edits_in_the_build_tables_give_a_model_or_a_placed_message(preset, data):
    draft = draft_from_spec(load_preset(preset))
    for _ in range(data.draw(st.integers(1, 3))):
        table = data.draw(st.sampled_from(["layers", "weights", "data"]))
        if table == "layers":
            n = len(draft["layers"])
            edits = data.draw(st.dictionaries(st.integers(0, max(n - 1, 0)), layer_edits, max_size=3))
            added = data.draw(st.lists(layer_edits, max_size=2))
            deleted = data.draw(st.lists(st.integers(0, max(n - 1, 0)), max_size=2))
            bf.commit_layers(draft, {"edited_rows": edits, "added_rows": added, "deleted_rows": deleted})
        elif table == "weights":
            linear = [r["id"] for r in draft["layers"] if r["type"] == "linear" and r["id"] in draft["params"]]
            if linear:
                lid = data.draw(st.sampled_from(linear))
                cols = list(bf.weights_table(draft, lid))
                if cols:
                    edits = data.draw(st.dictionaries(st.integers(0, 3), st.dictionaries(
                        st.sampled_from(cols + ["w99", "zz"]), cell_values, max_size=2), max_size=2))
                    bf.commit_weights(draft, lid, {"edited_rows": edits})
        else:
            cols = list(bf.data_table(draft))
            edits = data.draw(st.dictionaries(st.integers(0, 5), st.dictionaries(
                st.sampled_from(cols + ["x9"]), cell_values, max_size=2), max_size=2))
            bf.commit_data(draft, {"edited_rows": edits, "added_rows": data.draw(st.lists(st.just({}), max_size=2)),
                                   "deleted_rows": data.draw(st.lists(st.integers(0, 5), max_size=2))})
    spec, errors = build_spec(draft)
    assert (spec is None) == bool(errors)
    for place, message in errors:
        assert place in ("layers", "data", "loss", "arithmetic", "name", "description", "general") \
            or place.startswith("weights:")
        assert "\n" not in message


def test_an_infinite_float_in_a_weight_cell_is_a_placed_message_not_a_crash():
    draft = draft_from_spec(load_preset("article"))
    lid = next(r["id"] for r in draft["layers"] if r["type"] == "linear")
    bf.commit_weights(draft, lid, {"edited_rows": {0: {"w0": float("inf")}}})  # raised ValueError
    spec, errors = build_spec(draft)
    assert spec is None and any(place == f"weights:{lid}" and "inf" in msg for place, msg in errors)
