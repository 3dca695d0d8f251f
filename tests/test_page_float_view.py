"""Explore's float-vs-exact view (ui/float_view.py) through AppTest: switched on, it
names the operation that made the first difference (as the graph and the paths panel
name values: o², L³, W2[1,1], counted from 1), draws both records in one player
(exact, float) with the first diverging value marked, and tabulates every node; a model
with no exact arithmetic gets one sentence. The float trap's digits depend on the BLAS
kernel: only its sign and size are asserted (tests/float_trap.py). A link keeps the
switch (``diff=on``) for the models it can compare, and says in one sentence why it does
not for the others, or for a value other than ``on``."""
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from streamlit.testing.v1 import AppTest

from engine.limits import MAX_EXACT_NEURONS
from engine.presets import load_preset
from engine.render import path_view
from engine.spec import dump_spec, load_spec
from float_trap import float_trap_after, is_float_trap, shown_value

SVG = "{http://www.w3.org/2000/svg}"


def opened(at: AppTest | None = None) -> AppTest:
    at = at or AppTest.from_file("../app.py", default_timeout=120).run()
    at.toggle(key="diff_open").set_value(True).run()
    assert not at.exception
    return at


def said(at: AppTest) -> str:
    """The page's Markdown as it reads (ui/text.py: message escapes the brackets of W2[1,1])."""
    return re.sub(r"\\(.)", r"\1", " ".join(m.value for m in at.markdown))


def components(at: AppTest) -> list[str]:
    return [c.key for c in at.get("bidi_component")]


def diff_player(at: AppTest) -> dict:
    found = [json.loads(c.proto.json) for c in at.get("bidi_component") if c.key == "diff_player"]
    assert len(found) == 1, "the view draws no player of its own"
    return found[0]


def marked(svg: str, attr: str, value: str) -> list[ET.Element]:
    return [g for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get(attr) == value]


def test_nothing_is_drawn_until_the_view_is_switched_on():
    at = AppTest.from_file("../app.py", default_timeout=120).run()
    assert not at.exception and at.toggle(key="diff_open").value is False
    assert "diff_player" not in components(at)


def test_the_article_names_w_x_the_relu_gate_and_the_stopped_learning_flow():
    at = opened()
    text = said(at)
    assert "The first difference is o² = w·X, the output of L²" in text
    assert float_trap_after("o² is ", text) and "where the exact value is 0" in text
    assert "ReLU gate of L³ closes" in text and "∂L³/∂X³ is 0 instead of 1" in text
    assert "δ³ = 0 in float instead of -1, and the learning flow stops: δ², δw2 and δ¹ are 0 too" in text
    assert "relative error" in text  # the colour scale's legend


def test_the_words_name_a_weight_as_the_paths_panel_and_a_neuron_as_the_graph():
    """The weight float cannot hold is named as the "Sum over paths" panel on the same page
    names it (its component list, counted from 1: W2[1,1], not the engine's W2[0,0]), and
    the first difference as the neuron view's column title names the output (o²)."""
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.session_state["paths_open"] = True
    at = opened(at.run())
    panel_says = at.selectbox(key="paths_component").options[0]  # "W2[1,1] (o¹₁ → o²₁) = 1/200, δw = 0"
    weight = panel_says.split(" ")[0]
    assert panel_says.endswith("= 1/200, δw = 0") and weight == path_view.component("W2", (0, 0))
    assert f"(for one, {weight} = 1/200 becomes 0.005)" in said(at)
    at.radio(key="view").set_value("neuron").run()
    title = next(t.text for g in ET.fromstring(diff_player(at)["frames"][1]).iter(f"{SVG}g")
                 if g.get("id") == "cluster_X3" for t in g.iter(f"{SVG}text"))  # "o² = L²(o¹)"
    o = title.split(" = ")[0]
    assert o == "o²" and f"The first difference is {o} = w·X" in said(at) and f": {o} is " in said(at)


