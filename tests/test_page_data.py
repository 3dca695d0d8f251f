"""The Data page: upload a CSV -> preview (table, scatter for 2 features) -> Use this data
makes its model the one in use on every page; a bad file is one error and the last good
file stays; a generated set with its noise; the model's L2/L1 penalty, as on Build."""
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine.penalty import Penalty
from engine.presets import load_preset
from engine.spec import dump_spec, load_spec
from ui.draft import build_spec, draft_from_spec
from ui.penalty_fields import HELP, LABELS

BLOBS = b"x1,x2,label\n" + b"".join(f"{(-1) ** i * (1 + i % 5)},{i % 3},{int(i % 2 == 0)}\n".encode()
                                    for i in range(40))


def open_data() -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.run()
    assert not at.exception
    at.switch_page("pages/data.py").run()
    assert not at.exception
    return at


def upload(at: AppTest, name: str, raw: bytes) -> AppTest:
    at.file_uploader(key="data_upload").set_value((name, raw, "text/csv")).run()
    assert not at.exception
    return at


def charts(at: AppTest) -> list:
    return [e for e in at.get("plotly_chart")]


def test_upload_preview_and_use_the_data_on_build():
    at = upload(open_data(), "blobs.csv", BLOBS)
    assert not at.error
    frame = at.dataframe[0].value
    assert list(frame.columns) == ["x1", "x2", "target: label"] and len(frame) == 40
    assert list(frame.index[:2]) == [2, 3]  # the file's rows: the header is row 1
    assert len(charts(at)) == 1  # two features: the scatter plot coloured by the target
    assert any("binary classification" in c.value for c in at.caption)
    assert at.session_state["workspace"].name == "article"  # nothing used before the click

    at.button(key="data_use").click().run()
    assert not at.exception
    ws = at.session_state["workspace"]
    assert ws.name == "blobs" and ws.model.loss.kind == "binary_cross_entropy"
    assert len(ws.data) == 32 and len(ws.data.test) == 8  # test fraction 0.2 by default
    assert ws.data.standardize is not None and abs(ws.data.x.mean(axis=0)).max() < 1e-12
    assert any("blobs" in s.value and "model in use" in s.value for s in at.success)

    at.switch_page("pages/build.py").run()
    assert not at.exception
    assert any("In use: blobs" in m.value for m in at.markdown)
    exported = load_spec(dump_spec(at.session_state["workspace"]))  # the file Build exports
    assert np.array_equal(exported.data.x, ws.data.x) and len(exported.data.test) == 8


def test_options_change_the_model_built():
    at = upload(open_data(), "blobs.csv", BLOBS)
    at.toggle(key="data_standardize").set_value(False)
    at.slider(key="data_test_fraction").set_value(0.0)
    at.text_input(key="data_hidden").set_value("3")
    at.selectbox(key="data_activation").set_value("relu")
    at.button(key="data_use").click().run()
    assert not at.exception
    ws = at.session_state["workspace"]
    assert ws.data.standardize is None and ws.data.test is None and len(ws.data) == 40
    assert [layer.kind for layer in ws.model.layers] == ["input", "linear", "relu", "linear", "sigmoid"]


def test_a_bad_hidden_size_is_one_error_and_nothing_changes():
    at = upload(open_data(), "blobs.csv", BLOBS)
    at.text_input(key="data_hidden").set_value("8,abc")
    at.button(key="data_use").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["hidden layer 2: 'abc' is not a whole number (sizes as 8,8)"]
    assert at.session_state["workspace"].name == "article"


@pytest.mark.parametrize("raw,message", [
    (b"", "the file is empty"),
    (b"1,2,3\n4,5,6\n", "row 1: the first row must be a header"),
    (b"a,b,y\n1,x,0\n2,3,1\n", "row 2, column 2 ('b'): 'x' is not a number"),
    (b"a,b,y\n1,2,0\n3,4\n", "row 3 has 2 fields, the header has 3"),
    (b"a,b,y\n1,nan,0\n2,3,1\n", "row 2, column 2 ('b'): 'nan' is a missing or non-finite value"),
    (b"a,b,y\n1,2,1\n3,4,1\n", "the target has one value only"),
])
def test_a_bad_file_is_one_error_and_the_last_good_file_stays(raw, message):
    at = upload(open_data(), "blobs.csv", BLOBS)
    at = upload(at, "bad.csv", raw)
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("bad.csv: ") and message in errors[0].replace("\\", "")
    assert any("last good file" in i.value for i in at.info)
    assert len(at.dataframe[0].value) == 40  # still the blobs
    at.button(key="data_use").click().run()
    assert at.session_state["workspace"].name == "blobs"


