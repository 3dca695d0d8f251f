"""L2/L1 penalties (engine/penalty.py): the objective loss + λ₂·½Σw² + λ₁·Σ|w| over the
weight matrices, its gradient against finite differences in float and exactly in exact
arithmetic, the model file's key, the graph's Penalty node, the chain-rule text, training
and `train --l2/--l1`."""
import json
from dataclasses import replace
from fractions import Fraction as F

import numpy as np
import pytest

from engine import latex
from engine.cli import main
from engine.explain import explain, step_texts
from engine.gradcheck import gradcheck
from engine.penalty import Penalty, penalty_of
from engine.presets import load_preset
from engine.record import record
from engine.spec import dump_spec, load_spec, spec_to_dict
from engine.spec_json import SpecError
from engine.train import train
from engine.descent import record_step


def penalised(spec, l2=0, l1=0):
    arithmetic = spec.model.arithmetic
    return replace(spec, model=replace(spec.model, penalty=penalty_of(l2, l1, arithmetic)))


# --- gradients -------------------------------------------------------------------------

@pytest.mark.parametrize("l2,l1", [("0.1", "0"), ("0", "0.05"), ("0.3", "0.02")])
@pytest.mark.parametrize("preset", ["xor", "moons"])
def test_float_gradients_with_penalties_match_finite_differences(preset, l2, l1):
    spec = penalised(load_preset(preset), l2, l1)
    graph = record(spec.model, *spec.data.batch("float"))
    check = gradcheck(graph)
    assert check.ok(1e-5), check.worst()
    assert set(graph.penalty_grads) == {k for k in graph.weight_grads if k.startswith("W")}  # not the biases
    plain = record(load_preset(preset).model, *spec.data.batch("float"))
    for key, grad in graph.weight_grads.items():
        w = spec.model.weights()[key]
        term = (float(l2) * w + float(l1) * np.sign(w)) if key.startswith("W") else 0
        np.testing.assert_allclose(grad, plain.weight_grads[key] + term, rtol=1e-12, atol=1e-15)
    assert graph.loss == pytest.approx(plain.loss + graph.penalty)


def test_exact_gradient_with_penalties_is_the_exact_central_difference():
    # On the article's sample 2 (o2 = 1: its ReLU away from the kink; samples 1 and 3 sit
    # on it) with target 0, ½(x − y)², a linear layer and L2 make the objective a quadratic
    # in each weight, and L1 is linear while w keeps its sign: the central difference is
    # then exactly the derivative.
    article = load_preset("article")
    spec = penalised(article, "1/10", "1/20")
    x = article.data.batch("exact", slice(1, 2))[0]
    y = np.array([[F(0)]], dtype=object)
    graph = record(spec.model, x, y)
    assert graph.arithmetic == "exact" and isinstance(graph.loss, F)
    W = spec.model.weights()["W2"]
    h = F(1, 10 ** 12)
    for j in range(W.shape[1]):
        losses = []
        for sign in (1, -1):
            q = W.copy()
            q[0, j] = q[0, j] + sign * h
            losses.append(record(spec.model.with_weights({"W2": q}), x, y).loss)
        assert (losses[0] - losses[1]) / (2 * h) == graph.weight_grads["W2"][0, j]
    plain = record(article.model, x, y)
    sign = np.array([[F(int(v > 0) - int(v < 0)) for v in row] for row in W], dtype=object)
    expected = plain.weight_grads["W2"] + F(1, 10) * W + F(1, 20) * sign
    assert (graph.weight_grads["W2"] == expected).all()
    assert graph.penalty == F(1, 10) * sum(v * v for v in W.ravel()) / 2 + F(1, 20) * sum(abs(v) for v in W.ravel())


def test_l1_takes_the_subgradient_0_at_a_weight_of_0():
    spec = load_preset("xor")
    W2 = spec.model.weights()["W2"].copy()
    W2[0, 0] = 0.0
    model = replace(spec.model.with_weights({"W2": W2}), penalty=Penalty(0.0, 0.5))
    graph = record(model, *spec.data.batch("float"))
    assert graph.penalty_grads["W2"][0, 0] == 0
    assert any("W2[1,1]" in note and "L1 penalty" in note for note in gradcheck(graph).kinks)


# --- the file, the graph, the explanation -----------------------------------------------

def test_the_model_file_keeps_the_penalty_and_refuses_bad_ones():
    spec = penalised(load_preset("article"), "1/1000", "0")
    doc = spec_to_dict(spec)
    assert doc["penalty"] == {"l2": "1/1000"}  # exact as a fraction; λ of 0 left out
    again = load_spec(dump_spec(spec))
    assert again.model.penalty == Penalty(F(1, 1000), F(0))
    assert "penalty" not in spec_to_dict(load_preset("article"))  # files without one are unchanged
    base = spec_to_dict(load_preset("xor"))
    for entry, message in [({"l2": -1}, "^the L2 penalty λ₂ must be 0 or more, got -1$"),  # not "layers: …", nor "got a number"
                           ({"l3": 1}, "penalty: unknown key 'l3'"),
                           ({"l1": "abc"}, "the L1 penalty λ₁: 'abc' is not a number"),
                           ([], "penalty: expected an object")]:
        with pytest.raises(SpecError, match=message.replace("(", r"\(")):
            load_spec(json.dumps({**base, "penalty": entry}))


