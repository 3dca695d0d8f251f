"""The Build page: edit a model through its tables, Apply, and see Explore change; bad input
is shown where it is and never replaces the model in use; import, export and links."""
import html
import json

import pytest
from streamlit.testing.v1 import AppTest

from engine.presets import load_preset
from engine.spec_json import SpecError
from engine.spec import load_spec, spec_to_dict
from ui.draft import build_spec, draft_from_spec, export_model, import_model


def open_build(**query) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    at.switch_page("pages/build.py").run()
    assert not at.exception
    return at


def edit(at: AppTest, table: str, changes: dict) -> AppTest:
    """What the browser sends when a data_editor cell changes: its change set under its key."""
    full = {"edited_rows": {}, "added_rows": [], "deleted_rows": [], **changes}
    at.session_state[f"build_{table}_{at.session_state['build_gen']}"] = full
    at.run()
    assert not at.exception
    return at


def apply(at: AppTest) -> AppTest:
    at.button(key="build_apply").click().run()
    assert not at.exception
    return at


def explore_dot(at: AppTest) -> str:
    """The text of Explore's last frame (everything computed), as its player gets it."""
    at.switch_page("pages/explore.py").run()
    assert not at.exception
    return html.unescape(json.loads(at.get("bidi_component")[0].proto.json)["frames"][-1])


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def test_page_renders_the_article_model_as_tables():
    at = open_build()
    layers = at.data_editor[0].value
    assert list(layers["type"]) == ["input", "linear", "relu"]
    assert list(layers["size"]) == [3, 1, 1]
    weights = at.data_editor(key=f"build_w1_{at.session_state['build_gen']}").value
    assert list(weights.iloc[0]) == ["1/200", "-3/11600", "1/5800"]  # exact fractions as typed
    assert "In use: article" in at.markdown[0].value or any("In use: article" in m.value for m in at.markdown)


def test_changing_relu_to_sigmoid_and_applying_changes_explore():
    at = open_build()
    before = explore_dot(at)
    at.switch_page("pages/build.py").run()
    at.radio(key=f"build_arithmetic_{at.session_state['build_gen']}").set_value("float").run()
    edit(at, "layers", {"edited_rows": {2: {"type": "sigmoid"}}})
    apply(at)
    assert any("Applied" in s.value for s in at.success)
    ws = at.session_state["workspace"]
    assert [l.kind for l in ws.model.layers] == ["input", "linear", "sigmoid"]
    assert ws.model.arithmetic == "float"
    after = explore_dot(at)
    assert after != before and "sigmoid" in after.lower()


def test_resizing_a_linear_layer_resizes_its_weights_and_tells_the_user():
    at = open_build(preset="xor")
    edit(at, "layers", {"edited_rows": {1: {"size": 3}}})
    notes = [i.value for i in at.info]
    assert any("weights resized from (4, 2) to (3, 2)" in n for n in notes)
    assert any("layer 4 (linear): weights resized from (1, 4) to (1, 3)" in n for n in notes)
    apply(at)
    ws = at.session_state["workspace"]
    assert ws.model.layer(2).params["W"].shape == (3, 2)
    assert ws.model.layer(2).params["W"][0, 0] == 1.0  # the overlap is kept
    assert ws.model.layer(4).params["W"].shape == (1, 3)


@pytest.mark.parametrize("text, message", [("abc", "'abc' is not a number"), ("1/0", "divides by zero")])
def test_a_bad_weight_is_shown_under_the_weights_and_the_model_is_kept(text, message):
    at = open_build()
    before = at.session_state["workspace"]
    edit(at, "w1", {"edited_rows": {0: {"w1": text}}})
    apply(at)
    assert at.session_state["workspace"] is before
    assert any(message in e and "layer 2: weights row 1, column 2" in e for e in errors(at))
    # the draft keeps what was typed, shown in the grid for correction
    weights = at.data_editor(key=f"build_w1_{at.session_state['build_gen']}").value
    assert weights.iloc[0, 1] == text
    assert "δ4 = -1" in explore_dot(at)  # Explore still shows the article


def test_a_wrong_size_is_shown_under_the_data_and_the_model_is_kept():
    at = open_build()
    before = at.session_state["workspace"]
    edit(at, "data", {"edited_rows": {1: {"x0": ""}}})
    apply(at)
    assert at.session_state["workspace"] is before
    assert any(e.startswith("data.x row 2, column 1") for e in errors(at))


def test_exact_arithmetic_refuses_sigmoid_under_the_layers_table():
    at = open_build()
    edit(at, "layers", {"edited_rows": {2: {"type": "sigmoid"}}})
    apply(at)
    assert any("layer 3: sigmoid needs exp or log" in e for e in errors(at))
    assert at.session_state["workspace"].model.layer(3).kind == "relu"


def test_load_preset_and_scratch():
    at = open_build()
    at.selectbox(key="build_preset").set_value("xor")
    at.button[0].click().run()
    assert at.session_state["workspace"].name == "xor"
    assert at.query_params.get("preset") == "xor"
    at.number_input(key="build_scratch_in").set_value(3)
    at.button[1].click().run()
    ws = at.session_state["workspace"]
    assert [l.kind for l in ws.model.layers] == ["input", "linear"] and ws.model.size_in == 3
    assert "model" in at.query_params and "preset" not in at.query_params


def test_import_a_valid_and_a_broken_file():
    at = open_build()
    text = export_model(load_preset("xor")).encode()
    at.file_uploader(key="build_upload").set_value(("xor.json", text, "application/json")).run()
    assert not at.exception
    assert at.session_state["workspace"].name == "xor"
    at.file_uploader(key="build_upload").set_value(("bad.json", b'{"format": 1}', "application/json")).run()
    assert at.session_state["workspace"].name == "xor"
    assert any(e.startswith("bad.json: ") for e in errors(at))


