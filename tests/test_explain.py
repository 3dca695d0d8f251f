"""The chain-rule panel's text: the article's formulas with this sample's numbers."""
from engine import record
from engine.explain import explain
from engine.presets import load_preset

from float_trap import float_trap_after


def article_graph(arithmetic="exact"):
    p = load_preset("article", arithmetic)
    return record(p.model, *p.data.sample(3, arithmetic))


def test_every_step_of_the_article_is_explained_in_its_notation():
    g = article_graph()
    titles = [explain(g, s).title for s in range(len(g.timeline) + 1)]
    assert titles[0].startswith("Step 0 of 9")
    assert "δ3 through L3" in titles[6] and "δw2" in titles[8]
    relu = explain(g, 6)
    assert relu.general == r"\boxed{\delta^{3} = \delta^{4} \odot \mathbb{1}[o^{2} \geq 0]}"
    assert relu.substituted == r"\delta^{3} = (-1) \cdot \mathbb{1}[0 \geq 0] = -1"


def test_float_trap_is_visible_in_the_formula():
    relu = explain(article_graph("float"), 6)
    # the closed gate in o2's own digits (BLAS-dependent: -1.11e-16 or -7.42e-17)
    assert float_trap_after(r"\mathbb{1}[", relu.substituted)
    assert relu.substituted.endswith(r"\geq 0] = 0")


def test_identity_layer_shows_the_articles_sum_of_impacts():
    impacts = explain(article_graph(), 9).impacts
    assert r"(-\frac{1}{200}) \cdot 1 + \frac{3}{11600} \cdot 0 + (-\frac{1}{5800}) \cdot 0 = -\frac{1}{200}" in impacts


def test_linear_fan_out_sum_equals_the_recorded_delta():
    p = load_preset("xor")
    g = record(p.model, *p.data.sample(2, "float"))
    k = 2  # the Linear layer 2 → 4: each input impacts 4 outputs
    step = next(e.step for e in g.timeline if e.name == f"δ{k}")
    impacts = explain(g, step).impacts
    d_out, w = g.delta(k + 1)[0], g.model.layer(k).params["W"]
    assert abs(sum(d_out[j] * w[j, 0] for j in range(4)) - g.delta(k)[0][0]) < 1e-12
    assert impacts.count(r"\cdot") == 4 and impacts.startswith(r"\delta^{2}_{1}")


def test_elementwise_layers_have_no_fan_out():
    p = load_preset("xor")
    g = record(p.model, *p.data.sample(2, "float"))
    tanh_step = next(e.step for e in g.timeline if e.name == "δ3")
    assert explain(g, tanh_step).impacts == ""
