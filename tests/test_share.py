"""Links: the query parameters that reproduce a view (ui/share.py)."""
import base64

import pytest

from streamlit.testing.v1 import AppTest

from engine.presets import load_preset
from engine.spec import spec_to_dict
from ui.draft import build_spec, draft_from_spec
from ui import share


def test_a_preset_is_linked_by_name_and_a_small_custom_model_by_value():
    assert share.model_params(load_preset("xor")) == {"preset": "xor"}
    custom = load_preset("article", "float")  # not the preset any more: it is exact
    params = share.model_params(custom)
    assert set(params) == {"model"} and len(params["model"]) <= share.MAX_LINK_CHARS
    back, warning = share.spec_from_params(params, "article")
    assert warning is None and spec_to_dict(back) == spec_to_dict(custom)


def test_a_big_model_gets_no_link_but_a_marker_saying_so():
    assert share.model_params(load_preset("spiral")) == {"preset": "spiral"}
    draft = draft_from_spec(load_preset("spiral"))
    draft["name"] = "my spiral"
    spec, errors = build_spec(draft)
    assert not errors and share.model_params(spec) == {"model": share.TOO_BIG}
    assert share.encode_model(spec) is None and share.link_length(spec) > share.MAX_LINK_CHARS
    back, warning = share.spec_from_params({"model": share.TOO_BIG}, "article")
    assert back.name == "article" and "too big to travel in a link" in warning


def test_bad_links_fall_back_to_the_default_with_a_reason():
    for params, words in (({"preset": "nope"}, "no preset 'nope'"),
                          ({"model": "%%%"}, "could not be read"),
                          ({"model": base64.urlsafe_b64encode(b'{"format": 2}').decode()}, "missing key 'layers'")):
        spec, warning = share.spec_from_params(params, "article")
        assert spec.name == "article" and words in warning


def test_sample_and_step_are_read_within_bounds():
    assert share.read_index({"sample": "2"}, "sample", 1, 3) == 2
    for bad in ("0", "4", "-1", "x", "", "9" * 30):
        assert share.read_index({"sample": bad}, "sample", 1, 3) is None
    assert share.read_index({}, "step", 0, 10) is None


def test_a_model_link_opens_that_model_in_the_app():
    code = share.encode_model(load_preset("article", "float"))
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params["model"] = code
    at.run()
    assert not at.exception and not at.warning
    assert at.session_state["workspace"].model.arithmetic == "float"


def test_a_broken_model_link_warns_and_shows_the_article():
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params["model"] = "bm90IGpzb24"  # "not json"
    at.run()
    assert not at.exception
    assert any("could not be read" in w.value for w in at.warning)
    assert at.session_state["workspace"].name == "article"
    assert at.query_params.get("preset") == "article" and "model" not in at.query_params


@pytest.mark.parametrize("page", [None, "pages/build.py", "pages/train.py", "pages/export.py"])
@pytest.mark.parametrize("model", ["article", "custom"])
def test_the_link_is_worked_out_once_per_model_not_at_every_rerun(monkeypatch, page, model):
    """The link parameters serialise the model (and a preset to compare it with): once per model."""
    serialised = []
    monkeypatch.setattr("ui.share.spec_to_dict", lambda spec: serialised.append(spec.name) or spec_to_dict(spec))
    at = AppTest.from_file("../app.py", default_timeout=120)
    if model == "custom":
        draft = draft_from_spec(load_preset("xor"))
        draft["name"] = "my xor"
        spec, errors = build_spec(draft)
        assert not errors
        at.session_state["workspace"] = spec
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception
    first = len(serialised)
    assert 1 <= first <= 2  # the model, and the preset of that name if there is one
    for _ in range(3):
        at.run()
    assert not at.exception
    assert len(serialised) == first


def test_a_link_keeps_the_view_sample_step_and_arithmetic():
    at = AppTest.from_file("../app.py", default_timeout=120)
    for k, v in {"preset": "article", "view": "neuron", "sample": "2", "step": "5", "arithmetic": "float"}.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception and not at.warning
    assert at.radio(key="view").value == "neuron"
    assert at.selectbox(key="sample").value == 2
    assert at.session_state["step"] == 5
    assert at.radio(key="arithmetic").value == "float"
    at.radio(key="view").set_value("layer").run()
    assert not at.exception
    assert at.query_params.get("view") == "layer" and at.query_params.get("step") == "5"
    assert at.query_params.get("preset") == "article"


def test_a_bad_view_in_a_link_falls_back_to_the_layer_view():
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params["view"] = "<script>"
    at.run()
    assert not at.exception and at.radio(key="view").value == "layer"


def test_an_edited_preset_loses_the_presets_name():
    assert share.unpreset_name(load_preset("xor")).name == "xor"  # the preset itself keeps it
    edited = share.unpreset_name(load_preset("article", "float"))
    assert edited.name == "article (edited)" and share.model_params(edited).keys() == {"model"}
    assert share.unpreset_name(edited) is edited  # no "article (edited) (edited)"


