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
from engine.float_words import story
from engine.numbers import NotExactError, format_number
from engine.presets import load_preset
from engine.render import path_view
from engine.render.diff_view import COLORS, SCALE, diff_svg, legend, severity
from engine.spec import dump_spec, load_spec
from ui.float_view import causes_in_words  # the table's few words of each cause
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
    # o³ is the same (the gate): the loss is reached by P, and its sum ½(o³ − y)² + P rounds too
    assert reach["loss"].origins == ("P", "loss") and reach["loss"].via == ("P",) and reach["loss"].rounds
    assert [reach[n].origins for n in ("δ3", "δ2", "δ1")] == [("o2",)] * 3
    assert reach["δ2"].via == ("δ3",)  # δ² = δ³·W2 reads o², but no difference of o² gets through
    assert reach["δw2"].origins == ("o2", "δw2") and reach["δw2"].own and reach["δw2"].rounded == ("W2", "λ₂")
    told = story(found, spec.data.feature_names).text
    assert told.startswith("The first difference is o² = w·X") and "reaches P" not in told
    assert "P differs too, but not because of o²: it reads numbers float cannot hold (for one, W2[1,1] = " \
           "1/200 becomes 0.005); its difference reaches the loss." in told
    assert "the learning flow stops: δ² and δ¹ are 0 too, and δw2 keeps only the penalty's term." in told
    assert "δw2 differs on its own account too: float computes its penalty's term from numbers it cannot hold" \
        in told
    words = causes_in_words(found)
    assert (words["P"], words["loss"], words["δ3"]) == ("its own: reads rounded numbers",
                                                        "from P, and its own rounding", "from o²")
    assert "The loss differs on its own account too: float64 rounds the loss's products" in told


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
        computed, reads = inputs(found.exact_graph, name)
        assert set(c.via) <= {v for v in computed if differs.get(v)} and set(c.rounded) <= set(reads)
        assert c.own or c.via  # every difference has a cause
        if c.origin:
            assert c.origins == (name,)
        else:  # its own name among its origins when it also differs on its own account
            assert set(c.origins) == {o for v in c.via for o in reach[v].origins} | ({name} if c.own else set())
    if found.first is not None:
        assert reach[found.first.name].origin


def batch_diff(spec):
    return float_diff(spec.model, *spec.data.batch("exact"))


def test_on_the_whole_batch_a_difference_behind_a_closed_gate_reaches_nothing():
    """The batch's δ⁴ differs (its -1/3 is no float) on sample 3, but float closes that
    sample's ReLU gate (o² a tiny negative instead of 0): δ³ is 0 there whatever δ⁴ is.
    So δ⁴ is an origin that reaches nothing; δ³, δ², δw2 and δ¹ come from o² alone."""
    found = batch_diff(load_preset("article"))
    reach = causes(found)
    assert reach["δ4"].origin and reach["δ4"].rounds
    assert [reach[n].origins for n in ("δ3", "δ2", "δw2", "δ1")] == [("o2",)] * 4
    assert reach["δ3"].via == ("o2",)  # δ⁴ is read, but its difference does not get through
    assert not [c.name for c in reach.values() if "δ4" in c.origins and c.name != "δ4"]
    told = story(found).text
    assert "δ⁴ differs too, but not because of o²: every number it reads is exactly a float, so the " \
           "rounding is its own." in told and "reaches δ³" not in told
    assert "the learning flow stops: δ², δw2 and δ¹ are 0 too." in told
    words = causes_in_words(found)
    assert [words[n] for n in ("δ3", "δ2", "δw2", "δ1")] == ["from o²"] * 4 and words["δ4"] == "its own rounding"


def test_a_difference_times_an_exact_zero_reaches_nothing():
    """o³ = 0·o²₁ + (1/5)·o²₂ reads o², whose first unit differs (1/3 is no float), but
    multiplies it by an exact 0: o³ differs only because float holds 1/5 rounded."""
    spec = spec_of([{"type": "input", "size": 2},
                    {"type": "linear", "size": 2, "bias": False, "weights": [["1/3", "0"], ["0", "1"]]},
                    {"type": "linear", "size": 1, "bias": False, "weights": [["0", "1/5"]]}], [["1", "1"]], [["0"]])
    found = diff_of(spec)
    reach = causes(found)
    assert found.first.name == "o2" and (reach["o3"].via, reach["o3"].rounded) == ((), ("W3",))
    assert reach["o3"].origins == ("o3",) and causes_in_words(found)["o3"] == "its own: reads rounded numbers"
    assert "o³ differs too, but not because of o²: it reads numbers float cannot hold (for one, W3[1,2] = 1/5 " \
           "becomes 0.2)" in story(found).text


