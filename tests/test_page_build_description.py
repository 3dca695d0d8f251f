"""The Build page's description and loss hint (AppTest): a generated description follows the
layers and the loss, a preset's stays while the model is the preset's, a typed one is never
replaced; a sigmoid output with ½(x − y)² gets a hint to use binary cross-entropy."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from engine.losses import LOSSES
from engine.presets import load_preset
from ui.draft_words import generated_description, loss_hint
from ui.text import md

from test_page_build import open_build

GROWN = "input 2 → linear 8 → relu 8 → linear 8 → relu 8 → linear 1 → half_squared_error"


def gen(at: AppTest) -> int:
    return at.session_state["build_gen"]


def edit_layers(at: AppTest, changes: dict) -> None:
    """What the browser sends when the layers table changes: its change set under its key."""
    at.session_state[f"build_layers_{gen(at)}"] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [], **changes}
    at.run()
    assert not at.exception


def description_field(at: AppTest) -> str:
    return at.text_input(key=f"build_description_{gen(at)}").value


def from_scratch(at: AppTest) -> None:
    at.number_input(key="build_scratch_in").set_value(2)
    at.number_input(key="build_scratch_out").set_value(1)
    at.button[1].click().run()  # "Create"
    assert not at.exception


def grow_to_2_8_8_1(at: AppTest) -> None:
    edit_layers(at, {"edited_rows": {1: {"size": 8}},
                     "added_rows": [{"type": "relu"}, {"type": "linear", "size": 8}, {"type": "relu"},
                                    {"type": "linear", "size": 1}]})


def apply(at: AppTest) -> None:
    at.button(key="build_apply").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]


def hints(at: AppTest) -> list[str]:
    return [i.value for i in at.info if "sigmoid" in i.value]


def test_a_scratch_model_grown_to_2_8_8_1_is_described_by_its_new_layers():
    at = open_build()
    from_scratch(at)
    assert description_field(at) == "input 2 → linear 1 → half_squared_error"
    grow_to_2_8_8_1(at)
    assert description_field(at) == GROWN  # the field shows the draft's layers before Apply
    apply(at)
    ws = at.session_state["workspace"]
    assert len(ws.model.layers) == 6 and ws.description == GROWN
    captions = [c.value for c in at.caption]
    assert md(GROWN) in captions  # the in-use panel, above its list of layers
    assert md("input 2 → linear 1 → half_squared_error") not in captions


def test_a_changed_loss_is_named_by_a_generated_description():
    at = open_build()
    from_scratch(at)
    at.selectbox(key=f"build_loss_{gen(at)}").set_value("mae").run()
    assert description_field(at) == "input 2 → linear 1 → mae"


def test_a_typed_description_survives_a_layer_change_and_apply():
    at = open_build()
    from_scratch(at)
    at.text_input(key=f"build_description_{gen(at)}").set_value("my first net").run()
    grow_to_2_8_8_1(at)
    assert description_field(at) == "my first net"
    at.selectbox(key=f"build_loss_{gen(at)}").set_value("mse").run()
    assert description_field(at) == "my first net"
    apply(at)
    assert at.session_state["workspace"].description == "my first net"
    edit_layers(at, {"edited_rows": {1: {"size": 4}}})  # the applied model's typed text stays too
    assert description_field(at) == "my first net"


def test_a_description_typed_with_a_layer_change_in_the_same_run_is_kept():
    at = open_build()
    from_scratch(at)
    at.session_state[f"build_description_{gen(at)}"] = "typed as the table changed"
    grow_to_2_8_8_1(at)
    assert description_field(at) == "typed as the table changed"


def test_a_presets_prose_stays_until_its_structure_changes():
    at = open_build(preset="xor")
    prose = load_preset("xor").description
    assert description_field(at) == prose
    at.radio(key=f"build_arithmetic_{gen(at)}").set_value("float").run()  # no structure change
    edit_layers(at, {"edited_rows": {0: {"option": ""}}})  # an edit that leaves the layers as they are
    assert description_field(at) == prose
    edit_layers(at, {"edited_rows": {1: {"size": 3}}})  # "2-4-1 MLP" no longer true
    assert description_field(at) == ("input 2 → linear 3 → tanh 3 → linear 1 → sigmoid 1 → "
                                     "binary_cross_entropy")


def test_a_generated_description_too_long_for_the_file_is_shortened():
    layers = [{"type": "input", "size": 4096}] + [{"type": "leaky_relu"}, {"type": "linear", "size": 4096}] * 40
    text = generated_description(layers, "softmax_cross_entropy")
    assert len(text) <= 1000 and text.startswith("input 4096 → ") and text.endswith("softmax_cross_entropy")
    # a forged layer type is not copied into the text (it could be 10,000 characters long)
    assert generated_description([{"type": "x" * 10_000, "size": 3}], "mse") == "? 3 → mse"


def test_the_sigmoid_hint_appears_with_half_squared_error_and_goes_with_bce():
    at = open_build()
    assert not hints(at)  # the article: ReLU output
    at.radio(key=f"build_arithmetic_{gen(at)}").set_value("float").run()
    edit_layers(at, {"edited_rows": {2: {"type": "sigmoid"}}})
    shown = hints(at)
    assert len(shown) == 1
    # the loss named as the Loss selector shows it
    label = at.selectbox(key=f"build_loss_{gen(at)}").format_func("binary_cross_entropy")
    assert label in shown[0] and LOSSES["half_squared_error"].title in shown[0]
    at.selectbox(key=f"build_loss_{gen(at)}").set_value("binary_cross_entropy").run()
    assert not hints(at)
    at.selectbox(key=f"build_loss_{gen(at)}").set_value("half_squared_error").run()
    assert len(hints(at)) == 1
    edit_layers(at, {"edited_rows": {2: {"type": "tanh"}}})  # no sigmoid output: no hint
    assert not hints(at)


def test_no_hint_for_a_sigmoid_that_is_not_the_output_or_another_loss():
    assert loss_hint({"layers": [{"type": "input"}, {"type": "sigmoid"}, {"type": "linear"}],
                      "loss": "half_squared_error"}) is None
    assert loss_hint({"layers": [{"type": "input"}, {"type": "linear"}, {"type": "sigmoid"}],
                      "loss": "mse"}) is None
    assert loss_hint({"layers": [], "loss": "half_squared_error"}) is None