def test_the_player_shows_exact_then_float_with_o2_marked_first():
    at = opened()
    data = diff_player(at)
    exact, floating = data["frames"]
    assert data["step"] == 1 and data["explain"] == [None, None]  # float first, no chain-rule panel
    for svg in (exact, floating):
        first = marked(svg, "data-diff", "first")
        assert [g.get("id") for g in first] == ["X3"]  # the edge that carries o2
        assert marked(svg, "data-role", "cause")[0].get("id") == "L2"
        assert marked(svg, "data-role", "gate")[0].get("id") == "L3"
        assert {g.get("id") for g in marked(svg, "data-diff", "differs")} >= {"X1", "X2", "W2"}
        assert {g.get("id") for g in marked(svg, "data-diff", "same")} == {"X4", "Loss"}  # o3, δ4 and the loss agree
    bold = [t.text for t in ET.fromstring(floating).iter(f"{SVG}text") if t.get("data-first") == "true"]
    assert len(bold) == 1 and is_float_trap(shown_value(bold[0].removeprefix("o2 = ")))
    assert "o2 = 0" in "".join(ET.fromstring(exact).itertext())


def test_the_graph_control_switches_the_players_frame():
    at = opened()
    at.segmented_control(key="diff_shown").set_value("exact").run()
    assert diff_player(at)["step"] == 0 and not at.exception
    at.segmented_control(key="diff_shown").set_value("float").run()
    assert diff_player(at)["step"] == 1


class _Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.rows[-1].append(self.cell)
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def table(at: AppTest) -> dict[str, dict]:
    """The comparison's table (ui/float_view.table_html), a dict per row by its first column."""
    html = next(m.value for m in at.markdown if 'class="bp-diff-table"' in m.value)
    parsed = _Cells()
    parsed.feed(html)
    head, *rows = parsed.rows
    return {r[0]: dict(zip(head, r)) for r in rows}


def test_the_table_shows_every_node_with_the_trap_in_scientific_notation():
    at = opened()
    rows = table(at)
    # named as the graph labels them, what float reads (x, W2) first
    assert list(rows) == ["x", "W2", "o¹", "o²", "o³", "loss", "δ⁴", "δ³", "δ²", "δw2", "δ¹"]
    o2 = rows["o²"]
    assert o2["exact"] == "0" and re.fullmatch(r"-\d\.\d+e-\d\d", o2["float"])
    assert is_float_trap(shown_value(o2["float"])) and o2["largest difference"] == o2["float"].lstrip("-")
    assert o2["largest relative error"] == "∞ (exact 0)" and o2["why it differs"] == "the first difference"
    d3 = rows["δ³"]
    assert d3["why it differs"] == "from o²" and d3["exact"] == "-1" and d3["float"] == "0"
    assert d3["largest relative error"] == "1"
    assert rows["loss"]["why it differs"] == "—" and rows["loss"]["largest relative error"] == "—"


def test_every_element_the_graph_colours_has_its_row_with_its_relative_error():
    """W2 (1/200 is no float) is coloured in the float graph: its row says so, with a
    relative error of rounding size (not pinned: the exact digits are float64's)."""
    at = opened()
    rows = table(at)
    coloured = {g.get("id") for g in ET.fromstring(diff_player(at)["frames"][1]).iter(f"{SVG}g")
                if g.get("data-diff") in ("first", "differs", "read")}
    assert "W2" in coloured
    w2 = rows["W2"]
    assert w2["exact"] == "1/200, -3/11600, 1/5800" and w2["why it differs"] == "float holds it rounded"
    assert 0 < float(w2["largest relative error"]) < 1e-15 and 0 < float(w2["largest difference"]) < 1e-17
    edges = {e.id: (e.forward, e.backward) for e in record_edges()}
    for element in coloured:  # an edge: the row of a value it carries says it differs
        carried = edges.get(element, ("loss",))
        assert any(path_view.value(n) in rows and rows[path_view.value(n)]["why it differs"] != "—"
                   for n in carried), element


def record_edges():
    from engine.record import record
    spec = load_preset("article")
    return record(spec.model, *spec.data.sample(3, "exact")).edges


def penalised() -> object:
    doc = json.loads(dump_spec(load_preset("article")))
    doc["penalty"] = {"l2": "1/1000"}
    return load_spec(json.dumps(doc))


def test_with_a_penalty_the_table_and_the_words_give_each_value_its_own_cause():
    """P differs because float holds the weights (and λ₂ = 1/1000) rounded, not because
    of o²; the loss differs because P does; δ³ because of o²'s gate."""
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.session_state["workspace"] = penalised()
    at = opened(at.run())
    rows = table(at)
    assert rows["P"]["why it differs"] == "its own: reads rounded numbers"
    assert rows["loss"]["why it differs"] == "from P, and its own rounding" and rows["δ³"]["why it differs"] == "from o²"
    assert rows["δw2"]["why it differs"] == "from o², and its penalty's term"
    assert rows["λ₂"]["why it differs"] == "float holds it rounded"  # 1/1000, which P's cause blames
    assert rows["P"]["exact"] == "3377/269120000000" and 0 < float(rows["P"]["largest relative error"]) < 1e-15
    text = said(at)
    assert "reaches P" not in text and "P differs too, but not because of o²" in text
    assert "δ³ = 0 in float instead of -1, and the learning flow stops: δ² and δ¹ are 0 too, and δw2 keeps only " \
           "the penalty's term." in text


