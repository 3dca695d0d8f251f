"""The engine side of Explore's float-vs-exact view: the words (engine/float_words.py)
and the painted picture (engine/render/diff_view.py), on the article (the float trap:
its digits depend on the BLAS kernel, so only sign and size are asserted), on models
built to round in a known place, and on random exact-able models against float_diff."""
import json
import math
from fractions import Fraction
import xml.etree.ElementTree as ET

import pytest

from engine.float_diff import float_diff, read_errors
from engine.float_reach import causes, inputs
from engine.float_names import exact_in_float
from engine.float_words import causes_in_words, story
from engine.numbers import NotExactError, format_number
from engine.presets import load_preset
from engine.render import path_view
from engine.render.diff_view import COLORS, SCALE, diff_svg, legend, severity
from engine.spec import dump_spec, load_spec
from float_trap import float_trap_after
from random_models import model_doc

SVG = "{http://www.w3.org/2000/svg}"


def diff_of(spec, sample=1):
    return float_diff(spec.model, *spec.data.sample(sample, "exact"))


def groups(svg: str) -> dict[str, ET.Element]:
    return {g.get("id"): g for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("id")}


def spec_of(layers, x, y, loss="half_squared_error"):
    return load_spec(json.dumps({"format": "backprop-explorer/1", "name": "t", "arithmetic": "exact",
                                 "layers": layers, "loss": loss, "data": {"x": x, "y": y}}))


def test_the_articles_story_o2_from_w_x_the_gate_closes_the_flow_stops():
    spec = load_preset("article")
    found = diff_of(spec, 3)
    told = story(found, spec.data.feature_names)
    assert (told.first, told.cause, told.gates) == ("o2", 2, (3,))  # the engine's key, for the pictures
    first, why, gate, hidden, stop = told.sentences
    assert first.startswith("The first difference is o² = w·X, the output of L² (linear 3→1): o² is ")
    assert float_trap_after("o² is ", first) and first.endswith("where the exact value is 0.")
    assert "53 significant bits" in why and "cancel exactly in rationals" in why
    assert "W2[1,1] = 1/200 becomes 0.005" in why  # the article's weights are no floats
    assert gate.startswith("Then the ReLU gate of L³ closes: its input is ")
    assert float_trap_after("its input is ", gate) and gate.endswith("∂L³/∂X³ is 0 instead of 1.")
    assert hidden == "Forward, the gate hides it: o³ and the loss are the same in both."
    assert stop == "δ³ = 0 in float instead of -1, and the learning flow stops: δ², δw2 and δ¹ are 0 too."


def test_the_words_name_a_weight_as_the_paths_panel_and_a_layer_as_the_graph():
    """W^2's first component is the paths panel's W2[1,1] (path_view.component, counted
    from 1; the engine's index is (0, 0)); o² and L² are the neuron view's own title."""
    spec = load_preset("article")
    found = diff_of(spec, 3)
    told = story(found, spec.data.feature_names)
    assert f"(for one, {path_view.component('W2', (0, 0))} = 1/200 becomes 0.005)" in told.sentences[1]
    g = groups(diff_svg(found, "float", view="neuron", feature_names=tuple(spec.data.feature_names)))
    # each column's title: "o² = L²(o¹)", the output and the layer as the graph writes them
    titles = {c: next(g[f"cluster_X{c}"].iter(f"{SVG}text")).text.split(" = ") for c in (3, 4)}
    (o2, l2), (o3, l3) = [(o, f[:f.index("(")]) for o, f in titles.values()]
    assert (o2, l2, o3, l3) == ("o²", "L²", "o³", "L³")
    assert told.sentences[0].startswith(f"The first difference is {o2} = w·X, the output of {l2} ")
    assert f": {o2} is " in told.sentences[0] and f"gate of {l3} closes" in told.sentences[2]
    assert f"hides it: {o3} and the loss" in told.sentences[3]


