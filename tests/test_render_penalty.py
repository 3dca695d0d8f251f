"""With an L2/L1 penalty every view shows one δw per weight, the one descent uses: the
neuron view's edge label is the layer view's δw (data term + λ₂·w + λ₁·sign(w)), and the
chain-rule panel and the evaluation trace show that same total. A batch shows one row's
share (its data term) in both views; without a penalty nothing changes."""
import xml.etree.ElementTree as ET
from dataclasses import replace

import numpy as np
import pytest

from engine import latex as tex
from engine.evaluation_trace import evaluation_trace
from engine.explain import explain
from engine.numbers import format_number
from engine.penalty import penalty_of
from engine.presets import load_preset
from engine.record import record
from engine.render.layer_view import layer_view
from engine.render.neuron_view import neuron_view
from engine.render.svg import to_svg

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


def penalised_graph(preset: str, l2, l1, sample=1):
    spec = load_preset(preset)
    arithmetic = spec.model.arithmetic
    model = replace(spec.model, penalty=penalty_of(l2, l1, arithmetic))
    return record(model, *spec.data.sample(sample, arithmetic))


def edges(svg: str) -> dict:
    """Each edge's id -> (its label's texts, its tooltip)."""
    out = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        if g.get("class") == "edge" and g.get("id"):
            tips = [a.get(f"{XLINK}title") for a in g.iter(f"{SVG}a") if a.get(f"{XLINK}title")]
            out[g.get("id")] = ([t.text or "" for t in g.iter(f"{SVG}text")], tips[0] if tips else "")
    return out


def neuron_dw(svg: str, k: int, shape) -> dict:
    """W^k[i, j] -> the "δw = …" its neuron-view edge label shows."""
    found = edges(svg)
    out = {}
    for i in range(shape[0]):
        for j in range(shape[1]):
            label = found.get(f"L{k}_{i + 1}_{j + 1}")
            if label:
                out[i, j] = next(t for t in label[0] if t.startswith("δw = "))
    return out


@pytest.mark.parametrize("preset,l2,l1", [("xor", "0.1", "0.01"), ("article", "1/10", "0")])
def test_the_neuron_view_shows_the_layer_views_dw_penalty_included(preset, l2, l1):
    g = penalised_graph(preset, l2, l1, sample=3 if preset == "article" else 1)
    total, term = g.weight_grads["W2"], g.penalty_grads["W2"]
    layer_tip = edges(to_svg(layer_view(g)))["W2"][1]
    shown = dict(line.split(" = ", 1) for line in layer_tip.split("\n"))["δw2"]
    assert shown == "(" + ", ".join(format_number(v) for v in np.ravel(total)) + ")"  # the layer view: the total
    svg = to_svg(neuron_view(g))
    labels = neuron_dw(svg, 2, total.shape)
    assert labels  # the edges of W2 are drawn
    differs = False
    for (i, j), label in labels.items():
        assert label == f"δw = {format_number(total[i, j], 4)}"  # the same δw as the layer view's
        data = total[i, j] - term[i, j]
        differs |= format_number(data, 4) != format_number(total[i, j], 4)
        tip = edges(svg)[f"L2_{i + 1}_{j + 1}"][1]
        assert "plus the penalty's term" in tip and format_number(term[i, j], 4) in tip  # what it adds up
    assert differs  # the penalty does change a label: the test would see the data term
    # the chain-rule panel's δw2 step and the evaluation trace show the same total
    step = next(e.step for e in g.timeline if e.name == "δw2")
    assert explain(g, step).substituted.endswith(f"= {tex.matrix(total)}")
    row = evaluation_trace(g)["rows"][step]
    assert row["value"] == tex.matrix(total)


def test_without_a_penalty_the_neuron_views_dw_is_delta_times_o():
    spec = load_preset("xor")
    g = record(spec.model, *spec.data.sample(1, "float"))
    svg = to_svg(neuron_view(g))
    w = g.weight_grads["W2"]
    for (i, j), label in neuron_dw(svg, 2, w.shape).items():
        assert label == f"δw = {format_number(g.delta(3)[0][i] * g.o(1)[0][j], 4)}"
        assert "penalty" not in edges(svg)[f"L2_{i + 1}_{j + 1}"][1]


def test_a_batch_shows_one_rows_share_in_both_views_penalty_or_not():
    spec = load_preset("xor")
    model = replace(spec.model, penalty=penalty_of("0.1", "0.01", "float"))
    g = record(model, *spec.data.batch("float", slice(0, 4)))
    row = g.sample_weight_grads(2)["W2"]  # the penalty is the batch's, not a row's
    layer_tip = edges(to_svg(layer_view(g, sample=2)))["W2"][1]
    assert dict(line.split(" = ", 1) for line in layer_tip.split("\n"))["δw2"] == \
        "(" + ", ".join(format_number(v) for v in np.ravel(row)) + ")"
    svg = to_svg(neuron_view(g, sample=2))
    for (i, j), label in neuron_dw(svg, 2, row.shape).items():
        assert label == f"δw = {format_number(row[i, j], 4)}"
        assert "penalty" not in edges(svg)[f"L2_{i + 1}_{j + 1}"][1]


def node_texts(svg: str, node_id: str) -> list[str]:
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        if g.get("class") == "node" and g.get("id") == node_id:
            return [t.text or "" for t in g.iter(f"{SVG}text")]
    raise AssertionError(f"no node {node_id}")


@pytest.mark.parametrize("preset,l2,l1", [("xor", "0.1", "0.01"), ("article", "1/10", "0")])
def test_both_views_loss_nodes_show_the_objective_with_a_penalty(preset, l2, l1):
    g = penalised_graph(preset, l2, l1, sample=3 if preset == "article" else 1)
    objective = f"mean loss + P = {format_number(g.loss)}"
    assert objective in node_texts(to_svg(layer_view(g)), "Loss")
    neuron = node_texts(to_svg(neuron_view(g)), "Loss")
    assert any(t.startswith("mean loss + P = ") for t in neuron)
    assert format_number(g.loss, 4) in " ".join(neuron) or objective in neuron  # the same number
    plain = record(load_preset(preset).model, *load_preset(preset).data.sample(1, load_preset(preset).model.arithmetic))
    assert not any("P =" in t for t in node_texts(to_svg(neuron_view(plain)), "Loss"))
