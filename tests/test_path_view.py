"""A weight's paths drawn in the graph (engine/render/path_view.py): the elements marked
for a path are the path's own, in the order it runs, joined edge to node in the drawn
SVG; the paths add up to δw; a click on a weight's edge names it; a path in words
(``named``) names, counted from 1, exactly the neurons the neuron view labels and marks."""
import json

import numpy as np
import pytest

from engine.layers import Linear
from engine.paths import weight_paths
from engine.presets import load_preset
from engine.record import record
from engine.render import path_view, picture
from engine.render.frames import view_picture
from engine.render.svg import to_svg
from engine.render.svgdoc import SVG, serialise
from engine.spec import load_spec
from random_models import model_doc


def article():
    p = load_preset("article", "exact")
    return record(p.model, *p.data.sample(3, "exact"))


def drawn(graph, view: str) -> str:
    return to_svg(view_picture(graph, view, legend=False))


def titles(svg: str) -> dict[str, str]:
    """Each node's and edge's id → its Graphviz title: a node's name, an edge's "tail->head"."""
    from engine.render.svgdoc import parse
    return {g.get("id"): g.find(f"{SVG}title").text for g in parse(svg).iter(f"{SVG}g")
            if g.get("class") in ("node", "edge")}


def assert_joined(ids: list[str], named: dict[str, str]) -> None:
    """Along ``ids`` (node, edge, node, …, the loss) each edge joins the nodes either side."""
    present = [i for i in ids if i in named]
    for before, edge, after in zip(present, present[1:], present[2:]):
        if "->" in named[edge]:
            assert named[edge] == f"{named[before]}->{named[after]}", (before, edge, after)


def labels(svg: str) -> dict[str, str]:
    """Each neuron view node's id → the first line of its label, the neuron's name (o²₁)."""
    from engine.render.svgdoc import parse
    return {g.get("id"): g.find(f"{SVG}text").text for g in parse(svg).iter(f"{SVG}g")
            if g.get("class") == "node" and g.find(f"{SVG}text") is not None}


def marked_neurons(graph, found, path, svg: str) -> list[str]:
    """The names the drawing gives the neurons marked for ``path``, in the path's order."""
    named = labels(svg)
    return [named[i] for i in path_view.path_ids(graph, found, path, "neuron") if i[0] == "X" and i in named]


def marked(root) -> list[tuple[str, str]]:
    return sorted((g.get("data-path-order"), g.get("id")) for g in root.iter(f"{SVG}g")
                  if "bp-path" in (g.get("class") or "").split())


def test_the_articles_w2_0_1_runs_through_its_neurons_and_its_layers():
    g = article()
    found = weight_paths(g, "W2", (0, 1))
    path = found.paths[0]
    assert path_view.path_ids(g, found, path, "neuron") == ["X2_2", "L2_1_2", "X3_1", "L3_1_1", "X4_1",
                                                          "Loss_1", "Loss"]
    assert path_view.path_ids(g, found, path, "layer") == ["L2.W", "W2", "L2", "X3", "L3", "X4", "Loss"]
    for view in ("neuron", "layer"):
        svg = drawn(g, view)
        ids = path_view.path_ids(g, found, path, view)
        assert_joined(ids, titles(svg))
        root, missing = path_view.mark(svg, ids)
        assert missing == []
        assert [i for _, i in sorted(marked(root), key=lambda t: int(t[0]))] == ids
        others = [g_ for g_ in root.iter(f"{SVG}g") if g_.get("class") in ("node bp-dim", "edge bp-dim")]
        assert others and all(o.get("opacity") == "0.3" for o in others)
        weight_edge = next(g_ for g_ in root.iter(f"{SVG}g") if g_.get("id") == ids[1])
        strokes = {s.get("stroke") for s in weight_edge.iter() if s.tag in (f"{SVG}path", f"{SVG}polygon")}
        assert strokes == {path_view.COLORS["light"]}  # redrawn in the path's colour
        assert "bp-path" in serialise(root)


