"""Explore's "Sum over paths" panel through AppTest: pick a weight (or click one in the
graph), the paths with their factors and products, the sum under the graph equal to δw
(the article's numbers are exact: δw2 = (0, -2000, -3000) on its third sample), the
path highlighted in the graph, the budget's message. The panel counts units and
components from 1 and names them as the graph's labels do (the CLI's --index counts
from 0): what it names is checked against the labels of the neurons it highlights."""
import json
import re
import xml.etree.ElementTree as ET
from fractions import Fraction as F

import pytest
from streamlit.testing.v1 import AppTest

from engine.paths import MAX_PATHS
from engine.presets import load_preset
from engine.record import record
from engine.spec import load_spec, spec_from_dict
from random_models import model_doc

SVGNS = "{http://www.w3.org/2000/svg}"


def run_app(spec=None, *, opened: bool = True) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=120)
    if spec is not None:
        at.session_state["workspace"] = spec
    if opened:  # as the user's click on the panel's title does
        at.session_state["paths_open"] = True
    return at.run()


def panel(at):
    return next(e for e in at.expander if e.label.startswith("Sum over paths"))


def sum_line(at) -> str:
    lines = [m.value for m in at.markdown if m.value.startswith("**Sum of the products:**")]
    assert len(lines) == 1, [m.value for m in at.markdown]
    return lines[0]


def paths_table(at):
    tables = [d.value for d in at.dataframe if "factors" in d.value.columns]
    assert len(tables) == 1
    return tables[0]


def graphs(at) -> list[dict]:
    """The data of the panel's graph components (the player and the leave guard are others)."""
    return [json.loads(c.proto.json) for c in at.get("bidi_component")
            if c.proto.component_name.endswith("backprop_paths_graph")]


def path_line(at) -> str:
    lines = [m.value for m in at.markdown if m.value.startswith("**Path ")]
    assert len(lines) == 1, [m.value for m in at.markdown]
    return lines[0]


def unescaped(markdown: str) -> str:
    """Markdown as it reads: the panel escapes every ASCII punctuation (ui/text.py: md)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def highlighted_names(at) -> list[str]:
    """The names the graph's own labels give the neurons highlighted, in the path's order."""
    root = ET.fromstring(graphs(at)[0]["svg"])
    names = {g.get("id").removeprefix("paths-"): g.find(f"{SVGNS}text").text for g in root.iter(f"{SVGNS}g")
             if g.get("class", "").startswith("node") and g.find(f"{SVGNS}text") is not None}
    return [names[i] for i in highlighted(at) if i.startswith("X")]


def named_route(at) -> list[str]:
    """The neurons the path's text names, from its route ("o¹₃ → o²₁ → o³₁ → loss")."""
    route = unescaped(path_line(at).split("\n")[0].split(":** ", 1)[1]).strip()
    return route.split(" → ")[:-1]


def highlighted(at) -> list[str]:
    """The ids marked as the path in the panel's graph, in the path's order."""
    drawn = graphs(at)
    assert len(drawn) == 1
    root = ET.fromstring(drawn[0]["svg"])
    marked = [(int(g.get("data-path-order")), g.get("id").removeprefix("paths-")) for g in root.iter(f"{SVGNS}g")
              if "bp-path" in (g.get("class") or "").split()]
    assert all(g.get("id").startswith("paths-") for g in root.iter(f"{SVGNS}g") if g.get("id"))  # not the player's
    return [i for _, i in sorted(marked)]


