"""Griewank's evaluation trace (engine/evaluation_trace.py): one row per step, in the
order the recording computes them, v₋₂ … v₆ then the adjoints in reverse, each step's
current row known in advance; the player gets it with the rest of the per-step data."""
import json

import pytest

from engine import latex, record
from engine.evaluation_trace import evaluation_trace
from engine.explain import step_texts
from engine.presets import load_preset
from engine.render import player_parts, style
from engine.render.export import html_file


def graph(name="article", sample=3, arithmetic="exact"):
    p = load_preset(name, arithmetic)
    return record(p.model, *(p.data.batch(arithmetic) if sample == "all" else p.data.sample(sample, arithmetic)))


def test_the_articles_trace_numbers_its_inputs_then_its_adjoints_in_reverse():
    trace = evaluation_trace(graph())
    v = [r["v"] for r in trace["rows"]]
    assert v == [r"v_{-2} \dots v_{0}", r"v_{1} \dots v_{3}", "v_{4}", "v_{5}", "v_{6}",  # x, o1, o2, o3, loss
                 r"\bar{v}_{5}", r"\bar{v}_{4}", r"\bar{v}_{1} \dots \bar{v}_{3}", r"\bar{W}^{2}",
                 r"\bar{v}_{-2} \dots \bar{v}_{0}"]  # δ4, δ3, δ2, δw2, δ1
    rows = {r["v"]: r for r in trace["rows"]}
    assert rows["v_{6}"]["value"] == r"\frac{1}{2}" and rows["v_{6}"]["phase"] == "loss"
    assert rows[r"\bar{v}_{1} \dots \bar{v}_{3}"]["value"] == r"(-\frac{1}{200}, \frac{3}{11600}, -\frac{1}{5800})"
    assert rows[r"\bar{W}^{2}"]["value"] == "(0, -2000, -3000)"
    assert rows["v_{5}"]["formula"] == r"o^{3} = \max(o^{2}, 0)"


def test_each_step_points_at_the_row_it_computes_with_the_chain_rules_formula():
    g = graph("xor", 2, "float")
    texts = step_texts(g)
    trace = evaluation_trace(g, 0, texts)
    assert len(trace["current"]) == len(g.timeline) + 1 == len(trace["rows"])
    for step, at in enumerate(trace["current"]):
        row = trace["rows"][at]
        if step:  # the same formula as the chain-rule panel, unboxed
            assert texts[step]["general"] == r"\boxed{" + row["formula"] + "}"
            assert row["phase"] == g.timeline[step - 1].phase
    assert trace == evaluation_trace(g)  # the explanations given or made here: the same


def test_a_batch_row_shows_that_samples_own_values():
    g = graph("xor", "all", "float")
    second = evaluation_trace(g, 1)
    alone = evaluation_trace(graph("xor", 2, "float"))
    # the forward values are the sample's own; its δ carry the batch's 1/n
    assert [r["value"] for r in second["rows"][:6]] == [r["value"] for r in alone["rows"][:6]]
    assert second["rows"][-1]["value"] != alone["rows"][-1]["value"]


def test_the_player_gets_the_trace_and_the_exported_page_carries_it():
    g = graph()
    data = player_parts.steps_data(g, style.theme("light"))
    assert data["trace"] == evaluation_trace(g)
    html = html_file(g).decode()
    steps = json.loads(html.split('<script type="application/json" id="steps">')[1].split("</script>")[0])
    assert steps["trace"]["rows"][4]["value"] == r"\frac{1}{2}" and steps["trace"]["current"][4] == 4


def test_explore_hands_the_trace_to_its_player():
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file("../app.py", default_timeout=120).run()
    assert not at.exception
    data = json.loads(at.get("bidi_component")[0].proto.json)
    assert data["trace"] == evaluation_trace(graph())  # the article's sample 3, as Explore opens


def test_a_penalised_model_numbers_its_penalty_before_the_loss():
    """P (engine/penalty.py) is an intermediate of the weights alone: the row of the
    penalty's step, numbered between o^K and the loss, holds its exact value."""
    from dataclasses import replace

    from engine.penalty import penalty_of
    p = load_preset("article", "exact")
    model = replace(p.model, penalty=penalty_of("1/10", "1/100", "exact"))
    g = record(model, *p.data.sample(3, "exact"))
    trace = evaluation_trace(g)
    assert len(trace["rows"]) == len(g.timeline) + 1
    phases = [r["phase"] for r in trace["rows"]]
    at = phases.index("penalty")
    assert phases[at + 1] == "loss"
    assert trace["rows"][at]["v"] == "v_{6}" and trace["rows"][at + 1]["v"] == "v_{7}"
    assert trace["rows"][at]["value"] == latex.number(g.penalty)


def _balanced(tex: str) -> bool:
    depth, prev = 0, ""
    for c in tex:
        if prev != "\\":
            depth += {"{": 1, "}": -1}.get(c, 0)
        if depth < 0:
            return False
        prev = c
    return depth == 0


@pytest.mark.parametrize("name, arithmetic, l2, l1", [("article", "exact", "1/10", "1/100"),
                                                      ("xor", "float", "0.1", "0.01")])
def test_a_penalised_models_rows_are_whole_formulas_without_boxes(name, arithmetic, l2, l1):
    """A penalised δw and the loss with P are two boxed formulas side by side; the table
    unboxes each (cutting the first and last characters left braces KaTeX refused)."""
    from dataclasses import replace

    from engine.penalty import penalty_of
    p = load_preset(name, arithmetic)
    g = record(replace(p.model, penalty=penalty_of(l2, l1, arithmetic)), *p.data.sample(2, arithmetic))
    rows = evaluation_trace(g)["rows"]
    for row in rows:
        assert "\\boxed" not in row["formula"] and _balanced(row["formula"]), row
    assert any("\\delta w^{2}_{\\text{data}}" in row["formula"] for row in rows)
