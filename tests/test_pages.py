"""Explore page tests: the app runs headless through Streamlit's AppTest.

The graph is drawn by the player component, whose data (every frame's SVG) AppTest
exposes as JSON (the float-vs-exact view: tests/test_page_float_view.py)."""
import json
import xml.etree.ElementTree as ET

from streamlit.testing.v1 import AppTest

from float_trap import float_trap_after


def run_app() -> AppTest:
    return AppTest.from_file("../app.py", default_timeout=120).run()


def player_data(at: AppTest) -> dict:
    players = at.get("bidi_component")
    assert players, "the page draws no graph player"
    return json.loads(players[0].proto.json)


def visible_texts(svg: str) -> list[str]:
    """Texts of an SVG frame that are drawn (not the transparent placeholders)."""
    hidden = {"none", "transparent", "#00000000"}
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")
            if t.get("fill") not in hidden]


def test_app_opens_on_the_articles_third_sample_with_every_frame():
    at = run_app()
    assert not at.exception
    assert at.selectbox(key="sample").value == 3
    data = player_data(at)
    assert len(data["frames"]) == 10  # frame 0 + o1, o2, o3, loss, δ4, δ3, δ2, δw2, δ1
    final = " ".join(visible_texts(data["frames"][-1]))
    for label in ("o1 = (0, 2000, 3000)", "δ4 = -1", "δ3 = -1", "δ2 = (-1/200, 3/11600, -1/5800)",
                  "δw2 = (0, -2000, -3000)", "loss = 1/2"):
        assert label in final
    first = " ".join(visible_texts(data["frames"][0]))
    assert "δ4" not in first and "δ2" not in first


def test_every_steps_explanation_travels_with_the_frames():
    """The player explains each step itself, as it plays: every step's title and
    formulas are in its data, the same as engine.explain's for that step and row."""
    from engine import record
    from engine.explain import explain
    from engine.presets import load_preset
    at = run_app()
    data = player_data(at)
    p = load_preset("article", "exact")
    g = record(p.model, *p.data.sample(3, "exact"))
    assert len(data["explain"]) == len(data["frames"]) == len(g.timeline) + 1
    for step, shown in enumerate(data["explain"]):
        ex = explain(g, step)
        assert shown["title"] == ex.title == data["titles"][step]
        assert shown["general"] == ex.general and shown["lines"] == ex.substituted.split(r", \quad ")
    relu = data["explain"][6]
    assert "mathbb{1}" in relu["general"] and "delta^{3}" in relu["general"]
    assert "(-1) \\cdot \\mathbb{1}[0 \\geq 0] = -1" in relu["lines"][0]
    # the panel explains only what the flow has reached: δw2 is step 8, not step 7
    step7 = " ".join([data["explain"][7]["general"], *data["explain"][7]["lines"]])
    assert "delta^{2}" in step7 and "delta w" not in step7
    assert "delta w^{2}" in data["explain"][8]["general"]
    assert not any(l.value for l in at.latex)  # no second chain-rule panel under the player
    assert not at.get("select_slider")  # and no second step control


def test_float_arithmetic_shows_the_trap():
    at = run_app()
    at.radio(key="arithmetic").set_value("float").run()
    assert not at.exception
    final = " ".join(visible_texts(player_data(at)["frames"][-1]))
    assert float_trap_after("o2 = ", final) and "δ3 = 0" in final


def test_whole_batch_shows_the_one_over_n_factor():
    at = run_app()
    at.selectbox(key="sample").set_value(0).run()
    assert not at.exception
    assert any("1/3" in note for ex in player_data(at)["explain"] for note in ex["notes"])


def test_inspector_shows_gradient_check_error():
    at = run_app()
    at.selectbox(key="inspect").set_value("W2").run()
    assert not at.exception
    assert any("relative error" in m.value for m in at.markdown)


def test_a_shared_link_reopens_the_sample_and_step():
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params["preset"] = "article"
    at.query_params["sample"] = "2"
    at.query_params["step"] = "7"
    at.run()
    assert not at.exception
    assert at.selectbox(key="sample").value == 2
    assert player_data(at)["step"] == 7
    at.session_state["step"] = 5  # what the player's report (parts.from_player) sets
    at.run()
    assert at.query_params["step"] == ["5"] or at.query_params["step"] == "5"


