"""The chain-rule panel's text: the article's formulas with this sample's numbers."""
from engine import record
from engine.explain import explain, step_texts
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


def test_the_panel_explains_only_what_the_flow_has_reached():
    """Step 7 of the article is δ2 through L2: δw2 is step 8's, not shown before."""
    g = article_graph()
    step7, step8 = explain(g, 7), explain(g, 8)
    assert "δ2 through L2" in step7.title
    for text in (step7.title, step7.general, step7.substituted, step7.impacts):
        assert "delta w" not in text and "δw" not in text
    assert step7.general == r"\boxed{\delta^{2} = \delta^{3} \cdot W^{2}}"
    assert "δw2" in step8.title and step8.general == r"\boxed{\delta w^{2} = \delta^{3} \otimes o^{1}}"
    assert step8.substituted == r"\delta w^{2} = (-1) \otimes (0, 2000, 3000) = (0, -2000, -3000)"


def test_a_bias_gradient_is_its_own_step():
    from engine.spec import load_spec
    doc = ('{"format": "backprop-explorer/1", "layers": [{"type": "input", "size": 2}, {"type": "linear", "size": 1, "bias": [1],'
           ' "weights": [[1, 2]]}], "loss": "half_squared_error", "arithmetic": "exact", "data": {"x": [[1, 3]], "y": [[0]]}}')
    spec = load_spec(doc)
    g = record(spec.model, *spec.data.batch("exact"))
    names = [e.name for e in g.timeline]
    db = explain(g, names.index("δb2") + 1)
    assert db.general == r"\boxed{\delta b^{2} = \delta^{3}}" and db.substituted == r"\delta b^{2} = 8"


def test_step_texts_holds_every_steps_explanation_for_the_player():
    from engine.explain import step_texts
    g = article_graph()
    texts = step_texts(g)
    assert len(texts) == len(g.timeline) + 1
    for step, shown in enumerate(texts):
        ex = explain(g, step)
        assert (shown["title"], shown["general"], shown["impacts"]) == (ex.title, ex.general, ex.impacts)
        assert r", \quad ".join(shown["lines"]) == ex.substituted
    p = load_preset("article", "exact")
    batch = step_texts(record(p.model, *p.data.batch("exact")))
    assert all(any("1/3" in n for n in t["notes"]) for t in batch)  # the mean's factor, in words


def test_a_bias_gradient_step_is_titled_as_the_bias():
    p = load_preset("xor")
    g = record(p.model, *p.data.sample(2, "float"))
    titles = {e.name: explain(g, e.step).title for e in g.timeline}
    assert titles["δb4"].endswith("δb4, the gradient of L4's bias (linear)")
    assert titles["δw4"].endswith("δw4, the gradient of L4's weights (linear)")


def test_a_sigmoid_before_binary_cross_entropy_is_explained_as_o_minus_y():
    # the passes take δ at the sigmoid as (o − y)/(m·n); the panel must show that product,
    # not δ ⊙ o(1 − o), whose printed factors would not give the printed value when saturated
    p = load_preset("xor")
    g = record(p.model, *p.data.batch("float"))
    step = next(e.step for e in g.timeline if e.name == f"δ{g.model.K}")
    ex = explain(g, step, sample=0)
    assert r"(o^{5} - y^{truth}) \cdot \frac{1}{4}" in ex.general
    o, y = g.o(g.model.K)[0][0], g.y[0][0]
    assert abs(g.delta(g.model.K)[0][0] - (o - y) / 4) < 1e-15
    assert "BCEWithLogitsLoss" in " ".join(step_texts(g)[step]["notes"])
    # float: what the fused o − y buys is accuracy where σ saturates, not "exact" arithmetic
    assert "exact" not in " ".join(step_texts(g)[step]["notes"])
    assert "no division by the sigmoid's slope o(1 − o)" in " ".join(step_texts(g)[step]["notes"])