def test_each_component_of_the_article_marks_its_own_input_neuron():
    g = article()
    first = {j: path_view.path_ids(g, f := weight_paths(g, "W2", (0, j)), f.paths[0], "neuron")[:2]
             for j in range(3)}
    assert first == {0: ["X2_1", "L2_1_1"], 1: ["X2_2", "L2_1_2"], 2: ["X2_3", "L2_1_3"]}


@pytest.mark.parametrize("seed", [5, 8, 9, 11])  # models with a fan-out: several paths per weight
def test_random_models_every_path_is_marked_along_the_drawing_and_they_add_up(seed):
    spec = load_spec(json.dumps(model_doc(seed, "exact")))
    graph = record(spec.model, *spec.data.sample(2, "exact"))
    svgs = {view: drawn(graph, view) for view in ("neuron", "layer")}
    named = {view: titles(svg) for view, svg in svgs.items()}
    several = 0
    for name, w in spec.model.weights().items():
        for index in np.ndindex(w.shape):
            found = weight_paths(graph, name, index)
            assert found.total == found.recorded == graph.weight_grads[name][index]
            several += len(found.paths) > 1
            marks = set()
            for path in found.paths:
                ids = path_view.path_ids(graph, found, path, "neuron")
                k = int(name[1:])
                units = [f"X{m + 1}_{u + 1}" for m, u in enumerate(path.units, k)]
                assert [i for i in ids if i in units] == units  # the path's own neurons, in order
                assert_joined(ids, named["neuron"])
                _, missing = path_view.mark(svgs["neuron"], ids)
                for gone in missing:  # only a zero weight draws no edge in so small a model
                    m, b, a = (int(x) for x in gone[1:].split("_"))
                    layer = spec.model.layer(m)
                    assert isinstance(layer, Linear) and layer.params["W"][b - 1, a - 1] == 0, gone
                marks.add(tuple(ids))
                layer_ids = path_view.path_ids(graph, found, path, "layer")
                assert layer_ids[:3] == [f"L{k}.{name[0]}", name, f"L{k}"] and layer_ids[-1] == "Loss"
                assert_joined(layer_ids, named["layer"])
            assert len(marks) == len(found.paths)  # every path marks something else
    assert several


def test_a_batch_rows_paths_add_up_to_its_share_and_the_rows_to_the_batch():
    spec = load_spec(json.dumps(model_doc(9, "exact")))
    graph = record(spec.model, *spec.data.batch("exact"))
    assert graph.batch_size == 3
    for name, w in spec.model.weights().items():
        for index in np.ndindex(w.shape):
            rows = [weight_paths(graph, name, index, row) for row in range(3)]
            assert all(r.total == r.recorded for r in rows)
            assert sum(r.total for r in rows) == graph.weight_grads[name][index]


def test_a_fused_sigmoid_and_cross_entropy_path_still_reaches_the_loss_through_the_sigmoid():
    spec = load_preset("xor")
    graph = record(spec.model, *spec.data.sample(2, "float"))
    K = graph.K
    name = f"W{K - 1}"
    found = weight_paths(graph, name, (0, 0))
    ids = path_view.path_ids(graph, found, found.paths[0], "neuron")
    assert ids[-4:] == [f"L{K}_1_1", f"X{K + 1}_1", "Loss_1", "Loss"]
    assert_joined(ids, titles(drawn(graph, "neuron")))


@pytest.mark.parametrize("element,expected", [
    ("W2", ("W2", None)), ("L2.W", ("W2", None)), ("L2_1_2", ("W2", (0, 1))), ("L2_1_3", ("W2", (0, 2))),
    ("L2_2_1", None),  # W2 is 1×3: no row 2
    ("L3_1_1", None),  # the ReLU's edge: no weight
    ("X3", None), ("Loss", None), ("L2", None), ("L_1_2", None), ("", None), (None, None),
])
def test_a_click_names_the_weight_it_hit(element, expected):
    assert path_view.clicked_weight(article(), element) == expected