def test_a_bad_link_falls_back_without_an_error():
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params["sample"] = "999"
    at.query_params["step"] = "-5"
    at.run()
    assert not at.exception
    assert at.selectbox(key="sample").value == 3 and player_data(at)["step"] == 0


def test_a_training_step_opened_from_train_is_shown_with_a_way_back():
    from engine import record
    from engine.presets import load_preset
    spec = load_preset("xor")
    graph = record(spec.model, *spec.data.batch("float", slice(0, 2)))
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.session_state["explore_graph"] = {"graph": graph, "label": "training step 7 (epoch 4)"}
    at.run()
    assert not at.exception
    assert any("training step 7" in i.value for i in at.info)
    assert len(player_data(at)["frames"]) == len(graph.timeline) + 1
    # no sample or arithmetic to choose: the view choice comes first, not alone in the middle
    assert [r.key for r in at.columns[0].radio] == ["view"]
    at.button[0].click().run()  # back to the workspace model
    assert "explore_graph" not in at.session_state
    assert at.selectbox(key="sample").value == 3


def test_neuron_view_names_the_articles_features():
    at = run_app()
    at.radio(key="view").set_value("neuron").run()
    assert not at.exception
    final = " ".join(visible_texts(player_data(at)["frames"][-1]))
    assert "broccoli" in final and "workout hours" in final


def test_the_whole_batch_is_the_first_choice_not_after_300_samples():
    from engine.presets import load_preset
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.session_state["workspace"] = load_preset("spiral")
    at.run()
    box = at.selectbox(key="sample")
    assert box.options[0] == "whole batch (n = 300)" and box.options[1] == "sample 1"
    assert box.value == 1  # still opens on a single sample
    at.switch_page("pages/export.py").run()
    assert at.selectbox(key="export_sample").options[0] == "whole batch (n = 300)"


def test_the_whole_batch_travels_in_the_link():
    at = run_app()
    at.selectbox(key="sample").set_value(0).run()
    assert at.query_params["sample"] == "batch"  # it kept the previous sample=3
    shared = AppTest.from_file("../app.py", default_timeout=120)
    shared.query_params["preset"] = "article"
    shared.query_params["sample"] = "batch"
    shared.run()
    assert not shared.exception and not shared.warning
    assert shared.selectbox(key="sample").value == 0


def test_explores_choices_survive_a_visit_to_another_page():
    at = run_app()
    at.radio(key="arithmetic").set_value("float").run()
    at.radio(key="view").set_value("neuron").run()
    at.radio(key="theme").set_value("dark").run()
    at.switch_page("pages/build.py").run()
    at.switch_page("pages/export.py").run()
    assert at.radio(key="export_arithmetic").value == "float"  # Export starts from them
    assert at.radio(key="export_view").value == "neuron"
    assert at.radio(key="export_theme").value == "dark"
    at.switch_page("pages/explore.py").run()
    assert not at.exception
    assert at.radio(key="arithmetic").value == "float"  # Streamlit had reset them to exact, layer, light
    assert at.radio(key="view").value == "neuron"
    assert at.radio(key="theme").value == "dark"


def test_a_new_model_opens_in_its_own_arithmetic():
    at = run_app()
    assert at.radio(key="arithmetic").value == "exact"
    at.switch_page("pages/build.py").run()
    at.selectbox(key="build_preset").set_value("xor")
    at.button[0].click().run()
    at.switch_page("pages/explore.py").run()
    assert not at.exception and not at.error  # not "Tanh has no exact rational value"
    assert at.radio(key="arithmetic").value == "float"


