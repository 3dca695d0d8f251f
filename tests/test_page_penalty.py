"""The λ fields of the L2/L1 penalty: on Train (the run minimises loss + P, and Explore
replays its steps with the Penalty node) and on Build (the model's own penalty, kept by
Apply, refused with a message where it is)."""
import html
import json
from fractions import Fraction as F

from streamlit.testing.v1 import AppTest

from engine.penalty import Penalty
from engine.presets import load_preset
from ui.state import TRAINING


def page(name: str, preset: str | None = None) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=120)
    if preset:
        at.session_state["workspace"] = load_preset(preset)
    at.run()
    at.switch_page(f"pages/{name}.py").run()
    assert not at.exception
    return at


def click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    at.run()
    assert not at.exception
    return at


def test_train_with_an_l2_penalty_trains_the_objective_and_explore_shows_the_penalty():
    at = page("train", "xor")
    assert at.text_input(key="train_l2").value == "0" and at.text_input(key="train_l1").value == "0"
    at.text_input(key="train_l2").set_value("0.01")
    at.text_input(key="train_l1").set_value("1/1000")
    at.number_input(key="train_epochs").set_value(5)
    at.run()
    assert any("mean loss + P" in c.value for c in at.caption)
    click(at, "Train")
    run = at.session_state[TRAINING]
    assert run["result"].model.penalty == Penalty(0.01, 0.001)
    assert "λ₂ = 0.01" in run["label"]
    click(at, "Open in Explore")
    graph = at.session_state["explore_graph"]["graph"]
    assert [n.id for n in graph.nodes if n.kind == "penalty"] == ["Penalty"] and graph.penalty > 0


def test_a_bad_lambda_on_train_is_one_message_and_train_is_disabled():
    at = page("train", "xor")
    at.text_input(key="train_l1").set_value("-2").run()
    assert not at.exception
    assert any("the L1 penalty λ₁ must be 0 or more" in e.value for e in at.error)
    assert next(b for b in at.button if b.label == "Train").disabled


def test_build_sets_the_models_penalty_and_apply_keeps_it():
    at = page("build")  # the article, exact
    gen = at.session_state["build_gen"]
    at.text_input(key=f"build_l2_{gen}").set_value("1/100").run()
    assert not at.exception
    at.button(key="build_apply").click().run()
    assert not at.exception and not at.error
    assert at.session_state["workspace"].model.penalty == Penalty(F(1, 100), F(0))
    assert any("penalty λ₂ = 1/100" in c.value for c in at.code)
    gen = at.session_state["build_gen"]
    at.text_input(key=f"build_l1_{gen}").set_value("abc").run()
    at.button(key="build_apply").click().run()
    assert not at.exception
    assert any("the L1 penalty λ₁: 'abc' is not a number" in e.value for e in at.error)
    assert at.session_state["workspace"].model.penalty == Penalty(F(1, 100), F(0))  # the last valid model stays


def test_explore_draws_the_penalty_node_of_a_penalised_workspace():
    from dataclasses import replace
    at = AppTest.from_file("../app.py", default_timeout=120)
    spec = load_preset("xor")
    at.session_state["workspace"] = replace(spec, model=replace(spec.model, penalty=Penalty(0.01, 0.0)))
    at.run()
    at.switch_page("pages/explore.py").run()
    assert not at.exception and not at.error
    last = json.loads(at.get("bidi_component")[0].proto.json)["frames"][-1]  # the player's, all computed
    assert "Penalty" in last and "λ₂ = 0.01" in html.unescape(last)


def test_train_shows_the_penalty_set_on_build_even_after_a_first_visit():
    at = page("train", "xor")
    assert at.text_input(key="train_l2").value == "0"
    at.switch_page("pages/build.py").run()
    gen = at.session_state["build_gen"]
    at.text_input(key=f"build_l2_{gen}").set_value("0.05").run()
    at.button(key="build_apply").click().run()
    assert not at.exception and at.session_state["workspace"].model.penalty == Penalty(0.05, 0.0)
    at.switch_page("pages/train.py").run()
    assert not at.exception
    assert at.text_input(key="train_l2").value == "0.05"  # not the 0 of the first visit


CSV = b"x1,x2,label\n" + b"".join(f"{i % 5},{i % 3},{i % 2}\n".encode() for i in range(20))


def lambda_errors(where: str, text: str) -> list[str]:
    """The errors of λ₂ typed as ``text`` on Train, Build (Apply) or Data (Use this data)."""
    if where == "train":
        at = page("train", "xor")
        at.text_input(key="train_l2").set_value(text).run()
    elif where == "build":
        at = page("build", "xor")
        at.text_input(key=f"build_l2_{at.session_state['build_gen']}").set_value(text).run()
        at.button(key="build_apply").click().run()
    else:
        at = page("data")
        at.file_uploader(key="data_upload").set_value(("points.csv", CSV, "text/csv")).run()
        at.text_input(key="data_l2").set_value(text).run()
        at.button(key="data_use").click().run()
    assert not at.exception
    return [e.value for e in at.error if not e.value.startswith("Not applied")]  # Build's flash says why below


def test_a_bad_lambda_reads_the_same_on_train_build_and_data():
    # one wording, the human one (engine/penalty.py: NAMES), not the file's "penalty.l2: …"
    for text, said in [("-1", "the L2 penalty λ₂ must be 0 or more, got '-1'"),  # quoted as typed, as the CLI
                       ("abc", "the L2 penalty λ₂: 'abc' is not a number (use 0.001, 1e-3 or 1/1000)")]:
        assert [lambda_errors(where, text) for where in ("train", "build", "data")] == [[said]] * 3


def test_the_lambdas_hints_suggest_only_what_a_lambda_accepts():
    import re
    from ui.penalty_fields import HELP
    at = page("train", "xor")
    hints = [lambda_errors("train", "abc")[0], *HELP.values(),
             at.text_input(key="train_l2").help, at.text_input(key="train_l1").help]
    examples = {n for hint in hints for n in re.findall(r"(?<![\w·])-?[0-9](?:[0-9./e-]*[0-9])?", hint)}
    assert examples >= {"0", "0.001", "1e-3", "1/1000"} and not any(n.startswith("-") for n in examples)
    for n in sorted(examples):  # each one typed where the hint is: taken, no error
        assert lambda_errors("train", n) == [] and lambda_errors("data", n) == [], n
