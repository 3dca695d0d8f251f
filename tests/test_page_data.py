"""The Data page: upload a CSV -> preview (table, scatter for 2 features) -> Use this data
makes its model the one in use on every page; a bad file is one error and the last good
file stays; a generated set with its noise."""
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine.spec import dump_spec, load_spec

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
    return [e for e in at.get("vega_lite_chart")]


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
