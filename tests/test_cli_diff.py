"""``diff``: one sample in exact and in float, node by node, the first difference first.
The float trap's digits depend on the BLAS kernel: only its sign and size are asserted."""
import json
from fractions import Fraction as F

import pytest

from engine.cli import main
from engine.render import path_view
from float_trap import is_float_trap
from random_models import write_model

ARTICLE_ORDER = ["o1", "o2", "o3", "loss", "δ4", "δ3", "δ2", "δw2", "δ1"]


def cli(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_the_articles_trap_starts_at_o2(capsys):
    status, out, err = cli(capsys, "diff", "--preset", "article", "--sample", "3", "--json")
    assert status == 0, err
    t = json.loads(out)
    nodes = {n["name"]: n for n in t["nodes"]}
    assert t["first"] == "o2" and [n["name"] for n in t["nodes"]] == ARTICLE_ORDER
    o2 = nodes["o2"]
    assert o2["differs"] and o2["exact"] == [0] and is_float_trap(o2["float"][0])
    assert o2["abs_error"][0] == -o2["float"][0] and o2["rel_error"] == [None]  # exact 0: undefined
    assert not nodes["o1"]["differs"] and not nodes["o3"]["differs"]  # the ReLU hides it forward
    assert not nodes["loss"]["differs"] and nodes["loss"]["exact"] == "1/2"
    d3 = nodes["δ3"]
    assert d3["differs"] and d3["exact"] == [-1] and d3["float"] == [0] and d3["rel_error"] == [1]
    assert nodes["δw2"]["exact"] == [[0, -2000, -3000]] and nodes["δw2"]["float"] == [[0, 0, 0]]
    assert [F(v) for v in nodes["δ2"]["exact"]] == [F(-1, 200), F(3, 11600), F(-1, 5800)]
    first, why, *_, stop = t["why"]  # the words of Explore's view, its names (docs/cli.md)
    assert first.startswith("The first difference is o² = w·X, the output of L²") and "δ³ = 0 in float" in stop


def test_why_names_values_as_the_graph_counting_from_1(capsys):
    """``first`` and ``nodes`` keep the record's keys ("o2"); ``why`` is Explore's
    sentences: a weight as the paths panel names it (W2[1,1], not W2[0,0]), the layers
    and nodes as the graph labels them (L³, δ³)."""
    _, out, _ = cli(capsys, "diff", "--preset", "article", "--sample", "3", "--json")
    t = json.loads(out)
    why = " ".join(t["why"])
    assert t["first"] == "o2" and f"{path_view.component('W2', (0, 0))} = 1/200 becomes 0.005" in why
    assert "W2[0,0]" not in why and "ReLU gate of L³ closes" in why and "∂L³/∂X³" in why
    assert "δ², δw2 and δ¹ are 0 too" in why


def test_text_names_the_first_difference_first(capsys):
    status, out, _ = cli(capsys, "diff", "--preset", "article", "--sample", "3")
    lines = out.splitlines()
    assert status == 0 and lines[1].startswith("  first difference: o2: exact (0), float (-")
    assert [line.split()[0] for line in lines[2:]] == ARTICLE_ORDER
    assert "  o3     same      (0)" in lines and any(l.startswith("  δ3     differs   exact (-1)   float (0)") for l in lines)


def test_a_sample_float_gets_right(capsys):
    status, out, _ = cli(capsys, "diff", "--preset", "article", "--sample", "2", "--json")
    t = json.loads(out)
    assert status == 0 and t["first"] is None and not any(n["differs"] for n in t["nodes"])
    assert t["why"][0].startswith("Float gives the exact value at every node")


def test_a_float_only_model_is_one_clear_line(capsys):
    status, out, err = cli(capsys, "diff", "--preset", "xor")
    assert status == 2 and out == "" and err.count("\n") == 1
    assert "exact arithmetic is impossible for this model: layer 3 (tanh) needs exp or log" in err


@pytest.mark.parametrize("seed", range(6))
def test_random_models_diff_is_the_two_traces(tmp_path, capsys, seed):
    """diff's exact and float values are trace's in each arithmetic, and the first node
    it names is the first whose values differ."""
    path = write_model(tmp_path / "m.json", seed, "exact")
    _, out, _ = cli(capsys, "diff", "--model", path, "--sample", "2", "--json")
    t = json.loads(out)
    traces = {}
    for arithmetic in ("exact", "float"):
        _, out, _ = cli(capsys, "trace", "--model", path, "--sample", "2", "--arithmetic", arithmetic, "--json")
        traces[arithmetic] = json.loads(out)

    def traced(tr, name):
        if name == "loss":
            return tr["loss"]
        if name.startswith("o"):
            return tr["outputs"][name]
        if name.startswith("δw") or name.startswith("δb"):
            return tr["weight_grads"][name[1:].replace("w", "W", 1)]
        return tr["deltas"]["delta" + name[1:]]

    for n in t["nodes"]:
        assert n["exact"] == traced(traces["exact"], n["name"])
        assert n["float"] == traced(traces["float"], n["name"])
    first = next((n["name"] for n in t["nodes"] if n["differs"]), None)
    assert t["first"] == first


def test_with_a_penalty_each_node_says_where_its_difference_starts(tmp_path, capsys):
    """The article with λ₂ = 1/1000: P differs because float holds the weights and λ₂
    rounded, so P is an origin of its own (not reached by o²), and the loss is reached by
    P; ``why`` says so in Explore's words."""
    from engine.presets import load_preset
    from engine.spec import dump_spec
    doc = json.loads(dump_spec(load_preset("article")))
    doc["penalty"] = {"l2": "1/1000"}
    path = tmp_path / "m.json"
    path.write_text(json.dumps(doc))
    _, out, _ = cli(capsys, "diff", "--model", str(path), "--sample", "3", "--json")
    t = json.loads(out)
    origins = {n["name"]: n["origins"] for n in t["nodes"]}
    assert t["first"] == "o2" and origins["o2"] == ["o2"] and origins["P"] == ["P"]
    assert origins["loss"] == ["P", "loss"]  # reached by P, and its sum ½(o³ − y)² + P rounds
    assert origins["δ3"] == ["o2"] and origins["o1"] == [] and origins["δ4"] == []
    assert origins["δw2"] == ["o2", "δw2"]  # as the words: "δw2 differs on its own account too"
    why = " ".join(t["why"])
    assert "reaches P" not in why and "P differs too, but not because of o²: it reads numbers float cannot " \
        "hold (for one, W2[1,1] = 1/200 becomes 0.005); its difference reaches the loss." in why
    assert "δw2 differs on its own account too" in why


@pytest.mark.parametrize("penalty", [{"l2": "1/1000"}, {"l1": "1/3"}, {}])
@pytest.mark.parametrize("sample", [1, 2, 3])
def test_every_origin_in_the_json_is_one_the_words_name(tmp_path, capsys, penalty, sample):
    """``origins`` and ``why`` come from one source: each origin a node lists is the first
    difference, or has a sentence of its own ("P differs too", "δw2 differs on its own
    account too"), and each such sentence names an origin the JSON lists."""
    from engine.float_names import node_name
    from engine.presets import load_preset
    from engine.spec import dump_spec
    doc = json.loads(dump_spec(load_preset("article")))
    doc["penalty"] = penalty
    path = tmp_path / "m.json"
    path.write_text(json.dumps(doc))
    _, out, _ = cli(capsys, "diff", "--model", str(path), "--sample", str(sample), "--json")
    t = json.loads(out)
    listed = {o for n in t["nodes"] for o in n["origins"]}
    said = {o for o in listed if any(s.lower().startswith(node_name(o).lower() + " differs")
                                     for s in t["why"])}
    assert listed == said | ({t["first"]} if t["first"] else set())
    others = [s for s in t["why"] if " differs too" in s or " differs on its own account" in s]
    assert len(others) == len(listed - {t["first"]})