def test_exact_chosen_on_a_model_without_it_goes_back_to_float_and_says_why():
    """Choosing exact on moons (tanh) left the page with one error and no graph, while a
    link asking for the same says why and shows float: the radio now does the same."""
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params["preset"] = "moons"
    at.run()
    assert at.radio(key="arithmetic").value == "float"
    before = player_data(at)["signature"]
    at.radio(key="arithmetic").set_value("exact").run()
    assert not at.exception and not at.error
    assert at.radio(key="arithmetic").value == "float"
    assert any("no exact arithmetic" in w.value and "tanh" in w.value and "showing float" in w.value
               for w in at.warning), [w.value for w in at.warning]
    assert player_data(at)["signature"] == before  # the same float graph, still shown
    assert at.query_params["arithmetic"] in ("float", ["float"])
    at.radio(key="view").set_value("neuron").run()  # said once, not on every run after
    assert not any("no exact arithmetic" in w.value for w in at.warning)
    at.switch_page("pages/export.py").run()  # Export's own radio does the same
    at.radio(key="export_arithmetic").set_value("exact").run()
    assert not at.exception and not at.error and at.radio(key="export_arithmetic").value == "float"
    assert any("no exact arithmetic" in w.value for w in at.warning)


def test_a_link_can_open_the_float_trap():
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params["preset"] = "article"
    at.query_params["arithmetic"] = "float"
    at.query_params["step"] = "6"
    at.run()
    assert not at.exception
    assert at.radio(key="arithmetic").value == "float"
    data = player_data(at)
    assert data["step"] == 6 and float_trap_after(r"\mathbb{1}[", data["explain"][6]["lines"][0])
    at.radio(key="arithmetic").set_value("exact").run()
    assert at.query_params["arithmetic"] in ("exact", ["exact"])


def inspector_panel(at: AppTest):
    found = [e for e in at.expander if e.label.startswith("Inspect an edge or a layer")]
    assert len(found) == 1
    return found[0]


def test_a_click_in_the_neuron_view_opens_the_inspector_on_what_it_is_part_of():
    """xor's neuron edge o¹₂ → o²₂ (L2_2_2) is a component of W2: the inspector opens on
    W2 (as the sum-over-paths panel opens on W2[2,2]), never on an unrelated element."""
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params["preset"], at.query_params["view"] = "xor", "neuron"
    at.run()
    assert not inspector_panel(at).proto.expanded and at.selectbox(key="inspect").value == "X1"
    for clicked, shown in (("L2_2_2", "W2"),  # a linear layer's edge: its weight
                           ("L3_2_2", "L3"),  # tanh's edge: the layer's local derivative
                           ("X3_4", "X3"),  # a neuron of o2: the edge carrying o2
                           ("Loss_1", "X6")):  # into the loss: the edge carrying o5
        at.session_state["player"] = {"step": 0, "selected": clicked}  # what the player reports for a click
        at.run()
        assert not at.exception
        assert at.selectbox(key="inspect").value == shown and inspector_panel(at).proto.expanded, clicked
        at.run()
        assert not inspector_panel(at).proto.expanded  # opened once per click
    assert at.selectbox(key="paths_weight").value == "W2"  # the paths panel took its click too
    at.session_state["player"] = {"step": 0, "selected": "Loss"}  # nothing the inspector shows
    at.run()
    assert not at.exception and not inspector_panel(at).proto.expanded
    assert at.selectbox(key="inspect").value == "X6"  # left as it was


def test_a_click_in_the_layer_view_opens_the_inspector_on_it():
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params["preset"] = "xor"
    at.run()
    for clicked, shown in (("X3", "X3"), ("L2", "L2"), ("L4.b", "b4")):
        at.session_state["player"] = {"step": 0, "selected": clicked}
        at.run()
        assert not at.exception
        assert at.selectbox(key="inspect").value == shown and inspector_panel(at).proto.expanded, clicked


def test_the_inspector_shows_the_edge_into_the_loss():
    """The last edge goes to the loss, not to a layer: its values, and no layer's local
    derivative (its "Loss" target once read as layer "oss" and raised)."""
    at = run_app()
    edges = [o for o in at.selectbox(key="inspect").options if "forward" in o]
    at.selectbox(key="inspect").set_value(edges[-1].split(" · ")[0]).run()
    assert not at.exception and not at.error
    assert any("(forward)" in m.value for m in at.markdown)
    assert not any("Local derivative" in m.value for m in at.markdown)