def test_the_graph_has_a_penalty_node_feeding_the_loss_and_a_penalty_step():
    spec = penalised(load_preset("xor"), "0.01", "0.001")
    graph = record(spec.model, *spec.data.batch("float"))
    assert [n.id for n in graph.nodes if n.kind == "penalty"] == ["Penalty"]
    assert [(e.source, e.target) for e in graph.edges if e.id == "P"] == [("Penalty", "Loss")]
    phases = [e.phase for e in graph.timeline]
    assert phases.index("penalty") == phases.index("loss") - 1
    plain = record(load_preset("xor").model, *spec.data.batch("float"))
    assert not [n for n in plain.nodes if n.kind == "penalty"] and "penalty" not in [e.phase for e in plain.timeline]


def test_the_views_draw_the_penalty_node():
    from engine.render.layer_view import layer_view
    from engine.render.neuron_view import neuron_view
    spec = penalised(load_preset("xor"), "0.01", "0")
    graph = record(spec.model, *spec.data.batch("float"))
    for view in (layer_view, neuron_view):
        source = view(graph).source
        assert "Penalty" in source and "λ₂ = 0.01" in source


def test_the_chain_rule_names_the_penalty_term_at_the_weight_gradients():
    spec = penalised(load_preset("article"), "1/10", "1/20")
    graph = record(spec.model, *spec.data.batch("exact"))
    step = next(e.step for e in graph.timeline if e.phase == "weight_grad" and e.name == "δw2")
    ex = explain(graph, step)
    assert "penalty term" in ex.general and "\\operatorname{sign}(W^{2})" in ex.general
    assert "_{\\text{penalty}}" in ex.substituted
    # δw² is the gradient descended, as the graph, the trace and the paths panel write it;
    # the layer's own formula is its data term
    assert "\\delta w^{2} = \\sum_{\\text{batch}} \\delta w^{2}_{\\text{data}} + " in ex.general
    total = ex.substituted.split("\\delta w^{2} = ")[-1].split(" = ")[-1]
    assert total == latex.matrix(graph.weight_grads["W2"]) and "_{\\text{total}}" not in ex.substituted
    assert any("penalty" in note for note in step_texts(graph)[step]["notes"])
    at_penalty = next(e.step for e in graph.timeline if e.phase == "penalty")
    assert "penalty" in explain(graph, at_penalty).title and explain(graph, at_penalty).general.startswith("\\boxed{P =")


# --- training --------------------------------------------------------------------------

def _sum_squares(model):
    return sum(float((w ** 2).sum()) for key, w in model.weights().items() if key.startswith("W"))


def test_training_with_l2_shrinks_the_weights():
    spec = load_preset("moons")
    settings = dict(lr=0.3, epochs=30, batch_size=32, shuffle=True, seed=0)
    plain = train(spec.model, spec.data, **settings)
    decayed = train(penalised(spec, "0.01").model, spec.data, **settings)
    assert _sum_squares(decayed.model) < 0.8 * _sum_squares(plain.model)
    assert decayed.model.penalty == Penalty(0.01, 0.0)  # the trained model keeps it


def test_a_training_step_uses_the_data_gradient_plus_the_penalty_term():
    spec = penalised(load_preset("article"), "1/10", "1/20")
    result = train(spec.model, spec.data, lr="1/1000000", epochs=1, batch_size=3, record_steps=[1])
    graph = result.recorded[1]
    w0 = spec.model.weights()["W2"]
    assert (result.model.weights()["W2"] == w0 - F(1, 1000000) * graph.weight_grads["W2"]).all()
    assert result.history.steps[0].loss == graph.loss  # the objective, P included
    replayed = record_step(result, spec.model, spec.data, 1)
    assert replayed.penalty == graph.penalty


# --- the command line ------------------------------------------------------------------

