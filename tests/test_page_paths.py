"""Explore's "Sum over paths" panel through AppTest: pick a weight (or click one in the
graph), the paths with their factors and products, the sum under the graph equal to δw
(the article's numbers are exact: δw2 = (0, -2000, -3000) on its third sample), the
path highlighted in the graph, the budget's message."""
import json
import xml.etree.ElementTree as ET
from fractions import Fraction as F

from streamlit.testing.v1 import AppTest

from engine.paths import MAX_PATHS
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
    assert at.selectbox(key="paths_component").value == (0, 2)  # the largest |δw| first
    at.selectbox(key="paths_component").set_value((0, 2)).run()
    assert not at.exception and not at.warning
    assert sum_line(at) == ("**Sum of the products:** δw2[0,2] = (-3000) = **-3000**  "
                            "✓ equal to the backward pass's δw2[0,2] = -3000, exactly")
    table = paths_table(at)
    assert list(table["factors"]) == ["o1[2] = 3000 · ∂o3[0]/∂o2[0] = 1 · ∂loss/∂o3[0] = -1"]
    assert list(table["product"]) == ["-3000"] and list(table["route"]) == ["o2[0] → o3[0] → loss"]
    assert highlighted(at) == ["L2.W", "W2", "L2", "X3", "L3", "X4", "Loss"]  # the layer view
    at.radio(key="view").set_value("neuron").run()
    assert highlighted(at) == ["X2_3", "L2_1_3", "X3_1", "L3_1_1", "X4_1", "Loss_1", "Loss"]
    at.selectbox(key="paths_component").set_value((0, 1)).run()  # another weight, another path
    assert highlighted(at)[:2] == ["X2_2", "L2_1_2"]
    assert "= **-2000**  ✓ equal to the backward pass's δw2[0,1] = -2000, exactly" in sum_line(at)


def test_in_float_the_closed_relu_gate_is_a_zero_factor_and_every_path_gives_0():
    """The float trap (o2 a tiny negative number instead of 0: its digits depend on the
    CPU's BLAS kernel, its sign does not) closes the ReLU: ∂o3/∂o2 = 0 on the path."""
    at = run_app()
    at.radio(key="arithmetic").set_value("float").run()
    assert not at.exception
    table = paths_table(at)
    assert len(table) == 1 and " · ∂o3[0]/∂o2[0] = 0 · " in table["factors"][0] and table["product"][0] == "0"
    line = sum_line(at)
    assert line.endswith("= **0**  ✓ equal to the backward pass's δw2[0,2] = 0")  # not "exactly": float


def test_clicking_a_weights_edge_in_the_graph_picks_it_and_opens_the_panel():
    at = run_app(opened=False)
    assert not panel(at).proto.expanded
    assert not graphs(at) and not [m for m in at.markdown if "Sum of the" in m.value]  # closed: nothing computed
    at.session_state["player"] = {"step": 9, "selected": "L2_1_2"}  # what the player reports for a click
    at.run()
    assert not at.exception
    assert at.selectbox(key="paths_component").value == (0, 1)  # not the panel's first pick, (0, 2)
    assert panel(at).proto.expanded
    assert "δw2[0,1]" in sum_line(at)


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
    assert f"= **{total}**  ✓ equal to the backward pass's δw2[0,1] = {total}, exactly" in line
    at.radio(key="view").set_value("neuron").run()
    seen = []
    for n in range(1, 4):
        assert at.slider(key="paths_path").value == n
        assert any(m.value.startswith(f"**Path {n} of 3:**") for m in at.markdown)
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
    assert "✓ equal to the backward pass's δw2[" in sum_line(at)


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
    # 100×101 components: too many to list, picked by row and column
    at.number_input(key="paths_i").set_value(5).run()
    at.number_input(key="paths_j").set_value(7).run()
    assert "δw4[5,7] = " in sum_line(at) and len(paths_table(at)) == 1
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