def test_a_path_through_a_neuron_the_view_leaves_out_is_reported_missing():
    """The neuron view draws at most 12 neurons a layer: a path through another one names
    what the drawing lacks instead of marking something else."""
    doc = {"format": "backprop-explorer/1", "arithmetic": "exact", "layers": [
        {"type": "input", "size": 1},
        {"type": "linear", "size": 20, "weights": [[n + 1] for n in range(20)]},
        {"type": "linear", "size": 1, "weights": [[1] * 20]}],
        "loss": "half_squared_error", "data": {"x": [[1]], "y": [[0]]}}
    spec = load_spec(json.dumps(doc))
    graph = record(spec.model, *spec.data.sample(1, "exact"))
    svg = drawn(graph, "neuron")
    named = titles(svg)
    missing_by_unit = {}
    for i in range(20):
        found = weight_paths(graph, "W2", (i, 0))
        ids = path_view.path_ids(graph, found, found.paths[0], "neuron")
        root, missing = path_view.mark(svg, ids)
        assert all(m not in named for m in missing) and all(i_ in named for i_ in ids if i_ not in missing)
        assert {g.get("id") for g in root.iter(f"{SVG}g") if "bp-path" in (g.get("class") or "")} \
            == set(ids) - set(missing)
        missing_by_unit[i] = missing
    hidden = [i for i, m in missing_by_unit.items() if m]
    assert len(hidden) == 8  # 20 neurons, 12 drawn (the largest |δ|: units 9 … 20)
    assert missing_by_unit[0] == ["L2_1_1", "X3_1", "L3_1_1"]


def test_the_articles_path_in_words_names_the_graphs_neurons_counted_from_1():
    g = article()
    found = weight_paths(g, "W2", (0, 2))  # the engine's (and the CLI's --index) 0,2
    said = path_view.named(g, found, found.paths[0])
    assert said.route == "o¹₃ → o²₁ → o³₁ → loss"
    assert said.labels == ("o¹₃", "∂o³₁/∂o²₁", "∂loss/∂o³₁") and said.fused is None
    assert list(said.neurons) == marked_neurons(g, found, found.paths[0], drawn(g, "neuron"))
    assert path_view.gradient(found) == "δw2[1,3]" and path_view.component("W2", (0, 2)) == "W2[1,3]"
    assert path_view.joins("W2", (0, 2)) == "o¹₃ → o²₁"
    assert path_view.joins("b2", (0,)) == "o²₁"  # a bias feeds its unit: no edge of its own


@pytest.mark.parametrize("index", [(0,), (4, 2), (0, 0), (11, 99)])
def test_counted_is_the_engines_index_plus_one_and_uncounted_undoes_it(index):
    assert path_view.counted(index) == tuple(i + 1 for i in index)
    assert path_view.uncounted(path_view.counted(index)) == index


@pytest.mark.parametrize("seed", [5, 8, 9, 11])
def test_random_models_each_path_names_the_neurons_it_marks_and_the_sum_is_dw_exactly(seed):
    spec = load_spec(json.dumps(model_doc(seed, "exact")))
    graph = record(spec.model, *spec.data.sample(2, "exact"))
    svg = drawn(graph, "neuron")
    for name, w in spec.model.weights().items():
        for index in np.ndindex(w.shape):
            found = weight_paths(graph, name, index)
            assert found.total == found.recorded  # exact: Fractions, no rounding
            for path in found.paths:
                said = path_view.named(graph, found, path)
                assert list(said.neurons) == marked_neurons(graph, found, path, svg)
                assert len(said.labels) == len(path.factors)
                assert said.labels[-1] == f"∂loss/∂{said.neurons[-1]}"  # no fused loss here