def test_the_article_shows_w2_0_2_as_its_one_path_and_the_exact_sum_equal_to_dw():
    at = run_app()
    assert not at.exception
    assert at.selectbox(key="paths_weight").value == "W2"
    component = at.selectbox(key="paths_component")
    assert component.value == (0, 2)  # the engine's index (the CLI's 0,2); the largest |δw| first
    assert component.options == ["W2[1,1] (o¹₁ → o²₁) = 1/200, δw = 0", "W2[1,2] (o¹₂ → o²₁) = -3/11600, δw = -2000",
                                 "W2[1,3] (o¹₃ → o²₁) = 1/5800, δw = -3000"]  # counted from 1, as the graph
    assert not at.exception and not at.warning
    assert not any("from 0" in c.value for c in at.caption)  # nothing apologises for another counting
    assert sum_line(at) == ("**Sum of the products:** δw2[1,3] = (-3000) = **-3000**  "
                            "✓ equal to the backward pass's δw2[1,3] = -3000, exactly")
    table = paths_table(at)
    assert list(table["factors"]) == ["o¹₃ = 3000 · ∂o³₁/∂o²₁ = 1 · ∂loss/∂o³₁ = -1"]
    assert list(table["product"]) == ["-3000"] and list(table["route"]) == ["o¹₃ → o²₁ → o³₁ → loss"]
    assert unescaped(path_line(at)) == ("**Path 1 of 1:** o¹₃ → o²₁ → o³₁ → loss  \n"
                                        "o¹₃ · ∂o³₁/∂o²₁ · ∂loss/∂o³₁ = 3000 · 1 · (-1) = **-3000**")
    assert highlighted(at) == ["L2.W", "W2", "L2", "X3", "L3", "X4", "Loss"]  # the layer view
    at.radio(key="view").set_value("neuron").run()
    assert highlighted(at) == ["X2_3", "L2_1_3", "X3_1", "L3_1_1", "X4_1", "Loss_1", "Loss"]
    assert highlighted_names(at) == named_route(at) == ["o¹₃", "o²₁", "o³₁"]  # the graph's own labels
    at.selectbox(key="paths_component").set_value((0, 1)).run()  # another weight, another path
    assert highlighted(at)[:2] == ["X2_2", "L2_1_2"]
    assert highlighted_names(at) == named_route(at) == ["o¹₂", "o²₁", "o³₁"]
    assert "= **-2000**  ✓ equal to the backward pass's δw2[1,2] = -2000, exactly" in sum_line(at)


def test_in_float_the_closed_relu_gate_is_a_zero_factor_and_every_path_gives_0():
    """The float trap (o2 a tiny negative number instead of 0: its digits depend on the
    CPU's BLAS kernel, its sign does not) closes the ReLU: ∂o3/∂o2 = 0 on the path."""
    at = run_app()
    at.radio(key="arithmetic").set_value("float").run()
    assert not at.exception
    table = paths_table(at)
    assert len(table) == 1 and " · ∂o³₁/∂o²₁ = 0 · " in table["factors"][0] and table["product"][0] == "0"
    line = sum_line(at)
    assert line.endswith("= **0**  ✓ equal to the backward pass's δw2[1,3] = 0")  # not "exactly": float


def test_clicking_a_weights_edge_in_the_graph_picks_it_and_opens_the_panel():
    at = run_app(opened=False)
    assert not panel(at).proto.expanded
    assert not graphs(at) and not [m for m in at.markdown if "Sum of the" in m.value]  # closed: nothing computed
    at.session_state["player"] = {"step": 9, "selected": "L2_1_2"}  # what the player reports for a click
    at.run()
    assert not at.exception
    assert at.selectbox(key="paths_component").value == (0, 1)  # not the panel's first pick, (0, 2)
    assert panel(at).proto.expanded
    assert "δw2[1,2]" in sum_line(at)  # the edge L2_1_2, o¹₂ → o²₁, counted from 1 as its id


def test_next_path_walks_a_fan_out_and_the_sum_is_dw_exactly():
    spec = load_spec(json.dumps(model_doc(5, "exact")))  # 3 units feed 3: three paths per weight of W2
    at = run_app(spec)
    at.selectbox(key="sample").set_value(2).run()
    at.selectbox(key="paths_weight").set_value("W2").run()
    at.selectbox(key="paths_component").set_value((0, 1)).run()
    assert not at.exception
    table = paths_table(at)
    assert len(table) == 3
    line = sum_line(at)
    total = sum(F(p) for p in table["product"])
    graph = record(spec.model, *spec.data.sample(2, "exact"))
    assert total == graph.weight_grads["W2"][0, 1]  # the products add up to δw, exactly
    assert f"= **{total}**  ✓ equal to the backward pass's δw2[1,2] = {total}, exactly" in line
    at.radio(key="view").set_value("neuron").run()
    seen = []
    for n in range(1, 4):
        assert at.slider(key="paths_path").value == n
        assert path_line(at).startswith(f"**Path {n} of 3:**")
        assert highlighted_names(at) == named_route(at)  # each path names the neurons it lights up
        seen.append(tuple(highlighted(at)))
        at.button(key="paths_next").click().run()
    assert len(set(seen)) == 3  # each path lights up its own neurons
    assert at.slider(key="paths_path").value == 1  # past the last: back to the first
    at.button(key="paths_prev").click().run()
    assert at.slider(key="paths_path").value == 3 and tuple(highlighted(at)) == seen[2]


