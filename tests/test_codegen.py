"""The code export (engine/codegen.py, `python -m engine code`): each script is written
through the CLI, run in its own interpreter, and its printed loss and gradients compared
with engine.record's graph of the same model in float arithmetic."""
import ast
import importlib.util
import json
import math
import subprocess
import sys
from copy import copy

import numpy as np
import pytest

from engine.cli import main
from engine.codegen import script
from engine.presets import PRESETS, load_preset
from engine.record import record
from engine.spec import FORMAT, load_spec

HAS_TORCH = importlib.util.find_spec("torch") is not None
needs_torch = pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed here")
FRAMEWORKS = ["numpy", pytest.param("pytorch", marks=needs_torch)]


def parse_output(text: str) -> dict:
    """The script's lines `NAME VALUE`, VALUE a Python literal of floats."""
    found = {}
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        found[name] = ast.literal_eval(value)
    return found


def close(a, b, scale) -> bool:
    if isinstance(a, list):
        return len(a) == len(b) and all(close(u, v, scale) for u, v in zip(a, b))
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9 * scale)


def export(tmp_path, argv, framework):
    out = tmp_path / f"step_{framework}.py"
    assert main(["code", *argv, "--framework", framework, "-o", str(out)]) == 0
    return out


def run_script(path) -> dict:
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return parse_output(done.stdout)


def check_against_app(spec, sample, printed):
    spec = spec.cast("float")
    batch = spec.data.batch("float") if sample == "all" else spec.data.sample(sample, "float")
    graph = record(spec.model, *batch)
    assert math.isclose(printed["loss"], float(graph.loss), rel_tol=1e-9, abs_tol=1e-15)
    grads = {f"d{name}": np.asarray(g, dtype=float).tolist() for name, g in graph.weight_grads.items()}
    assert set(printed) - {"loss"} == set(grads)
    scale = max(max(abs(v) for v in np.ravel(g)) for g in graph.weight_grads.values())
    for name, g in grads.items():
        assert close(printed[name], g, scale), (name, printed[name], g)


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("preset", list(PRESETS))
def test_every_preset_prints_the_apps_loss_and_gradients(tmp_path, preset, framework):
    path = export(tmp_path, ["--preset", preset], framework)
    check_against_app(load_preset(preset), "all", run_script(path))


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_one_sample_of_the_exact_article(tmp_path, framework):
    path = export(tmp_path, ["--preset", "article", "--sample", "1"], framework)
    assert "exact: its numbers are rational" in path.read_text()
    printed = run_script(path)
    check_against_app(load_preset("article"), 1, printed)  # the article fits: its δw is 0


def model_file(layers, loss, x, y):
    return {"format": FORMAT, "name": "custom", "layers": layers, "loss": loss, "data": {"x": x, "y": y}}


# Pre-activations exactly 0 on purpose (x = (1, -1) against weights (1, 1)): the
# derivative at the kink is where frameworks disagree, and the script must follow the app.
X = [[1, -1], [2, 0.5], [-1, -3]]
W = [[1, 1], [0.5, -2], [-1, 0.25]]
CUSTOM = {
    "relu_at_zero_1": ([{"type": "relu"}], "half_squared_error"),
    "relu_at_zero_0": ([{"type": "relu", "at_zero": 0}], "half_squared_error"),
    "leaky_relu": ([{"type": "leaky_relu", "slope": "1/10"}], "mse"),
    "leaky_relu_at_zero_0": ([{"type": "leaky_relu", "slope": "1/10", "at_zero": 0}], "mae"),
    "softplus_mae": ([{"type": "softplus"}], "mae"),
    "sigmoid_bce_fused": ([{"type": "sigmoid"}], "binary_cross_entropy"),
    "softmax_bce_unfused": ([{"type": "softmax"}], "binary_cross_entropy"),
    "softmax_layer_mse": ([{"type": "tanh"}, {"type": "linear", "size": 3, "bias": [0.1, 0, -0.2],
                                              "weights": [[1, 0, 2], [0, 1, -1], [1, 1, 1]]},
                           {"type": "softmax"}], "mse"),
    "softmax_cross_entropy": ([{"type": "leaky_relu"}], "softmax_cross_entropy"),
}


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("case", list(CUSTOM))
def test_custom_models_follow_the_apps_conventions(tmp_path, case, framework):
    tail, loss = CUSTOM[case]
    layers = [{"type": "input", "size": 2}, {"type": "linear", "size": 3, "bias": True, "weights": W}, *tail]
    y = [[0, 1, 0], [1, 0, 0], [0, 0, 1]] if "entropy" in loss else [[0.5, 0.5, 1], [1, 0, 0.25], [0, 0, 0]]
    doc = model_file(layers, loss, X, y)
    (tmp_path / "m.json").write_text(json.dumps(doc))
    path = export(tmp_path, ["--model", str(tmp_path / "m.json")], framework)
    check_against_app(load_spec(json.dumps(doc)), "all", run_script(path))