def test_with_a_penalty_the_batch_loss_is_reached_by_p_and_rounds_its_mean_too():
    """The batch's loss divides by n = 3 (no float can hold a third): it keeps its own
    rounding beside P's difference, in the table's words, the sentences and the origins."""
    found = batch_diff(penalised())
    reach = causes(found)
    assert reach["loss"].via == ("P",) and reach["loss"].rounds and reach["loss"].origins == ("P", "loss")
    assert causes_in_words(found)["loss"] == "from P, and its own rounding"
    assert "The loss differs on its own account too: float64 rounds the loss's products and squares, its mean " \
           "over the batch (it divides by n), and the sum of the data's loss and P." in story(found).text


def test_one_samples_penalised_loss_rounds_only_its_sum_with_p():
    """One sample's loss has no mean: ½(0 − 1)² = 1/2 is a float, so the loss's own
    rounding is the sum 1/2 + P, and the words say that, not a mean."""
    from engine.float_diff import float_diff
    spec = penalised()
    found = float_diff(spec.model, *spec.data.sample(3, "exact"))
    text = story(found).text
    assert "the sum of the data's loss and P" in text and "mean" not in text


def test_an_l1_penalty_is_said_as_it_computes_no_square():
    """P = λ₁·Σ|w| has no square: the words say what it rounds, and that δw2's term
    λ₁·sign(W2) differs only through λ₁ = 1/3 (the sign of a rounded weight is exact)."""
    found = diff_of(penalised_with({"l1": "1/3"}), 2)
    first, why, *_ = story(found).sentences
    assert first.startswith("The first difference is P = λ₁·Σ|w|, the penalty on the weights")
    assert "float64 rounds every product and sum of λ₁·Σ|w|" in why and "square" not in why
    assert causes(found)["δw2"].rounded == ("λ₁",)
    assert "(for one, λ₁ = 1/3 becomes 0.333333)" in story(found).text
    both = story(diff_of(penalised_with({"l2": "1/1000", "l1": "1/3"}), 2)).sentences[1]
    assert "every square, product and sum of λ₂·½Σw² and every product and sum of λ₁·Σ|w|" in both


def penalised_with(penalty, weights=None):
    doc = json.loads(dump_spec(load_preset("article")))
    doc["penalty"] = penalty
    if weights:
        doc["layers"][1]["weights"] = weights
    return load_spec(json.dumps(doc))


def test_what_float_reads_includes_a_rounded_lambda_and_y_named_as_the_words():
    """x and the weights always (the graph colours them); λ₂ and y only when float holds
    them rounded, named as the sentences name them."""
    exact_weights = [["1/2", "-1/4", "1/8"]]
    found = diff_of(penalised_with({"l2": "1/1000"}, exact_weights), 2)
    read = {n.name: n.differs for n in read_errors(found)}
    assert read == {"x": False, "W2": False, "λ₂": True}  # y (1) is a float
    assert causes(found)["P"].rounded == ("λ₂",)
    assert "(for one, λ₂ = 1/1000 becomes 0.001)" in story(found).text
    assert "λ₂" not in {n.name for n in read_errors(diff_of(penalised_with({"l2": "1/2"}, exact_weights), 2))}
    spec = spec_of([{"type": "input", "size": 1},
                    {"type": "linear", "size": 1, "bias": False, "weights": [["1"]]}], [["1"]], [["1/3"]])
    found = diff_of(spec)
    assert [n.name for n in read_errors(found) if n.differs] == ["y"] and causes(found)["loss"].rounded == ("y",)


def test_a_rounded_number_times_an_exact_zero_leaves_the_rounding_to_the_operation():
    """o² = (1/3)·0 + 2⁵³·1 + 1·1: float holds 1/3 rounded, but it meets x₁ = 0; the
    difference is the sum's own (2⁵³ + 1 is no float), in any order of summation."""
    spec = spec_of([{"type": "input", "size": 3},
                    {"type": "linear", "size": 1, "bias": False, "weights": [["1/3", str(2 ** 53), "1"]]}],
                   [["0", "1", "1"]], [["0"]])
    found = diff_of(spec)
    c = causes(found)["o2"]
    assert found.first.name == "o2" and c.origin and c.rounds and c.rounded == ()
    assert causes_in_words(found)["o2"] == "the first difference"
    assert story(found).sentences[1].startswith(
        "It reads numbers float cannot hold (for one, W2[1,1] = 1/3 becomes 0.333333), but their rounding "
        "changes nothing here, so the rounding is the operation's own: float64 rounds every product")