def _run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_train_l2_l1_flags_with_a_preset_a_model_file_and_a_csv(tmp_path, capsys):
    status, out, _ = _run(capsys, "train", "--preset", "xor", "--epochs", "5", "--l2", "1/100", "--l1", "1e-3", "--json")
    doc = json.loads(out)
    assert status == 0 and doc["penalty"]["l2"] == 0.01 and doc["penalty"]["l1"] == 0.001 and doc["penalty"]["value"] > 0
    assert (doc["history"]["config"]["l2"], doc["history"]["config"]["l1"]) == ("0.01", "0.001")
    path = tmp_path / "xor.json"
    path.write_text(dump_spec(penalised(load_preset("xor"), "0.5")))
    status, out, _ = _run(capsys, "train", "--model", str(path), "--epochs", "2", "--l1", "0.1", "--json")
    assert status == 0 and json.loads(out)["penalty"] == {**json.loads(out)["penalty"], "l2": 0.5, "l1": 0.1}
    csv = tmp_path / "d.csv"
    csv.write_text("a,b,y\n" + "\n".join(f"{i % 7},{i % 3},{i % 2}" for i in range(30)) + "\n")
    status, out, _ = _run(capsys, "train", "--data", str(csv), "--epochs", "2", "--l2", "0.001", "--json")
    assert status == 0 and json.loads(out)["penalty"]["l2"] == 0.001
    status, out, _ = _run(capsys, "train", "--preset", "xor", "--epochs", "2", "--json")
    assert "penalty" not in json.loads(out)
    status, out, _ = _run(capsys, "train", "--preset", "article", "--epochs", "1", "--l2", "1/10")
    assert status == 0 and "penalty: λ₂ = 1/10, λ₁ = 0" in out


@pytest.mark.parametrize("flag,value,message", [
    ("--l2", "-0.1", "the L2 penalty λ₂ must be 0 or more"),
    ("--l1", "abc", "the L1 penalty λ₁: 'abc' is not a number"),
    ("--l2", "1e400", "the L2 penalty λ₂: '1e400' is too large for float arithmetic"),
])
def test_train_refuses_a_bad_lambda_in_one_line(capsys, flag, value, message):
    status, out, err = _run(capsys, "train", "--preset", "xor", flag, value)
    assert status == 2 and out == "" and err.startswith(f"error: {message}") and err.count("\n") == 1


def test_a_share_link_carries_the_penalty():
    from ui.share import decode_model, encode_model, preset_name
    spec = penalised(load_preset("xor"), "0.01", "0.002")
    assert preset_name(spec) is None  # xor with a penalty is not the preset: it travels by value
    assert decode_model(encode_model(spec)).model.penalty == Penalty(0.01, 0.002)


def test_weight_paths_add_up_to_the_data_term(tmp_path, capsys):
    from engine.paths import weight_paths
    spec = penalised(load_preset("article"), "1/10", "1/20")
    graph = record(spec.model, *spec.data.batch("exact", slice(1, 2)))
    found = weight_paths(graph, "W2", (0, 0))
    assert found.total == found.recorded == graph.weight_grads["W2"][0, 0] - graph.penalty_grads["W2"][0, 0]
    assert found.penalty == graph.penalty_grads["W2"][0, 0] and found.descended == graph.weight_grads["W2"][0, 0]
    assert found.penalised_total == found.descended  # exact: the data's paths + the penalty's term is δw
    xor = penalised(load_preset("xor"), "0.1", "0.01")
    g = record(xor.model, *xor.data.sample(1, "float"))
    bias = weight_paths(g, "b2", (0,))  # not penalised: no term, nothing more to add
    assert bias.penalty is None and bias.penalised_total == bias.total
    # the CLI says the same: the sum is the data's term, plus the penalty's term is δw
    path = tmp_path / "article.json"
    path.write_text(dump_spec(spec))
    status, out, _ = _run(capsys, "paths", "--model", str(path), "--sample", "2", "--weight", "W2", "--index", "0,0")
    assert status == 0 and "(the data's term of δw2[0,0]" in out
    assert (f"+ the penalty's term λ₂·w + λ₁·sign(w) = {graph.penalty_grads['W2'][0, 0]}   = "
            f"{graph.weight_grads['W2'][0, 0]}   (the backward pass's δw2[0,0] = {graph.weight_grads['W2'][0, 0]})") in out
    status, out, _ = _run(capsys, "paths", "--model", str(path), "--sample", "2", "--weight", "W2", "--index", "0,0",
                          "--json")
    doc = json.loads(out)
    assert F(doc["sum"]) + F(doc["penalty_term"]) == F(doc["descended"]) == graph.weight_grads["W2"][0, 0]



def test_trace_shows_p_and_the_gradients_with_the_penalty_term_in_both_modes(tmp_path, capsys):
    spec = penalised(load_preset("article"), "1/10", "1/20")
    path = tmp_path / "article.json"
    path.write_text(dump_spec(spec))
    graph = record(spec.model, *spec.data.sample(3, "exact"))
    for mode in ("reverse", "forward"):
        status, out, _ = _run(capsys, "trace", "--model", str(path), "--sample", "3", "--mode", mode, "--json")
        doc = json.loads(out)
        assert status == 0 and F(doc["penalty"]) == graph.penalty and F(doc["loss"]) == graph.loss
        assert [F(v) for v in doc["weight_grads"]["W2"][0]] == list(graph.weight_grads["W2"][0])
    status, out, _ = _run(capsys, "trace", "--model", str(path), "--sample", "3")
    assert "P      = 734177/2691200000" in out and "(the loss + P)" in out