def test_the_whole_batch_shows_one_rows_share():
    spec = load_spec(json.dumps(model_doc(9, "exact")))
    at = run_app(spec)
    at.selectbox(key="sample").set_value(0).run()  # the whole batch
    assert not at.exception
    assert any("Row 1 of the batch" in c.value for c in at.caption)
    assert "✓ equal to this row's share of δw2[" in sum_line(at)  # not the batch's δw: one row's part of it
    assert "backward pass's" not in sum_line(at)


def test_more_paths_than_the_budget_is_one_clear_message():
    doc = {"format": "backprop-explorer/1", "name": "wide", "arithmetic": "float", "layers": [
        {"type": "input", "size": 1}, {"type": "linear", "size": 1, "weights": [[1]]},
        {"type": "linear", "size": 101, "init": {"scheme": "xavier", "seed": 0}},
        {"type": "linear", "size": 100, "init": {"scheme": "xavier", "seed": 1}}],
        "loss": "mse", "data": {"x": [[1]], "y": [[0] * 100]}}
    at = run_app(spec_from_dict(doc))
    assert not at.exception
    assert [w.value for w in at.warning] == [f"W2 has 10,100 paths to the loss; at most {MAX_PATHS:,} are listed. "
                                             "Pick a weight of a later layer: it has fewer paths."]
    at.selectbox(key="paths_weight").set_value("W4").run()  # one path per component
    assert not at.warning and "✓" in sum_line(at)
    # 100×101 components: too many to list, picked by row and column, counted from 1
    assert (at.number_input(key="paths_i").min, at.number_input(key="paths_i").max) == (1, 100)
    assert (at.number_input(key="paths_j").min, at.number_input(key="paths_j").max) == (1, 101)
    at.number_input(key="paths_i").set_value(5).run()
    at.number_input(key="paths_j").set_value(7).run()
    graph = record(at.session_state["workspace"].model, *at.session_state["workspace"].data.sample(1, "float"))
    assert "δw4[5,7] = " in sum_line(at) and len(paths_table(at)) == 1
    assert list(paths_table(at)["route"]) == ["o³₇ → o⁴₅ → loss"]  # the engine's W4[4,6]
    assert float(paths_table(at)["product"][0]) == pytest.approx(float(graph.weight_grads["W4"][4, 6]), rel=1e-3)
    at.session_state["player"] = {"step": 0, "selected": "L4_100_101"}  # a click on the last edge
    at.run()
    assert (at.number_input(key="paths_i").value, at.number_input(key="paths_j").value) == (100, 101)
    assert "δw4[100,101] = " in sum_line(at)
    at.selectbox(key="paths_weight").set_value("W3").run()  # 101×1, listed: a path through each of L4's 100 units
    assert not at.exception and len(paths_table(at)) == 100 and "(100 products)" in sum_line(at)


def test_a_path_through_a_neuron_the_view_leaves_out_says_so():
    doc = {"format": "backprop-explorer/1", "name": "wide", "arithmetic": "exact", "layers": [
        {"type": "input", "size": 1},
        {"type": "linear", "size": 20, "weights": [[n + 1] for n in range(20)]},
        {"type": "linear", "size": 1, "weights": [[1] * 20]}],
        "loss": "half_squared_error", "data": {"x": [[1]], "y": [[0]]}}
    at = run_app(spec_from_dict(doc))
    at.radio(key="view").set_value("neuron").run()
    at.selectbox(key="paths_component").set_value((0, 0)).run()
    assert not at.exception
    assert any(c.value.startswith("3 of this path's elements are not drawn in the neuron view "
                                  "(the edge o¹₁ → o²₁, the neuron o²₁, the edge o²₁ → o³₁)") for c in at.caption)
    assert highlighted(at) == ["X2_1", "X4_1", "Loss_1", "Loss"]  # what is drawn of it, and nothing else
    at.selectbox(key="paths_component").set_value((19, 0)).run()
    assert not any("not drawn" in c.value for c in at.caption)