def test_import_function_reports_where_a_file_is_wrong():
    doc = json.loads(export_model(load_preset("article")))
    doc["layers"][1]["weights"] = [[1, 2]]
    with pytest.raises(SpecError, match=r"layer 2: weights have shape \(1, 2\), expected \(1, 3\)"):
        import_model(json.dumps(doc).encode())
    with pytest.raises(SpecError, match="not valid JSON"):
        import_model(b"{nope")


@pytest.mark.parametrize("name", ["article", "xor", "spiral"])
def test_export_round_trips(name):
    spec = load_preset(name)
    assert spec_to_dict(load_spec(export_model(spec))) == spec_to_dict(spec)
    # and so does a draft of it, untouched
    built, errs = build_spec(draft_from_spec(spec))
    assert not errs and spec_to_dict(built) == spec_to_dict(spec)


def test_query_preset_loads_it_and_a_bad_one_warns_and_falls_back():
    at = open_build(preset="xor")
    assert at.session_state["workspace"].name == "xor"
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params["preset"] = "nope"
    at.run()
    assert not at.exception
    assert any("no preset 'nope'" in w.value for w in at.warning)
    assert at.session_state["workspace"].name == "article"
    assert at.query_params.get("preset") == "article"


def test_an_applied_custom_model_goes_into_the_link_and_back():
    at = open_build()
    at.radio(key=f"build_arithmetic_{at.session_state['build_gen']}").set_value("float").run()
    apply(at)
    code = at.query_params.get("model")
    assert code and "preset" not in at.query_params
    again = AppTest.from_file("../app.py", default_timeout=120)
    again.query_params["model"] = code
    again.run()
    assert not again.exception and not again.warning
    assert spec_to_dict(again.session_state["workspace"]) == spec_to_dict(at.session_state["workspace"])


def test_after_loading_a_preset_the_page_shows_it_in_use_with_no_pending_edits():
    at = open_build()
    at.selectbox(key="build_preset").set_value("moons")
    at.button[0].click().run()
    texts = " ".join(m.value for m in at.markdown)
    assert "In use: moons" in texts and "In use: article" not in texts
    assert "The draft is the model in use" in texts and "Unapplied edits" not in texts
    assert at.button(key="build_apply").disabled


def test_an_edited_preset_is_applied_under_another_name_and_linked_by_value():
    at = open_build()
    at.radio(key=f"build_arithmetic_{at.session_state['build_gen']}").set_value("float").run()
    apply(at)
    spec = at.session_state["workspace"]
    assert spec.name == "article (edited)"
    assert "preset" not in at.query_params and at.query_params.get("model")
    assert any("Applied" in m.value and "edited" in m.value for m in at.success)  # md() escapes the brackets


def test_every_hint_example_is_accepted_by_its_column():
    """The hints must match what the widgets accept: "2.5 goes between 2 and 3" in an
    integer column could not be typed (the grid dropped the ".", 1.5 became 15)."""
    import re
    from ui import build_forms as bf
    at = open_build(preset="xor")
    layers = at.data_editor[0]
    order = json.loads(layers.proto.columns)["order"]
    example, low, high = re.search(r"(\d+\.\d+) goes between (\d+) and (\d+)", order["help"]).groups()
    assert layers.value["order"].dtype.kind == "f"  # a float column: the grid takes the "."
    step = order["type_config"].get("step")
    assert step is None or (float(example) / step).is_integer()
    assert order["type_config"].get("format") in (None, "plain")  # no "%d" rounding 2.5 away
    kinds = [row["type"] for row in at.session_state["build_draft"]["layers"]]
    moved = int(high) + 1  # a row after both, typed the example
    edit(at, "layers", {"edited_rows": {moved - 1: {"order": float(example)}}})
    now = [row["type"] for row in at.session_state["build_draft"]["layers"]]
    assert now[int(high) - 1] == kinds[moved - 1]  # it went between rows low and high
    assert now[:int(low)] == kinds[:int(low)] and len(now) == len(kinds)

    caption = next(c.value for c in at.caption if "Numbers as" in c.value)
    assert all(x in caption for x in bf.NUMBER_EXAMPLES)
    for typed in bf.NUMBER_EXAMPLES:  # each example, typed into a weight cell, applies
        at = open_build()
        edit(at, f"w{at.session_state['build_draft']['layers'][1]['id']}", {"edited_rows": {0: {"w1": typed}}})
        apply(at)
        assert not errors(at), typed
        from fractions import Fraction
        weight = at.session_state["workspace"].model.layers[1].params["W"][0, 1]
        assert Fraction(weight) == Fraction(typed), typed  # exact: the number typed, no rounding


@pytest.mark.parametrize("kind,typed", [("relu", "0"), ("leaky_relu", "1/100"), ("leaky_relu", "1/100, 0")])
def test_the_option_hints_examples_apply(kind, typed):
    from ui import build_forms as bf
    assert typed.split(",")[0] in bf.OPTION_HELP  # the hint shows this example
    at = open_build()
    edit(at, "layers", {"edited_rows": {2: {"type": kind, "option": typed}}})
    apply(at)
    assert not errors(at) and at.session_state["workspace"].model.layers[2].kind == kind


def test_the_in_use_panel_keeps_a_layers_bias_on_its_line():
    """A narrow panel wraps its lines: "+ b" stays with its layer (no-break spaces)."""
    at = open_build(preset="moons")
    listing = [c.value for c in at.code if "loss" in c.value]
    assert len(listing) == 1
    assert "2. linear 2→8\u00a0+\u00a0b" in listing[0] and " + b" not in listing[0]