@pytest.mark.parametrize("preset", ["moons", "spiral"])
def test_a_link_asking_exact_arithmetic_of_a_model_without_it_falls_back_to_float(preset):
    """moons (tanh) and spiral have no exact arithmetic: the link's ``arithmetic=exact``
    warns once and the page works in float, instead of stopping on an error."""
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params["preset"], at.query_params["arithmetic"] = preset, "exact"
    at.run()
    assert not at.exception and not at.error
    assert len(at.warning) == 1
    assert at.warning[0].value.startswith("The link asks for exact arithmetic, but this model has none (")
    assert "no exact rational value" in at.warning[0].value and at.warning[0].value.endswith("showing float.")
    assert at.radio(key="arithmetic").value == "float"
    assert [c for c in at.get("bidi_component") if c.key == "player"]  # the graph is drawn
    assert at.query_params.get("arithmetic") == "float"  # the address bar says what is shown
    at.run()
    assert not at.exception and not at.warning  # said once


@pytest.mark.parametrize("value", ["EXACT", "<b>x</b>", ""])
def test_a_bad_arithmetic_in_a_link_warns_and_keeps_the_models_own(value):
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params["preset"], at.query_params["arithmetic"] = "article", value
    at.run()
    assert not at.exception and not at.error
    assert [w.value for w in at.warning] == [
        f"The link asks for arithmetic {value!r}, but the arithmetic is 'exact' or 'float'; showing exact."]
    assert at.radio(key="arithmetic").value == "exact"


@pytest.mark.parametrize("value", ["neurons", "", "<b>x</b>", "x" * 500])
def test_a_bad_view_in_a_link_warns_and_shows_the_layer_view(value):
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params["preset"], at.query_params["view"] = "article", value
    at.run()
    assert not at.exception and not at.error
    [warning] = [w.value for w in at.warning]
    assert warning.startswith("The link asks for view ") and "showing the layer view" in warning
    assert len(warning) < 200 and at.radio(key="view").value == "layer"
    at.run()  # said once, on the link's first run
    assert not at.warning


def test_a_graph_from_training_is_not_claimed_by_the_link_and_back_restores_the_view():
    from test_page_train import click, start
    from test_pages import player_data
    view = {"preset": "xor", "sample": "2", "step": "5", "arithmetic": "float", "view": "neuron"}
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params.update(view)
    at.run()
    assert player_data(at)["step"] == 5 and dict(at.query_params) == view
    at.switch_page("pages/train.py").run()
    at = start(at, lr="0.5", epochs=5, batch=2)  # 10 steps of 2 samples
    at.number_input(key="train_pick").set_value(7)
    at = click(at.run(), "Open in Explore")
    at.query_params.update(view)  # an address bar still holding the workspace's view, as a browser may
    at.switch_page("pages/explore.py").run()  # AppTest follows st.switch_page only when told
    assert not at.exception
    # the workspace model and a marker saying what is shown: no sample or step claiming to reopen it
    shown_link = {"preset": "xor", "graph": "training"}
    assert dict(at.query_params) == shown_link
    info = " ".join(i.value for i in at.info)
    assert "training step 7" in info and "A link cannot carry it" in info and "export it" in info
    assert [p.proto.page for p in at.get("page_link")] == ["export"]  # where it can be kept
    assert player_data(at)["step"] == 0  # its own timeline, not the workspace's step 5
    at.session_state["step"] = 3  # the player reports a step: still nothing in the link
    at.run()
    assert dict(at.query_params) == shown_link

    next(b for b in at.button if b.label == "Back to the workspace model").click().run()
    assert not at.exception and "explore_graph" not in at.session_state
    assert dict(at.query_params) == view  # the workspace's view again, where it was
    again = AppTest.from_file("../app.py", default_timeout=120)
    again.query_params.update(dict(at.query_params))
    again.run()  # the link reopens what the page shows
    for shown in (at, again):
        assert (shown.selectbox(key="sample").value, player_data(shown)["step"], shown.radio(key="arithmetic").value,
                shown.radio(key="view").value) == (2, 5, "float", "neuron")


def test_a_link_copied_while_explore_showed_a_graph_from_training_says_so():
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params.update({"preset": "xor", "graph": "training"})
    at.run()
    assert not at.exception
    assert [w.value for w in at.warning] == [
        "This link was copied while a page showed a graph from training (on Explore or Export), which a link "
        "cannot carry (export it instead); showing the workspace model, xor."]
    assert at.session_state["workspace"].name == "xor" and "graph" not in at.query_params
    assert at.query_params.get("step") == "0"  # the address bar now reproduces what is shown
    at.run()
    assert not at.warning  # said once


def test_an_unknown_graph_in_a_link_warns_and_shows_the_workspace_model():
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params.update({"preset": "xor", "graph": "![x](http://1.2.3.4/)"})
    at.run()
    assert not at.exception and "graph" not in at.query_params
    assert len(at.warning) == 1 and "only graph=training is known" in at.warning[0].value
    assert "\\!\\[x\\]" in at.warning[0].value  # written as typed (ui/text.message), not an image