def test_a_unit_is_named_as_the_neuron_view_labels_it():
    """o² has two units here and the second rounds (2⁵³ + 1): the words say o²₂, the
    label of that neuron in the neuron view, not o2[1]."""
    spec = spec_of([{"type": "input", "size": 2},
                    {"type": "linear", "size": 2, "bias": False, "weights": [["1", "0"], ["1", "1"]]}],
                   [[str(2 ** 53), "1"]], [["0", "0"]])
    found = diff_of(spec)
    told = story(found)
    g = groups(diff_svg(found, "float", view="neuron"))
    label = next(t.text for t in g["X3_2"].iter(f"{SVG}text"))
    assert label == "o²₂" and [k for k, el in g.items() if el.get("data-diff") == "first"] == ["X3_2"]
    assert f"{label} is {format_number(2.0 ** 53)} in float where the exact value is {2 ** 53 + 1}" in told.sentences[0]
    assert "o2[1]" not in told.text and "o²₁" not in told.text


def test_an_input_float_cannot_hold_is_named_by_its_feature_as_the_graph_labels_it():
    spec = load_spec(json.dumps({
        "format": "backprop-explorer/1", "name": "t", "arithmetic": "exact",
        "layers": [{"type": "input", "size": 2}, {"type": "linear", "size": 1, "weights": [["1", "1"]]}],
        "loss": "half_squared_error",
        "data": {"x": [["1", "1/3"]], "y": [["0"]], "feature_names": ["height", "weight"]}}))
    found = diff_of(spec)
    g = groups(diff_svg(found, "float", view="neuron", feature_names=spec.data.feature_names))
    label = next(t.text for t in g["X1_2"].iter(f"{SVG}text"))
    assert label == "weight"
    assert f"(for one, {label} = 1/3 becomes 0.333333)" in story(found, spec.data.feature_names).text
    assert "(for one, x₂ = 1/3 becomes 0.333333)" in story(found).text  # no names: as the view, x₂


def test_the_articles_picture_marks_o2_first_and_colours_by_relative_error():
    found = diff_of(load_preset("article"), 3)
    o2 = next(n for n in found.nodes if n.name == "o2")
    assert severity(o2) == len(SCALE)  # exact 0, float not: relative error infinite
    for arithmetic in ("exact", "float"):
        g = groups(diff_svg(found, arithmetic))
        assert g["X3"].get("data-diff") == "first" and "diff-first" in g["X3"].get("class")
        assert g["X3"].get("data-rel-error") == "inf"
        assert g["L2"].get("data-role") == "cause" and g["L3"].get("data-role") == "gate"
        assert g["X4"].get("data-diff") == "same" and g["Loss"].get("data-diff") == "same"
        assert g["W2"].get("data-diff") == "differs" and g["W2"].get("data-rel-error") == "1"
        path = g["X3"].find(f".//{SVG}path")
        assert path.get("stroke") == COLORS["light"][-1]  # the scale's strongest colour
        bold = [t for t in g["X3"].iter(f"{SVG}text") if t.get("data-first")]
        assert len(bold) == 1 and bold[0].text.startswith("o2 = ") and bold[0].get("font-weight") == "bold"
        neutral = [t.get("fill") for t in g["X4"].iter(f"{SVG}text")]
        assert neutral == ["#1f2328", "#1f2328"]  # equal values: the theme's text colour
    assert [c for c, _ in legend("dark")][1:] == list(COLORS["dark"]) and len(legend()) == len(SCALE) + 1


def test_the_data_float_cannot_hold_is_named_as_the_cause():
    spec = spec_of([{"type": "input", "size": 1}, {"type": "linear", "size": 1, "weights": [["1"]]}],
                   [["1/3"]], [["0"]])
    found = diff_of(spec)
    told = story(found)
    assert told.first == "o1" and told.cause == 1 and not told.gates  # L1 (input) holds x as float does
    assert "Float cannot hold every number it reads (for one, x = 1/3 becomes 0.333333)" in told.text
    assert {n.name: n.differs for n in read_errors(found)} == {"x": True, "W2": False}