def test_hostile_names_stay_text_in_the_panels_graph():
    """Feature names go into the neuron view's SVG: serialised by ElementTree, a name like
    <script> is text there, never an element the browser would run."""
    from test_hardening_escape import SCRIPT, hostile_spec
    at = run_app(hostile_spec())
    at.radio(key="view").set_value("neuron").run()
    assert not at.exception
    root = ET.fromstring(graphs(at)[0]["svg"])
    assert all(e.tag.startswith(SVGNS) for e in root.iter()) and not list(root.iter(f"{SVGNS}script"))
    assert SCRIPT in " ".join(t.text or "" for t in root.iter(f"{SVGNS}text"))
    assert "✓" in sum_line(at)


def test_clicking_a_weight_in_the_layer_view_picks_its_matrix():
    at = run_app(load_spec(json.dumps(model_doc(5, "exact"))), opened=False)
    assert at.selectbox(key="sample").value == 1
    at.session_state["player"] = {"step": 0, "selected": "W3"}
    at.run()
    assert at.selectbox(key="paths_weight").value == "W3" and panel(at).proto.expanded
    assert "δw3[" in sum_line(at)
    at.session_state["player"] = {"step": 0, "selected": "L2.b"}  # the node of b2
    at.run()
    assert at.selectbox(key="paths_weight").value == "b2" and "δb2[" in sum_line(at)
    at.session_state["player"] = {"step": 0, "selected": "X3"}  # not a weight: nothing changes
    at.run()
    assert at.selectbox(key="paths_weight").value == "b2" and not at.exception


def test_a_fused_sigmoid_and_cross_entropy_names_the_nodes_it_highlights_and_says_why():
    """xor ends in a Sigmoid with binary cross-entropy, differentiated together as
    o − y: the path's text goes on through the sigmoid's o⁵₁, as the highlight does,
    and a caption says why no factor of its own reaches it."""
    at = run_app(load_preset("xor"))
    at.radio(key="view").set_value("neuron").run()
    at.selectbox(key="paths_weight").set_value("W2").run()
    at.selectbox(key="paths_component").set_value((0, 1)).run()
    assert not at.exception
    assert highlighted_names(at) == named_route(at) == ["o¹₂", "o²₁", "o³₁", "o⁴₁", "o⁵₁"]
    assert highlighted(at)[-4:] == ["L5_1_1", "X6_1", "Loss_1", "Loss"]
    assert unescaped(path_line(at)).split("\n")[1].startswith("o¹₂ · ∂o³₁/∂o²₁ · ∂o⁴₁/∂o³₁ · ∂loss/∂o⁴₁ = ")
    notes = [unescaped(c.value) for c in at.caption if "differentiated together" in c.value]
    assert notes == ["o⁵₁ = sigmoid(o⁴₁) and the binary cross-entropy are differentiated together: the last "
                     "factor, ∂loss/∂o⁴₁ = o⁵₁ − y₁, spans o⁴₁ → o⁵₁ → loss in one step, as the backward pass "
                     "computes it: o − y has no clip and no division by the sigmoid's slope o(1 − o), which "
                     "nears 0 where the sigmoid saturates, so it stays accurate there."]  # not "exact": float
    assert list(paths_table(at)["route"]) == ["o¹₂ → o²₁ → o³₁ → o⁴₁ → o⁵₁ → loss"]
    assert "δw2[1,2]" in sum_line(at) and ("✓" in sum_line(at) or "≈" in sum_line(at))
    at.radio(key="view").set_value("layer").run()  # the layer view crosses the sigmoid's layer too
    assert highlighted(at)[-3:] == ["L5", "X6", "Loss"]