def test_a_fused_sigmoid_and_cross_entropy_path_names_the_sigmoids_neuron_it_marks():
    """xor ends in a Sigmoid with binary cross-entropy: one factor, ∂loss/∂o^{K-1} = o^K − y,
    spans two steps; the text names o^K as the highlight does, and says why."""
    spec = load_preset("xor")
    graph = record(spec.model, *spec.data.sample(2, "float"))
    K, svg = graph.K, drawn(graph, "neuron")
    for name in ("W2", f"W{K - 1}", f"b{K - 1}"):
        found = weight_paths(graph, name, (0, 1) if name == "W2" else (0,) * graph.model.weights()[name].ndim)
        for path in found.paths:
            said = path_view.named(graph, found, path)
            assert list(said.neurons) == marked_neurons(graph, found, path, svg)
            top, below = said.neurons[-1], said.neurons[-2]
            assert top == f"o{picture.sup(K).text}₁" and below == f"o{picture.sup(K - 1).text}₁"
            assert said.route.endswith(f"{below} → {top} → loss")
            assert said.labels[-1] == f"∂loss/∂{below}"  # one factor for σ and the loss together
            assert said.fused.startswith(f"{top} = sigmoid({below}) and the binary cross-entropy are "
                                         "differentiated together: the last factor, ")
            assert f"{below} → {top} → loss in one step" in said.fused
            if name.startswith("b"):  # a bias's input is 1, and it has no input neuron
                # named as the derivative it is, ∂o^k_1/∂b^k[1] (= 1): a bare "1" read "1 = 1" in the table
                assert said.labels[0] == f"∂{below}/∂{name}[1]" and said.neurons[0] == below
                assert path.factors[0] == 1
            o_K, y = graph.o(K)[0][0], graph.y[0][0]
            assert path.factors[-1] == pytest.approx(o_K - y, rel=1e-12)  # what the text says it is
        assert found.total == pytest.approx(found.recorded, rel=1e-9, abs=1e-15)
    layer_ids = path_view.path_ids(graph, found, found.paths[0], "layer")
    assert layer_ids[-3:] == [f"L{K}", f"X{K + 1}", "Loss"]  # the layer view crosses the sigmoid too


@pytest.mark.parametrize("seed", [5, 8])
def test_value_names_every_neuron_as_the_neuron_view_labels_it(seed):
    """path_view.value, the names of Explore's float-vs-exact words: the unit u (from 0)
    of o^m is the label of neuron X{m+1}_{u+1}, an input its feature's name (x₁ without);
    a weight and its gradient are written as the paths panel writes them, from 1."""
    spec = load_spec(json.dumps(model_doc(seed, "exact")))
    graph = record(spec.model, *spec.data.sample(2, "exact"))
    features = ("height", "weight", "age", "shoe size")[:graph.x.shape[1]]
    for names in ((), features):
        shown = labels(to_svg(view_picture(graph, "neuron", legend=False, feature_names=names)))
        for node, label in shown.items():
            if node[0] == "X" and node[1:].replace("_", "").isdigit():
                c, u = map(int, node[1:].split("_"))
                name = "x" if c == 1 else f"o{c - 1}"
                assert path_view.value(name, (u - 1,), names) == label
    assert path_view.value("δ3", (1,)) == "δ³₂" and path_view.value("δ12") == "δ¹²"
    assert path_view.value("o2") == "o²" and path_view.value("loss") == "loss" and path_view.value("y", (0,)) == "y₁"
    assert path_view.value("W2", (0, 2)) == path_view.component("W2", (0, 2)) == "W2[1,3]"
    assert path_view.value("δw2", (1, 0)) == "δw2[2,1]" and path_view.value("b3", (0,)) == "b3[1]"
    assert path_view.scripted("L", 3) == "L³" and path_view.scripted("X", 10) == "X¹⁰"