def test_an_operation_on_exact_floats_that_rounds_is_its_own_cause():
    """2⁵³ + 1 has no float: every number read is exact, the sum rounds."""
    spec = spec_of([{"type": "input", "size": 2}, {"type": "linear", "size": 1, "weights": [["1", "1"]]}],
                   [[str(2 ** 53), "1"]], [["0"]])
    told = story(diff_of(spec))
    assert told.first == "o2" and told.sentences[0].startswith("The first difference is o² = w·X")
    rounded = format_number(2.0 ** 53)  # 2⁵³ + 1 rounds to even: 2⁵³, on every machine
    assert f"o² is {rounded} in float where the exact value is {2 ** 53 + 1} (relative error 1.11e-16)." \
        in told.sentences[0]
    assert "Every number it reads is exactly a float, so the rounding is the operation's own" in told.text
    assert all(exact_in_float(v) for v in (2 ** 53, 1)) and not exact_in_float(2 ** 53 + 1)


def test_a_model_with_no_exact_arithmetic_is_refused_with_notexacterror():
    with pytest.raises(NotExactError, match=r"exact arithmetic is impossible for this model: layer 3 \(tanh\)"):
        diff_of(load_preset("xor"))


def test_random_models_the_picture_marks_what_float_diff_finds():
    """On every random exact-able model, in both arithmetics: the first node marked is
    float_diff's first, every element whose values all agree is neutral, and the words
    say so when nothing differs. Both cases occur among the seeds."""
    kinds = set()
    for seed in range(12):
        spec = load_spec(json.dumps(model_doc(seed, "exact")))
        found = diff_of(spec, 2)
        told = story(found)
        values = {n.name: n for n in (*read_errors(found), *found.nodes)}
        assert told.first == (found.first.name if found.first else None)
        kinds.add(told.first is None)
        if told.first is None:
            assert told.sentences[0].startswith("Float gives the exact value at every node")
        for arithmetic in ("exact", "float"):
            g = groups(diff_svg(found, arithmetic))
            for edge in found.exact_graph.edges:
                carried = [values[v] for v in (edge.forward, edge.backward) if v in values]
                mark = g[edge.id].get("data-diff")
                if found.first is not None and found.first.name in (edge.forward, edge.backward):
                    assert mark == "first"
                elif any(n.differs for n in carried):
                    assert mark in ("differs", "read")
                else:
                    assert mark == "same"
                rel = float(g[edge.id].get("data-rel-error"))
                assert (rel == 0) == (mark == "same") and not math.isnan(rel)
            assert sum(el.get("data-diff") == "first" for el in g.values()) == (told.first is not None)
    assert kinds == {True, False}, "the seeds no longer cover both a model float gets right and one it does not"


def test_the_neuron_view_marks_the_neuron_of_o2_and_the_columns_of_l2_and_l3():
    spec = load_preset("article")
    found = diff_of(spec, 3)
    g = groups(diff_svg(found, "float", view="neuron", feature_names=tuple(spec.data.feature_names)))
    assert [k for k, el in g.items() if el.get("data-diff") == "first"] == ["X3_1"]  # o2's one neuron
    bold = [t.text for t in g["X3_1"].iter(f"{SVG}text") if t.get("data-first")]
    assert len(bold) == 1 and float_trap_after("o = ", bold[0])
    assert g["cluster_X3"].get("data-role") == "cause" and g["cluster_X4"].get("data-role") == "gate"
    assert g["X4_1"].get("data-diff") == "same" and g["X2_2"].get("data-diff") == "differs"  # δ2 lost


@pytest.mark.parametrize("seed", range(8))
def test_random_models_the_neuron_view_marks_the_first_differing_component(seed):
    """Found independently: the first o or δ (in evaluation order) with a component whose
    float is not its exact value; o^k sits in column k+1, δ^k in column k."""
    spec = load_spec(json.dumps(model_doc(seed, "exact")))
    found = diff_of(spec, 2)
    expected = None
    for n in found.nodes:
        if n.phase in ("forward", "backward"):
            i = next((i for i, (e, f) in enumerate(zip(n.exact, n.float)) if Fraction(float(f)) != e), None)
            if i is not None:
                c = int(n.name[1:]) + (1 if n.name[0] == "o" else 0)
                expected = f"X{c}_{i + 1}"
                break
    g = groups(diff_svg(found, "exact", view="neuron"))
    firsts = [k for k, el in g.items() if el.get("data-diff") == "first"]
    assert firsts == ([expected] if expected else [])