def test_a_sample_float_gets_right_says_so():
    at = AppTest.from_file("../app.py", default_timeout=120).run()
    at.selectbox(key="sample").set_value(2).run()
    at = opened(at)
    assert any("Float gives the exact value at every node" in m.value for m in at.markdown)
    assert not marked(diff_player(at)["frames"][1], "data-diff", "first")


def test_a_model_without_exact_arithmetic_gets_one_sentence():
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.session_state["workspace"] = load_preset("xor")
    at.run()
    at = opened(at)
    assert not at.error and len(at.warning) == 1
    assert "exact arithmetic is impossible for this model: layer 3 (tanh) needs exp or log" in at.warning[0].value
    assert "diff_player" not in components(at)


def test_the_whole_batch_names_the_sample_where_float_first_departs():
    at = AppTest.from_file("../app.py", default_timeout=120).run()
    at.selectbox(key="sample").set_value(0).run()  # the whole batch
    at = opened(at)
    text = said(at)
    assert "The first difference is o² = w·X, the output of L²" in text and " of sample " in text
    assert [g.get("id") for g in marked(diff_player(at)["frames"][1], "data-diff", "first")] == ["X3"]


def test_on_the_whole_batch_only_o2_reaches_the_learning_flow():
    """δ⁴ differs on the batch (its -1/3 is no float), but behind the ReLU gate float
    closed: δ³, δ², δw2 and δ¹ are "from o²" alone, and the words send δ⁴ nowhere."""
    at = AppTest.from_file("../app.py", default_timeout=120).run()
    at.selectbox(key="sample").set_value(0).run()  # the whole batch
    at = opened(at)
    rows = table(at)
    assert [rows[n]["why it differs"] for n in ("δ³", "δ²", "δw2", "δ¹")] == ["from o²"] * 4
    assert rows["δ⁴"]["why it differs"] == "its own rounding"
    text = said(at)
    assert "δ⁴ differs too, but not because of o²" in text and "reaches δ³" not in text


def test_a_rounded_lambda_has_its_row_among_what_float_reads():
    """Weights float holds exactly (1/2, -1/4, 1/8) and λ₂ = 1/1000: P differs because of
    the rounded λ₂, and the table shows it beside x and W2, named as the words name it."""
    doc = json.loads(dump_spec(load_preset("article")))
    doc["penalty"] = {"l2": "1/1000"}
    doc["layers"][1]["weights"] = [["1/2", "-1/4", "1/8"]]
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.session_state["workspace"] = load_spec(json.dumps(doc))
    at = opened(at.run())
    rows = table(at)
    assert list(rows)[:3] == ["x", "W2", "λ₂"] and "y" not in rows  # y (0 and 1) is a float
    assert rows["W2"]["why it differs"] == "—" and rows["λ₂"]["why it differs"] == "float holds it rounded"
    assert rows["λ₂"]["exact"] == "1/1000" and 0 < float(rows["λ₂"]["largest relative error"]) < 1e-15
    assert rows["P"]["why it differs"] == "the first difference"  # with these weights, no trap at o²
    assert "The first difference is P = λ₂·½Σw²" in said(at) and "(for one, λ₂ = 1/1000 becomes 0.001)" in said(at)


def test_the_view_follows_explores_neuron_view():
    at = opened()
    at.radio(key="view").set_value("neuron").run()
    assert not at.exception
    frames = diff_player(at)["frames"]
    assert [g.get("id") for g in marked(frames[1], "data-diff", "first")] == ["X3_1"]  # o2's neuron
    assert "Tagada strawberries" in "".join(ET.fromstring(frames[0]).itertext())  # the data's names


# The switch in a link (ui/share.py: ``diff=on``) ----------------------------------------

