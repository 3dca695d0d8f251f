"""One bad λ, one sentence: the CLI's --l2, a model file, Build, Train and Data say the same,
word for word, in float and in exact arithmetic (engine/penalty.py: read_lambda; the typed
text is quoted as typed everywhere, ui/draft.py: penalty_entry keeps it text)."""
import json

import pytest
from streamlit.testing.v1 import AppTest

from engine.cli import main
from engine.presets import load_preset
from engine.spec import spec_to_dict

BLOBS = b"x1,x2,label\n" + b"".join(f"{(-1) ** i * (1 + i % 5)},{i % 3},{int(i % 2 == 0)}\n".encode()
                                    for i in range(40))
PRESETS = {"float": "xor", "exact": "article"}


def _cli(capsys, *argv) -> str:
    """The one line on stderr of a refused command, without its "error: "."""
    capsys.readouterr()
    assert main(list(argv)) == 2
    out, err = capsys.readouterr()
    # an AppTest run earlier in this process may leave Streamlit's bare-mode log line on stderr
    err = "".join(line for line in err.splitlines(keepends=True) if "missing ScriptRunContext" not in line)
    assert out == "" and err.count("\n") == 1 and err.startswith("error: "), err
    return err[len("error: "):-1]


def _app(preset: str, page: str) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params["preset"] = preset
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    return at


def _lambda_errors(at: AppTest) -> list[str]:
    assert not at.exception
    return [e.value for e in at.error if "penalty λ" in e.value]


def _train(preset: str, text: str) -> list[str]:
    at = _app(preset, "pages/train.py")
    at.text_input(key="train_l2").set_value(text).run()
    return _lambda_errors(at)  # said as typed, before any Train click


def _build(preset: str, text: str) -> list[str]:
    at = _app(preset, "pages/build.py")
    at.text_input(key=f"build_l2_{at.session_state['build_gen']}").set_value(text).run()
    at.button(key="build_apply").click().run()
    return _lambda_errors(at)


def _data(text: str) -> list[str]:
    at = _app("article", "pages/data.py")
    at.file_uploader(key="data_upload").set_value(("blobs.csv", BLOBS, "text/csv")).run()
    at.text_input(key="data_l2").set_value(text).run()
    at.button(key="data_use").click().run()
    return _lambda_errors(at)


@pytest.mark.parametrize("text", ["-1", "abc", "1e309", "1e999", "nan"])
def test_a_bad_lambda_gets_the_same_sentence_on_every_way_in(text, capsys, tmp_path):
    said = {}
    for arithmetic, preset in PRESETS.items():
        said[f"cli {arithmetic}"] = _cli(capsys, "train", "--preset", preset, "--l2", text)
        doc = {**spec_to_dict(load_preset(preset)), "penalty": {"l2": text}}  # the λ as text in the file
        path = tmp_path / f"{arithmetic}.json"
        path.write_text(json.dumps(doc))
        line = _cli(capsys, "trace", "--model", str(path))
        assert line.startswith(f"{path}: "), line
        said[f"model file {arithmetic}"] = line[len(f"{path}: "):]
    for arithmetic, preset in PRESETS.items():
        [said[f"build {arithmetic}"]] = _build(preset, text)
        [said[f"train {arithmetic}"]] = _train(preset, text)
    [said["data float"]] = _data(text)  # the Data page's models are float
    first = said["cli float"]
    assert first.startswith("the L2 penalty λ₂") and f"'{text}'" in first  # the text quoted, as typed
    assert {way: sentence for way, sentence in said.items() if sentence != first} == {}, first


def test_a_json_number_in_a_model_file_is_echoed_bare_in_every_reason(capsys, tmp_path):
    # the other half of the rule (engine/numbers.py: shown_number): a JSON number is shown as written,
    # unquoted, whichever reason refuses it (1e999's exponent was quoted, 1e400's overflow not)
    for literal, sentence in (("-1", "the L2 penalty λ₂ must be 0 or more, got -1"),
                              ("1e999", "the L2 penalty λ₂: 1e999 has an exponent past 400"),
                              ("1e400", "the L2 penalty λ₂: 1e400 is too large for float arithmetic "
                                        "(past about 1.8e308)")):
        for preset in PRESETS.values():
            text = json.dumps(spec_to_dict(load_preset(preset)))[:-1] + f', "penalty": {{"l2": {literal}}}}}'
            path = tmp_path / "m.json"
            path.write_text(text)
            assert _cli(capsys, "trace", "--model", str(path)) == f"{path}: {sentence}"


def test_the_lambda_kept_as_text_is_compared_by_value_for_unapplied_edits():
    # penalty_entry keeps the typed text (for the message); Build's "unapplied edits" compares the λ
    from engine.penalty import Penalty
    from ui.draft import build_spec, draft_from_spec, same_model
    base = draft_from_spec(load_preset("xor"))
    penalised = {**base, "l2": "0.01"}
    assert same_model({**base, "l2": "0.010"}, penalised) and same_model({**base, "l2": " 1e-2 "}, penalised)
    assert not same_model({**base, "l2": "0.02"}, penalised) and same_model({**base, "l2": "0.0"}, base)
    assert build_spec(penalised)[0].model.penalty == Penalty(0.01, 0)  # the text is the number it reads
