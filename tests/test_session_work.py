"""Nothing lost without a warning: unapplied Build edits and training results survive
page changes, replacing them asks first, a reload is guarded, and a model too big for
a link says so (in the address bar and on the page) instead of reopening the article."""
import json

from streamlit.testing.v1 import AppTest

from engine.presets import load_preset
from engine.spec import spec_to_dict
from ui.draft import build_spec, draft_from_spec, export_model
from ui import share

SIGMOID = {"edited_rows": {2: {"type": "sigmoid"}}, "added_rows": [], "deleted_rows": []}


def app(**query) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    return at


def go(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception
    return at


def edited_build() -> AppTest:
    """Build with the article's ReLU changed to a sigmoid, not applied."""
    at = go(app(), "build")
    at.session_state[f"build_layers_{at.session_state['build_gen']}"] = SIGMOID
    at.run()
    assert unapplied(at)
    return at


def unapplied(at: AppTest) -> bool:
    return any("Unapplied edits" in m.value for m in at.markdown)


def layer_types(at: AppTest) -> list[str]:
    return list(at.data_editor[0].value["type"])


def at_risk(at: AppTest) -> list[str]:
    """What the leave guard would ask the browser to protect (ui/guard.py)."""
    guard = next(c for c in at.get("bidi_component") if c.proto.component_name.endswith("backprop_guard"))
    return json.loads(guard.proto.json)["at_risk"]


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_unapplied_edits_survive_explore_train_and_back():
    at = edited_build()
    assert at_risk(at) == ["unapplied Build edits"]
    go(at, "explore")
    assert at.session_state["workspace"].model.layer(3).kind == "relu"  # not applied: Explore keeps the model
    assert at_risk(at) == ["unapplied Build edits"]  # the guard is on every page
    go(at, "train")
    go(at, "build")
    assert unapplied(at) and layer_types(at) == ["input", "linear", "sigmoid"]


def test_training_results_survive_a_page_change_until_applied():
    at = go(app(preset="xor"), "train")
    at.text_input(key="train_lr").set_value("0.5")
    at.number_input(key="train_epochs").set_value(20)
    button(at.run(), "Train").click().run()
    steps = at.metric[0].value
    assert at_risk(at) == ["training results not applied"]
    go(at, "explore")
    go(at, "train")
    assert at.metric[0].value == steps and at.get("plotly_chart")  # the same run, still drawn
    button(at, "Apply trained weights").click().run()
    assert at_risk(at) == []


def test_loading_a_preset_over_unapplied_edits_asks_and_keeps_them_until_replace():
    at = edited_build()
    at.selectbox(key="build_preset").set_value("xor")
    button(at, "Load preset").click().run()
    assert any("Load **xor**?" in w.value and "unapplied" in w.value for w in at.warning)
    assert at.session_state["workspace"].name == "article" and at.query_params.get("preset") == "article"
    assert layer_types(at) == ["input", "linear", "sigmoid"]  # the edits are still there
    button(at, "Keep mine").click().run()
    assert not at.exception and at.session_state["workspace"].name == "article"
    assert any("Kept your edits" in i.value for i in at.info) and unapplied(at)
    button(at, "Load preset").click().run()
    button(at, "Replace").click().run()
    assert not at.exception and at.session_state["workspace"].name == "xor"
    assert any("Loaded the **xor** preset" in s.value for s in at.success)
    assert not unapplied(at) and layer_types(at)[0] == "input" and len(layer_types(at)) == 5


def test_importing_a_file_over_unapplied_edits_asks_first():
    at = edited_build()
    text = export_model(load_preset("xor")).encode()
    at.file_uploader(key="build_upload").set_value(("xor.json", text, "application/json")).run()
    assert at.session_state["workspace"].name == "article" and unapplied(at)
    button(at, "Replace").click().run()
    assert at.session_state["workspace"].name == "xor" and not unapplied(at)


def test_train_pages_load_over_unapplied_edits_asks_and_a_replace_restarts_the_draft():
    at = edited_build()
    go(at, "train")
    at.selectbox(key="train_preset").set_value("xor")
    button(at, "Load preset").click().run()
    assert at.session_state["workspace"].name == "article"
    assert any("unapplied Build edits would be lost" in w.value for w in at.warning)
    button(at, "Replace").click().run()
    assert at.session_state["workspace"].name == "xor"
    go(at, "build")  # the draft starts from xor, not the article's edits shown as 'unapplied'
    assert not unapplied(at) and len(layer_types(at)) == 5


def test_applying_trained_weights_over_unapplied_edits_asks_where_it_was_clicked():
    at = edited_build()
    go(at, "train")
    at.number_input(key="train_epochs").set_value(2)
    button(at.run(), "Train").click().run()
    before = at.session_state["workspace"]
    button(at, "Apply trained weights").click().run()
    assert at.session_state["workspace"] is before
    assert any("Apply the trained weights?" in w.value for w in at.warning)
    button(at, "Replace").click().run()
    assert not at.exception and at.session_state["workspace"] is not before
    assert any("the workspace holds the trained weights" in s.value for s in at.success)
    assert at_risk(at) == []  # the edits were given up and the run is applied: nothing left to lose


def test_applied_trained_weights_are_not_shown_as_unapplied_edits_on_build():
    at = go(app(preset="xor"), "build")  # a draft of xor, unedited
    go(at, "train")
    at.number_input(key="train_epochs").set_value(5)
    button(at.run(), "Train").click().run()
    button(at, "Apply trained weights").click().run()
    go(at, "build")
    assert not unapplied(at)  # the old draft held the weights before training: applying it would undo them


def big_model():
    draft = draft_from_spec(load_preset("spiral"))
    draft["name"] = "my spiral"
    spec, errors = build_spec(draft)
    assert not errors
    return spec


def test_a_model_too_big_for_a_link_says_so_and_its_url_does_not_claim_a_preset():
    at = go(app(), "build")
    at.file_uploader(key="build_upload").set_value(
        ("my-spiral.json", export_model(big_model()).encode(), "application/json")).run()
    assert not at.exception and at.session_state["workspace"].name == "my spiral"
    assert at.query_params.get("model") == share.TOO_BIG and "preset" not in at.query_params
    note = next(w.value for w in at.warning if "too big for a link" in w.value)
    assert f"limit {share.MAX_LINK_CHARS:,}" in note and "download the model file" in note
    assert_file_on_click(at, "Export JSON")
    assert "a model too big for a link" in at_risk(at)  # a reload would lose it: the browser asks
    go(at, "explore")  # every page says so, with the file
    assert any("too big for a link" in c.value for c in at.sidebar.caption)
    assert_file_on_click(at, "Model file (JSON)")
    assert at.query_params.get("model") == share.TOO_BIG


def assert_file_on_click(at: AppTest, label: str) -> None:
    """The model file is made when the button is clicked (a big model's dump takes a while),
    and the click reruns nothing: a rerun that ends before the browser asks for the file
    drops it, and the download never comes (seen in CI)."""
    button = next(b.proto for b in at.get("download_button") if b.proto.label == label)
    assert button.deferred_file_id and button.ignore_rerun


def test_reloading_a_too_big_link_says_the_model_could_not_travel():
    at = app(model=share.TOO_BIG, sample="200", step="7")
    warning = next(w.value for w in at.warning)
    assert "too big to travel in a link" in warning and "Import the model file" in warning
    assert any(link.proto.page == "build" for link in at.get("page_link"))
    assert at.session_state["workspace"].name == "article"
    # the address bar now tells the truth, and the lost model's sample and step are gone
    assert at.query_params.get("preset") == "article" and "model" not in at.query_params
    assert "sample" not in at.query_params or at.query_params.get("sample") != "200"


def test_a_small_custom_model_is_not_at_risk_on_reload():
    at = go(app(model=share.encode_model(load_preset("article", "float"))), "build")
    assert at_risk(at) == [] and not at.warning
    assert spec_to_dict(at.session_state["workspace"]) == spec_to_dict(load_preset("article", "float"))


def test_the_browser_asks_before_a_reload_drops_unapplied_edits(page, app_url):
    """A reload starts a new Streamlit session, so only the browser can warn: its own
    leave prompt (the beforeunload event), which AppTest cannot show."""
    page.goto(app_url + "/build")
    page.get_by_role("heading", name="Build").wait_for()
    page.reload()  # nothing at risk yet: no question asked, the reload just happens
    page.get_by_role("heading", name="Build").wait_for()
    name = page.get_by_label("Name")
    name.fill("my article")
    name.press("Enter")
    page.get_by_text("Unapplied edits").wait_for()
    page.locator('html[data-bp-at-risk="unapplied Build edits"]').wait_for(state="attached")
    with page.expect_event("dialog") as asked:
        page.evaluate("setTimeout(() => location.reload(), 0)")
    assert asked.value.type == "beforeunload"
    asked.value.dismiss()  # "Stay on page": the session and the edits are still there
    page.get_by_text("Unapplied edits").wait_for()
    assert page.get_by_label("Name").input_value() == "my article"