def test_the_relu_kink_changes_the_exported_gradient(tmp_path):
    # The two conventions give different gradients here; both scripts match the app (above).
    found = []
    for case in ("relu_at_zero_1", "relu_at_zero_0"):
        tail, loss = CUSTOM[case]
        layers = [{"type": "input", "size": 2}, {"type": "linear", "size": 3, "bias": True, "weights": W}, *tail]
        doc = model_file(layers, loss, X, [[0.5, 0.5, 1], [1, 0, 0.25], [0, 0, 0]])
        (tmp_path / "m.json").write_text(json.dumps(doc))
        found.append(run_script(export(tmp_path, ["--model", str(tmp_path / "m.json")], "numpy"))["dW2"])
    assert found[0] != found[1]


def test_saturated_sigmoid_keeps_the_fused_gradient(tmp_path):
    # o = σ(40) rounds to 1 - 4e-18 → clipped; the fused δ (σ(z) − y) still reaches W2.
    doc = model_file([{"type": "input", "size": 1}, {"type": "linear", "size": 1, "weights": [[40]]},
                      {"type": "sigmoid"}], "binary_cross_entropy", [[1]], [[0]])
    (tmp_path / "m.json").write_text(json.dumps(doc))
    printed = run_script(export(tmp_path, ["--model", str(tmp_path / "m.json")], "numpy"))
    check_against_app(load_spec(json.dumps(doc)), "all", printed)
    assert printed["dW2"][0][0] == pytest.approx(1.0)


@pytest.mark.parametrize("framework", ["numpy", "pytorch"])
def test_scripts_import_only_numpy_or_torch(framework):
    for preset in PRESETS:
        tree = ast.parse(script(load_preset(preset), framework))
        modules = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                   for alias in node.names}
        modules |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert modules == ({"numpy"} if framework == "numpy" else {"torch"})


def test_code_writes_to_stdout_by_default(capsys):
    assert main(["code", "--preset", "xor"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# xor: one training step") and 'print("dW4"' in out


def test_code_refuses_a_missing_sample_in_one_line(capsys):
    assert main(["code", "--preset", "article", "--sample", "9"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "sample 9 does not exist" in err


def test_code_refuses_an_unknown_framework(capsys):
    assert main(["code", "--preset", "xor", "--framework", "jax"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_a_layer_without_code_is_refused_in_one_line():
    spec = load_preset("xor")
    odd = copy(spec.model.layers[2])
    odd.kind = "maxout"  # an instance attribute: a layer type the exporter has no code for
    model = type(spec.model)(layers=(*spec.model.layers[:2], odd, *spec.model.layers[3:]), loss=spec.model.loss)
    spec = type(spec)(spec.name, spec.description, model, spec.data)
    for framework in ("numpy", "pytorch"):
        with pytest.raises(ValueError, match=r"^cannot export layer 3: .*'maxout'") as e:
            script(spec, framework)
        assert "\n" not in str(e.value)


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("l2,l1", [("0.01", "0"), ("0", "0.002"), ("0.05", "0.01")])
def test_a_penalised_model_prints_the_objective_and_its_gradients(tmp_path, framework, l2, l1):
    """The L2/L1 penalty (engine/penalty.py) is in the script: the loss printed is the
    objective, loss + P, and each weight matrix's gradient holds λ₂·W + λ₁·sign(W); the
    biases get no term. XOR's first weights include a 0, where |w|' is 0 in both."""
    from dataclasses import replace

    from engine.penalty import penalty_of
    from engine.spec import dump_spec
    spec = load_preset("xor")
    w = spec.model.layers[1].params["W"].copy()
    w[0, 0] = 0.0  # the L1 kink: sign(0) = 0
    model = spec.model.with_weights({"W2": w})
    spec = replace(spec, model=replace(model, penalty=penalty_of(l2, l1, "float")))
    (tmp_path / "m.json").write_text(dump_spec(spec))
    printed = run_script(export(tmp_path, ["--model", str(tmp_path / "m.json")], framework))
    check_against_app(spec, "all", printed)
    plain = record(replace(spec.model, penalty=penalty_of("0", "0", "float")), *spec.data.batch("float"))
    assert printed["loss"] > float(plain.loss)  # P > 0 is in the loss printed