def test_a_bad_file_first_shows_only_the_error():
    at = upload(open_data(), "bad.csv", b"a,b,y\n1,2,0\n3,4\n")
    assert len(at.error) == 1 and len(at.dataframe) == 0


def test_choosing_another_target_reads_the_task_again():
    raw = b"kind,size,weight\n" + b"".join(f"{['cat', 'dog', 'emu'][i % 3]},{i % 3},{i * 1.5}\n".encode()
                                           for i in range(30))
    at = upload(open_data(), "animals.csv", raw)
    # the last column, weight, taken for the target leaves text in a feature: said, and another target offered
    assert [e.value for e in at.error] == ["animals.csv: row 2, column 1 ('kind'): 'cat' is not a number (use 0.5, -3 or 1/200)"]
    at.selectbox[0].set_value("size").run()
    assert not at.exception and len(at.error) == 1  # still text in a feature
    at.selectbox[0].set_value("kind").run()
    assert not at.exception and not at.error
    assert any("classification: softmax" in c.value and "(3 classes)" in c.value for c in at.caption)
    assert at.selectbox[0].label == "Target column"
    at.selectbox[0].set_value("weight").run()  # back to the last column: text in a feature again
    assert not at.exception
    assert [e.value for e in at.error] == ["animals.csv: row 2, column 1 ('kind'): 'cat' is not a number (use 0.5, -3 or 1/200)"]
    assert at.selectbox[0].value == "kind"  # the choice goes back to the target in use
    assert any("(3 classes)" in c.value for c in at.caption)
    at.button(key="data_use").click().run()
    ws = at.session_state["workspace"]
    assert ws.model.loss.kind == "softmax_cross_entropy" and ws.data.target_names == ("cat", "dog", "emu")
    assert ws.data.feature_names == ("size", "weight")


def test_a_generated_set_with_its_noise():
    at = open_data()
    at.selectbox(key="data_generated").set_value("circles").run()
    at.slider(key="data_noise_circles").set_value(0.3).run()
    at.button(key="data_use_generated").click().run()
    assert not at.exception
    ws = at.session_state["workspace"]
    assert ws.name == "circles (noise 0.3)" and "(noise 0.3)" in ws.description
    assert "model" in at.query_params  # not the preset's own data: the link carries the model


def test_using_data_over_unapplied_build_edits_asks_first():
    at = open_data()
    at.switch_page("pages/build.py").run()
    at.text_input(key=f"build_name_{at.session_state['build_gen']}").set_value("mine").run()
    at.switch_page("pages/data.py").run()
    at = upload(at, "blobs.csv", BLOBS)
    at.button(key="data_use").click().run()
    assert not at.exception
    assert at.session_state["workspace"].name == "article"
    assert any("unapplied" in w.value for w in at.warning)
    at.button(key="replace_confirm_data").click().run()
    assert at.session_state["workspace"].name == "blobs"


def test_the_csv_model_is_explored_and_trained_on_the_other_pages():
    at = upload(open_data(), "blobs.csv", BLOBS)
    at.button(key="data_use").click().run()
    at.switch_page("pages/explore.py").run()
    assert not at.exception and not at.error
    at.switch_page("pages/train.py").run()
    assert not at.exception
    at.text_input(key="train_lr").set_value("0.5")
    at.number_input(key="train_epochs").set_value(30)
    next(b for b in at.button if b.label == "Train").click()
    at.run()
    assert not at.exception and not at.error
    assert at.session_state["training"]["result"].history.steps


# the model's L2/L1 penalty: the same fields as Build's (ui/penalty_fields.py), judged as Build judges them

def test_a_penalty_typed_on_data_is_the_models_on_build_and_in_training():
    at = upload(open_data(), "blobs.csv", BLOBS)
    fields = {name: at.text_input(key=f"data_{name}") for name in ("l2", "l1")}
    assert [(f.label, f.help, f.value) for f in fields.values()] == \
        [(LABELS[name], HELP[name], "0") for name in ("l2", "l1")]
    fields["l2"].set_value("1e-3")
    fields["l1"].set_value("1/1000")  # a fraction, as Build takes it
    at.button(key="data_use").click().run()
    assert not at.exception and not at.error
    ws = at.session_state["workspace"]
    assert ws.name == "blobs" and ws.model.penalty == Penalty(0.001, 0.001)
    assert any("λ₂ = 0.001, λ₁ = 0.001" in s.value for s in at.success)
    assert load_spec(dump_spec(ws)).model.penalty == Penalty(0.001, 0.001)  # the file carries it

    at.switch_page("pages/build.py").run()
    assert not at.exception
    in_use = [c for c in at.code if "penalty λ₂ = 0.001, λ₁ = 0.001" in c.value]  # the "In use" panel
    assert in_use and in_use[0].proto.wrap_lines  # the line is wider than the box: wrapped, not clipped
    assert "binary cross-entropy" in ws.description  # the graph's spelling
    gen = at.session_state["build_gen"]
    build = [at.text_input(key=f"build_{name}_{gen}") for name in ("l2", "l1")]
    assert [(f.label, f.help, f.value) for f in build] == [(LABELS["l2"], HELP["l2"], "0.001"),
                                                          (LABELS["l1"], HELP["l1"], "0.001")]

    at.switch_page("pages/train.py").run()
    assert not at.exception
    assert (at.text_input(key="train_l2").value, at.text_input(key="train_l1").value) == ("0.001", "0.001")
    assert any("mean loss + P" in c.value for c in at.caption)  # the run minimises loss + P
    at.number_input(key="train_epochs").set_value(3)
    next(b for b in at.button if b.label == "Train").click()
    at.run()
    assert not at.exception and not at.error
    assert at.session_state["training"]["result"].model.penalty == Penalty(0.001, 0.001)