def linked(params: dict, spec=None) -> AppTest:
    """Explore opened from a link with these query parameters (and this model, if given)."""
    at = AppTest.from_file("../app.py", default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    if spec is not None:
        at.session_state["workspace"] = spec
    return at.run()


def test_the_switch_writes_diff_on_into_the_link_and_switching_off_drops_it():
    at = AppTest.from_file("../app.py", default_timeout=120).run()
    assert "diff" not in at.query_params
    at = opened(at)
    assert at.query_params.get("diff") == "on" and at.query_params.get("preset") == "article"
    at.toggle(key="diff_open").set_value(False).run()
    assert not at.exception and "diff" not in at.query_params
    assert at.query_params.get("preset") == "article"  # the rest of the link stays


def test_a_link_with_diff_on_opens_explore_with_the_comparison():
    at = linked({"preset": "article", "view": "neuron", "diff": "on"})
    assert not at.exception and not at.warning and not at.error
    assert at.toggle(key="diff_open").value is True
    assert "The first difference is o² = w·X" in said(at)
    # its own player, in the link's view: o2's neuron marked first
    assert [g.get("id") for g in marked(diff_player(at)["frames"][1], "data-diff", "first")] == ["X3_1"]
    assert at.query_params.get("diff") == "on"
    at.toggle(key="diff_open").set_value(False).run()  # the user's switch wins over the link
    assert not at.exception and "diff_player" not in components(at) and "diff" not in at.query_params


@pytest.mark.parametrize("value", ["<script>", "x", "1", "ON", "true", "", "on" * 500])
def test_a_bad_diff_value_warns_once_and_leaves_the_comparison_off(value):
    at = linked({"preset": "article", "diff": value})
    assert not at.exception and not at.error
    assert [w.value for w in at.warning] == [
        f"The link asks for diff {value[:20]!r}, but the only value is 'on'; the float-versus-exact "
        "comparison is off."]
    assert at.toggle(key="diff_open").value is False and "diff_player" not in components(at)
    assert "diff" not in at.query_params  # the address bar says what is shown
    at.run()
    assert not at.exception and not at.warning  # said once
    opened(at)  # and the page works: the switch by hand shows the comparison
    assert "diff_player" in components(at)


def wide_model():
    """A float model with a layer wider than exact arithmetic allows (MAX_EXACT_NEURONS)."""
    return load_spec(json.dumps({
        "format": "backprop-explorer/1", "name": "wide", "arithmetic": "float",
        "layers": [{"type": "input", "size": 1}, {"type": "linear", "size": MAX_EXACT_NEURONS + 1},
                   {"type": "relu"}, {"type": "linear", "size": 1}],
        "loss": "half_squared_error", "data": {"x": [[1]], "y": [[0]]}}))


@pytest.mark.parametrize("model", ["xor", "spiral", "wide"])
def test_a_diff_link_for_a_model_it_cannot_compare_says_why_and_shows_the_normal_view(model):
    """xor and spiral need exp (no exact value), "wide" has a layer too wide for exact
    arithmetic: one sentence says why the link's comparison is not shown."""
    spec = wide_model() if model == "wide" else None
    at = linked({"diff": "on"} if model == "wide" else {"preset": model, "diff": "on"}, spec)
    assert not at.exception and not at.error
    assert at.session_state["workspace"].name == model
    assert len(at.warning) == 1
    why = "exact arithmetic allows at most" if model == "wide" else "needs exp or log"
    warning = at.warning[0].value
    assert warning.startswith("This model has no exact arithmetic (") and why in warning
    assert warning.endswith("): the float-versus-exact comparison is not shown.")
    assert at.toggle(key="diff_open").value is False and "diff_player" not in components(at)
    assert [c for c in at.get("bidi_component") if c.key == "player"]  # the normal view
    assert "diff" not in at.query_params
    at.run()
    assert not at.warning  # said once
    at = opened(at)  # by hand: the one sentence, and still no parameter that would reopen nothing
    assert len(at.warning) == 1 and "No comparison" in at.warning[0].value
    assert "diff" not in at.query_params


def test_a_too_big_links_switch_is_dropped_with_the_lost_models_place():
    """``model=too-big``: the article stands in, and the switch (like the sample and the
    step) was the lost model's, so the article opens without the comparison."""
    at = linked({"model": "too-big", "diff": "on"})
    assert not at.exception and at.session_state["workspace"].name == "article"
    assert at.toggle(key="diff_open").value is False and "diff_player" not in components(at)
    assert "diff" not in at.query_params
