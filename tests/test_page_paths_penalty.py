"""Explore's "Sum over paths" panel with an L2/L1 penalty: the paths add up to δw's data
term, and the panel adds the penalty's term λ₂·w + λ₁·sign(w) in words, so the total it
checks is the δw descent uses, the one the Component selector shows (the reviewer saw
the selector say -0.3512 while the sum said "✓ equal to … δw2[2,2] = -0.241249").
A bias is not penalised, one row of a batch has no penalty share: those lines are as
without a penalty."""
from dataclasses import replace
from fractions import Fraction as F

import pytest

from engine.numbers import format_number
from engine.paths import weight_paths
from engine.penalty import penalty_of
from engine.presets import load_preset
from engine.record import record
from test_page_paths import paths_table, run_app, sum_line, unescaped


def penalised(preset: str, l2, l1):
    spec = load_preset(preset)
    return replace(spec, model=replace(spec.model, penalty=penalty_of(l2, l1, spec.model.arithmetic)))


def shown(at, weight: str, index):
    """(the app's graph of the chosen sample, the selector's label of ``index``)."""
    at.selectbox(key="paths_weight").set_value(weight).run()
    at.selectbox(key="paths_component").set_value(index).run()
    assert not at.exception and not at.error
    spec = at.session_state["workspace"]
    sample = at.selectbox(key="sample").value
    graph = record(spec.model, *spec.data.sample(sample, spec.model.arithmetic))
    box = at.selectbox(key="paths_component")
    return graph, box.format_func(box.value)


def test_xor_with_a_penalty_adds_its_term_and_checks_the_total_the_selector_shows():
    at = run_app(penalised("xor", "0.1", "0.01"))
    for index in ((1, 1), (0, 0)):  # the reviewer's W2[2,2], and W2[1,1]: data term 0, δ ≠ 0
        graph, label = shown(at, "W2", index)
        found = weight_paths(graph, "W2", index)
        descended = graph.weight_grads["W2"][index]  # what descent steps along
        assert found.penalised_total == pytest.approx(descended, rel=1e-12)
        assert label.endswith(f"δw = {format_number(descended, 4)}")  # the selector's δw: the total
        line = unescaped(sum_line(at))
        assert f"= **{format_number(found.total)}** (the data's term of δw2[{index[0] + 1},{index[1] + 1}])" in line
        term = graph.penalty_grads["W2"][index]
        assert f"+ the penalty's term λ₂·w + λ₁·sign(w) = **{format_number(term)}** (λ₂ = 0.1, λ₁ = 0.01)" in line
        assert f"= **{format_number(found.penalised_total)}**" in line
        assert f"the backward pass's δw2[{index[0] + 1},{index[1] + 1}] = {format_number(descended)}" in line
        assert "✓" in line or "≈" in line  # float adds in its own order; exact equality is the article's
        assert format_number(found.penalised_total) != format_number(found.total)  # the term is not lost
    # a bias is not penalised: its line is the plain sum, its selector the data term
    graph, label = shown(at, "b2", (0,))
    assert "penalty" not in sum_line(at) and sum_line(at).startswith("**Sum of the products:** δb2[1] = ")
    assert label.endswith(f"δb = {format_number(graph.weight_grads['b2'][0], 4)}")
    assert paths_table(at)["factors"][0].startswith("∂o²₁/∂b2[1] = 1 · ")  # not "1 = 1 · …"


def test_the_article_with_a_penalty_is_exact_data_term_plus_penalty_term_equals_dw():
    at = run_app(penalised("article", "1/10", "1/100"))
    graph, label = shown(at, "W2", (0, 2))
    descended = graph.weight_grads["W2"][0, 2]
    assert descended == F(-173999419, 58000)  # the reviewer's selector value
    assert label == "W2[1,3] (o¹₃ → o²₁) = 1/5800, δw = -173999419/58000"
    line = unescaped(sum_line(at))
    assert line == ("**Sum of the products:** (-3000) = **-3000** (the data's term of δw2[1,3]);  \n"
                    "+ the penalty's term λ₂·w + λ₁·sign(w) = **581/58000** (λ₂ = 1/10, λ₁ = 1/100);  \n"
                    "= **-173999419/58000**  ✓ equal to the backward pass's δw2[1,3] = -173999419/58000, exactly")
    # as Markdown, a line opening with "+ " is a bullet and the addition is lost: escaped
    assert "  \n\\+ the penalty's term" in sum_line(at) and "\n+ " not in sum_line(at)
    found = weight_paths(graph, "W2", (0, 2))
    assert found.total + graph.penalty_grads["W2"][0, 2] == descended  # exact: the very value descended


def test_without_a_penalty_the_line_is_unchanged():
    at = run_app()
    assert sum_line(at) == ("**Sum of the products:** δw2[1,3] = (-3000) = **-3000**  "
                            "✓ equal to the backward pass's δw2[1,3] = -3000, exactly")


def test_one_row_of_a_penalised_batch_is_its_share_without_the_penalty():
    at = run_app(penalised("xor", "0.1", "0.01"))
    at.selectbox(key="sample").set_value(0).run()  # the whole batch
    at.selectbox(key="paths_weight").set_value("W2").run()
    assert not at.exception
    line = sum_line(at)
    assert "this row's share of δw2[" in line and "penalty" not in line and "backward pass's" not in line
    assert any("plus the penalty's term for a weight matrix" in c.value for c in at.caption)


def test_the_line_names_only_the_penalty_that_is_on():
    at = run_app(penalised("article", "1/10", "0"))
    line = unescaped(sum_line(at))
    assert "+ the penalty's term λ₂·w = **1/58000** (λ₂ = 1/10, λ₁ = 0);" in line
    assert line.endswith("= **-173999999/58000**  ✓ equal to the backward pass's δw2[1,3] = -173999999/58000, exactly")