@pytest.mark.parametrize("field,text,message", [
    ("l2", "-1", "the L2 penalty λ₂ must be 0 or more, got '-1'"),  # quoted as typed, as the CLI
    ("l1", "-1/2", "the L1 penalty λ₁ must be 0 or more, got '-1/2'"),
    ("l2", "abc", "the L2 penalty λ₂: 'abc' is not a number (use 0.001, 1e-3 or 1/1000)"),
    ("l1", "1" * 5000, "the L1 penalty λ₁: a number of 5000 characters; at most 4010"),
    ("l2", "nan", "the L2 penalty λ₂: 'nan' is not a number (use 0.001, 1e-3 or 1/1000)"),
    ("l1", "inf", "the L1 penalty λ₁: 'inf' is not a number (use 0.001, 1e-3 or 1/1000)"),
    ("l2", "1e400", "the L2 penalty λ₂: '1e400' is too large for float arithmetic (past about 1.8e308)"),
], ids=["negative", "negative fraction", "word", "too long", "nan", "inf", "past float"])
def test_a_bad_lambda_is_builds_one_error_and_nothing_is_lost(field, text, message):
    # the message Build gives for the same text in a float model (ui.draft.build_spec is its Apply)
    assert build_spec({**draft_from_spec(load_preset("xor")), field: text})[1] == [("penalty", message)]
    at = upload(open_data(), "blobs.csv", BLOBS)
    at.text_input(key="data_hidden").set_value("3")
    at.text_input(key=f"data_{field}").set_value(text)
    at.button(key="data_use").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [message]
    assert at.session_state["workspace"].name == "article"  # the model in use stays
    assert len(at.dataframe[0].value) == 40  # the file, and every field as typed
    assert (at.text_input(key=f"data_{field}").value, at.text_input(key="data_hidden").value) == (text, "3")
    at.text_input(key=f"data_{field}").set_value("0.01")
    at.button(key="data_use").click().run()
    assert not at.exception and not at.error
    ws = at.session_state["workspace"]
    assert ws.model.penalty == Penalty(**{field: 0.01}) and ws.model.layers[1].size_out == 3


def test_the_default_lambdas_give_no_penalty():
    at = upload(open_data(), "blobs.csv", BLOBS)
    at.button(key="data_use").click().run()
    assert not at.exception
    ws = at.session_state["workspace"]
    assert ws.model.penalty == Penalty() and not ws.model.penalty.active
    assert '"penalty"' not in dump_spec(ws)  # the file as one without a penalty
    assert not any("λ₂" in s.value for s in at.success)
    at.text_input(key="data_l2").set_value("")  # an empty field is 0, as on Build
    at.text_input(key="data_l1").set_value(" 0 ")
    at.button(key="data_use").click().run()
    assert not at.exception and not at.error
    assert not at.session_state["workspace"].model.penalty.active
    at.switch_page("pages/build.py").run()
    assert not at.exception
    assert not any("penalty" in c.value for c in at.code)  # no penalty line in "In use"


def test_the_page_names_the_model_in_use_and_follows_it():
    at = open_data()
    from ui.text import md  # the description as markdown shows it, escaped
    in_use = [c.value for c in at.caption if c.value.startswith("Model in use:")]
    assert in_use == [f"Model in use: **article** · {md(load_preset('article').description)}"]  # as Explore names it
    at.selectbox(key="data_generated").set_value("moons").run()
    at.button(key="data_use_generated").click().run()
    assert not at.exception
    assert [c.value for c in at.caption if c.value.startswith("Model in use:")] == [
        f"Model in use: **moons** · {md(load_preset('moons').description)}"]
