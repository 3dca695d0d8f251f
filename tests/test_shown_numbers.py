"""The numbers the views print are the derivatives they claim to be.

Every check runs in exact arithmetic on a piecewise-linear net under ½(x − y)²: away
from a ReLU kink the loss is quadratic in any one input, weight or hidden value, so a
central difference with a rational step is the exact derivative, and the shown text
(p/q) is compared with ``==``. Covered: the neuron view's per-edge impacts δ^{k+1}_j ·
∂L_j/∂X_i, forward contributions w·o and per-edge δw; the chain-rule panel's
substituted numbers and sum of impacts; the layer view's per-sample δw in a batch.
"""
import re
import xml.etree.ElementTree as ET
from fractions import Fraction as F

import numpy as np
import pytest

from engine import Input, Linear, Model, ReLU, record
from engine.explain import explain
from engine.losses import HalfSquaredError
from engine.render.layer_view import layer_view
from engine.render.neuron_view import neuron_view
from engine.render.svg import to_svg

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"

H = F(1, 10 ** 6)  # every ReLU input below is at least 1/15 away from its kink


def fractions(rows):
    return np.array([[F(v) for v in row] for row in rows], dtype=object)


def net() -> Model:
    """2 → linear 3 → relu → linear 2: fan-out at every layer, one ReLU closed."""
    w1 = fractions([["1/2", "-1/3"], ["2/5", "1/4"], ["-3/4", "1/2"]])
    w2 = fractions([["1/3", "-1/2", "2/3"], ["-1/4", "3/5", "1/2"]])
    return Model((Input(2), Linear(2, 3, w1, fractions([["1/10", "-1/5", "3/10"]])[0], arithmetic="exact"),
                  ReLU(3), Linear(3, 2, w2, fractions([["1/7", "-2/7"]])[0], arithmetic="exact")),
                 HalfSquaredError(), arithmetic="exact")


X = fractions([[1, 2], [-1, "1/2"], ["1/3", -1]])
Y = fractions([[1, 0], [0, 1], ["1/2", "1/2"]])


def central(f) -> F:
    return (f(H) - f(-H)) / (2 * H)


def d_loss_d_input(model: Model, k: int, xk: np.ndarray, s: int, i: int) -> F:
    """∂(batch loss)/∂X^k_i at sample row s: layers k … K run on a nudged X^k."""
    rest = Model((Input(xk.shape[1]),) + model.layers[k - 1:], model.loss, arithmetic="exact")

    def loss(h):
        nudged = xk.copy()
        nudged[s, i] += h
        return record(rest, nudged, Y).loss
    return central(loss)


def d_sample_loss_d_weight(model: Model, name: str, index: tuple, s: int) -> F:
    """∂(sample s's share of the batch loss)/∂name[index]: what δw of one sample is."""
    def loss(h):
        w = model.weights()[name].copy()
        w[index] += h
        return record(model.with_weights({name: w}), X, Y).sample_losses[s] / len(X)
    return central(loss)


def d_layer(model: Model, k: int, row: np.ndarray, j: int, i: int) -> F:
    """∂L^k_j/∂X^k_i: layer k alone, on one row."""
    def out(h):
        nudged = row.copy()
        nudged[i] += h
        return model.layer(k).forward(nudged[None, :])[0, j]
    return central(out)


def drawn(picture) -> ET.Element:
    """The SVG a user sees (the view's Picture, laid out and painted)."""
    return ET.fromstring(to_svg(picture))


def tooltips(svg: ET.Element) -> dict[str, str]:
    """Each edge id → its tooltip, as the browser shows it."""
    return {g.get("id"): next(g.iter(f"{SVG}a")).get(f"{XLINK}title")
            for g in svg.iter(f"{SVG}g") if g.get("class") == "edge"}


def edge_numbers(svg: ET.Element) -> dict[str, dict[str, F]]:
    """Each edge id → its tooltip's numbers by name ("δ·w" → value)."""
    return {edge_id: {name: F(value) for name, value in (line.split(" = ") for line in text.split("\n"))}
            for edge_id, text in tooltips(svg).items()}


def node_numbers(svg: ET.Element) -> dict[str, tuple[F, F]]:
    """Each neuron node "X2_1" → the (o, δ) its label shows."""
    out = {}
    for g in svg.iter(f"{SVG}g"):
        if g.get("class") == "node" and re.fullmatch(r"X\d+_\d+", g.get("id")):
            lines = dict(t.text.split(" = ") for t in g.iter(f"{SVG}text") if " = " in t.text)
            out[g.get("id")] = (F(lines["o"]), F(lines["δ"]))
    return out