def penalised(l2="1/1000"):
    doc = json.loads(dump_spec(load_preset("article")))
    doc["penalty"] = {"l2": l2}
    return load_spec(json.dumps(doc))


def test_with_a_penalty_p_differs_from_the_rounded_weights_not_from_o2():
    """Sample 3: o² is the first difference and reaches δ³ … δ¹ through the closed gate;
    P differs because float holds W2 (1/200) and λ₂ (1/1000) rounded, and reaches the
    loss; δw2 is reached by o² and its penalty's term rounds on its own too."""
    spec = penalised()
    found = diff_of(spec, 3)
    reach = causes(found)
    assert (reach["P"].origins, reach["P"].via, reach["P"].rounded) == (("P",), (), ("W2", "λ₂"))
    assert reach["loss"].origins == ("P",) and reach["loss"].via == ("P",)  # o³ is the same: the gate
    assert [reach[n].origins for n in ("δ3", "δ2", "δ1")] == [("o2",)] * 3
    assert reach["δw2"].origins == ("o2",) and reach["δw2"].own
    told = story(found, spec.data.feature_names).text
    assert told.startswith("The first difference is o² = w·X") and "reaches P" not in told
    assert "P differs too, but not because of o²: it reads numbers float cannot hold (for one, W2[1,1] = " \
           "1/200 becomes 0.005); its difference reaches the loss." in told
    assert "the learning flow stops: δ² and δ¹ are 0 too, and δw2 keeps only the penalty's term." in told
    assert "δw2 differs on its own account too: float computes its penalty's term from numbers it cannot hold" \
        in told
    words = causes_in_words(found)
    assert (words["P"], words["loss"], words["δ3"]) == ("its own: reads rounded numbers", "from P", "from o²")


def test_with_a_penalty_on_a_sample_float_gets_right_p_is_the_first_difference():
    """Sample 2 has no float trap: P, computed from the rounded weights, is the first
    difference; it reaches the loss, and δw2 differs because its penalty's term reads the
    same rounded numbers, not because of P (δw2 does not read P)."""
    found = diff_of(penalised(), 2)
    reach = causes(found)
    assert found.first.name == "P" and set(reach) == {"P", "loss", "δw2"}
    assert reach["δw2"].origin and reach["δw2"].rounded == ("W2", "λ₂")
    first, why, reached, other = story(found).sentences
    assert first.startswith("The first difference is P = λ₂·½Σw², the penalty on the weights: P is ")
    assert " in float where the exact value is 3377/269120000000 (relative error " in first
    assert 0 < float(first.split("(relative error ")[1].rstrip(").")) < 1e-15  # rounding size, not pinned
    assert "(for one, W2[1,1] = 1/200 becomes 0.005)" in why and "rounds every square, product and sum" in why
    assert reached == "The difference reaches the loss."
    assert other == ("δw2 differs too, but not because of P: its penalty's term is computed from numbers "
                     "float cannot hold (for one, W2[1,1] = 1/200 becomes 0.005).")
    assert causes_in_words(found)["δw2"] == "its own: its penalty's term reads rounded numbers"


@pytest.mark.parametrize("seed", range(8))
def test_random_penalised_models_every_difference_has_a_consistent_cause(seed):
    """Found from the values alone: an origin is a differing value none of whose computed
    inputs differ; every other differing value reads one that differs, and its origins
    are theirs. Every differing value has a cause, and no equal one has."""
    doc = model_doc(seed, "exact")
    doc["penalty"] = {"l2": "1/1000"}
    found = diff_of(load_spec(json.dumps(doc)), 2)
    differs = {n.name: n.differs for n in found.nodes}
    reach = causes(found)
    assert set(reach) == {n for n, d in differs.items() if d}
    for name, c in reach.items():
        computed, _ = inputs(found.exact_graph, name)
        assert c.via == tuple(v for v in computed if differs.get(v))
        if c.origin:
            assert c.origins == (name,)
        else:
            assert set(c.origins) == {o for v in c.via for o in reach[v].origins}
    if found.first is not None:
        assert reach[found.first.name].origin