@pytest.mark.parametrize("s", range(len(X)))
def test_neuron_view_edges_and_nodes_show_the_derivatives(s):
    model = net()
    g = record(model, X, Y)
    svg = drawn(neuron_view(g, sample=s))
    edges, nodes = edge_numbers(svg), node_numbers(svg)
    K = model.K
    for c in range(1, K + 2):  # X^c, the input of layer c (of the loss for c = K + 1)
        for i in range(g.o(c - 1).shape[1]):
            o, d = nodes[f"X{c}_{i + 1}"]
            assert o == g.o(c - 1)[s, i]
            assert d == d_loss_d_input(model, c, g.o(c - 1), s, i)
            if c <= K:  # δ^c_i is the sum of the impacts leaving X^c_i
                leaving = [e for e in edges if e.startswith(f"L{c}_") and e.endswith(f"_{i + 1}")]
                assert sum(next(v for n, v in edges[e].items() if n.startswith("δ·")) for e in leaving) == d
    for edge_id, shown in edges.items():
        if edge_id.startswith("Loss_"):
            i = int(edge_id.split("_")[1]) - 1
            assert shown == {"o": g.o(K)[s, i], "δ": d_loss_d_input(model, K + 1, g.o(K), s, i)}
            continue
        k, j, i = (int(n) for n in edge_id[1:].split("_"))
        j, i = j - 1, i - 1
        local = d_layer(model, k, g.o(k - 1)[s], j, i)
        impact = d_loss_d_input(model, k + 1, g.o(k), s, j) * local
        if isinstance(model.layer(k), Linear):
            assert shown["δ·w"] == impact
            assert shown["w·o"] == local * g.o(k - 1)[s, i]
            assert shown["δw"] == d_sample_loss_d_weight(model, f"W{k}", (j, i), s)
        else:
            assert shown == {"∂": local, "δ·∂": impact}
    for k in (2, 4):  # forward, a linear neuron's contributions and its bias add up to its o
        for j in range(g.o(k).shape[1]):
            into = [v["w·o"] for e, v in edges.items() if e.startswith(f"L{k}_{j + 1}_")]
            assert sum(into) + model.layer(k).params["b"][j] == nodes[f"X{k + 1}_{j + 1}"][0]


LATEX_NUMBER = re.compile(r"(-?)\\frac\{(\d+)\}\{(\d+)\}|(-?\d+)")


def latex_numbers(text: str) -> list[F]:
    return [F(int(num), int(den)) * (-1 if sign else 1) if num else F(int(whole))
            for sign, num, den, whole in LATEX_NUMBER.findall(text)]


@pytest.mark.parametrize("s", range(len(X)))
def test_the_chain_rule_panel_substitutes_the_derivatives(s):
    model = net()
    g = record(model, X, Y)
    checked = 0
    for event in g.timeline:
        if event.phase != "backward":
            continue
        k = event.k
        shown = explain(g, event.step, s)
        clauses = shown.substituted.split(r", \quad ")
        result = latex_numbers(clauses[0].rsplit(" = ", 1)[1])
        assert result == [d_loss_d_input(model, k, g.o(k - 1), s, i) for i in range(g.o(k - 1).shape[1])]
        if k <= model.K and isinstance(model.layer(k), Linear):  # then δw^k of this sample
            # δw^k is the next step's, not this one's (the panel shows what the flow has reached)
            assert "delta w" not in shown.substituted
            dw = latex_numbers(explain(g, event.step + 1, s).substituted.rsplit(" = ", 1)[1])
            W = model.layer(k).params["W"]
            assert dw == [d_sample_loss_d_weight(model, f"W{k}", idx, s) for idx in np.ndindex(W.shape)]
        if shown.impacts:  # δ^k_1 = Σ_j δ^{k+1}_j · ∂L^k_j/∂X^k_1, term by term
            *_, terms, total = shown.impacts.split(" = ")
            products = [latex_numbers(t) for t in terms.split(" + ")]
            assert [p[1] for p in products] == [d_layer(model, k, g.o(k - 1)[s], j, 0)
                                                for j in range(len(products))]
            assert [p[0] for p in products] == [d_loss_d_input(model, k + 1, g.o(k), s, j)
                                                for j in range(len(products))]
            assert sum(a * b for a, b in products) == latex_numbers(total)[0] == result[0]
        checked += 1
    assert checked == model.K + 1


def test_the_layer_view_of_a_batch_shows_each_samples_weight_gradient():
    model = net()
    g = record(model, X, Y)
    per_sample = [g.sample_weight_grads(s) for s in range(len(X))]
    for name, total in g.weight_grads.items():  # the batch gradient is their sum
        assert (sum(grads[name] for grads in per_sample) == total).all()
    for s in range(len(X)):
        tips = tooltips(drawn(layer_view(g, sample=s)))
        for name, w in model.weights().items():
            tip = tips[name]  # the weight edge's id is its weight's name: "W2"
            text = re.fullmatch(rf"{name} = [^\n]*\nδ{name[0].lower()}{name[1:]} = \(([^)]*)\)", tip)
            shown = [F(v) for v in text.group(1).split(", ")]
            assert shown == [d_sample_loss_d_weight(model, name, idx, s) for idx in np.ndindex(w.shape)]
