"""Export's "Runnable code" (ui/code_export.py): the numpy and PyTorch scripts of the
current model, data and one training step are downloads; the numpy one, run with this
interpreter, prints the loss and gradients the app computes in float arithmetic."""
import subprocess
import sys

from streamlit.testing.v1 import AppTest

from downloads import record_downloads
from test_codegen import HAS_TORCH, check_against_app, parse_output

import math

from engine.descent import record_step
from engine.presets import load_preset
from engine.train import train


def export_downloads(monkeypatch, **state) -> tuple[AppTest, dict]:
    """The page, and each download's (file name, bytes) by its label (read where
    Streamlit stores the file: the button's proto carries only a URL)."""
    files = record_downloads(monkeypatch)
    at = AppTest.from_file("../app.py", default_timeout=120)
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    at.switch_page("pages/export.py").run()
    assert not at.exception and not at.error
    return at, {b.label: files[b.proto.url.rsplit("/", 1)[-1].split(".")[0]] for b in at.get("download_button")}


def run(tmp_path, name, data) -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return parse_output(done.stdout)


def test_the_numpy_script_of_the_current_sample_runs_and_prints_the_apps_loss(monkeypatch, tmp_path):
    at, files = export_downloads(monkeypatch, sample=3)
    name, data = files["numpy script"]
    assert name == "article-sample3-numpy.py"
    printed = run(tmp_path, name, data)
    assert printed["loss"] == 0.5  # the article's sample 3: ½(0 − 1)², in float too
    check_against_app(load_preset("article"), 3, printed)
    assert any("nearest floats" in c.value for c in at.caption)  # the article is exact: said so
    name, data = files["PyTorch script"]
    assert name == "article-sample3-pytorch.py" and b"import torch" in data
    if HAS_TORCH:
        check_against_app(load_preset("article"), 3, run(tmp_path, name, data))


def test_the_whole_batch_exports_the_batch(monkeypatch, tmp_path):
    _, files = export_downloads(monkeypatch, sample=0)
    name, data = files["numpy script"]
    assert name == "article-batch-numpy.py"
    check_against_app(load_preset("article"), "all", run(tmp_path, name, data))


def test_a_model_the_exporter_cannot_write_gets_one_sentence(monkeypatch):
    monkeypatch.setattr("engine.codegen.LAYER_KINDS", ("input", "linear"))  # as if ReLU had no code
    at, files = export_downloads(monkeypatch)
    assert "numpy script" not in files and "Model JSON" in files
    assert [w.value for w in at.warning] == ["Cannot export layer 3: the code export does not support 'relu' layers."]



def test_a_training_step_opened_in_explore_exports_its_own_weights_and_batch(monkeypatch, tmp_path):
    spec = load_preset("xor")
    result = train(spec.model, spec.data, lr=0.5, epochs=2, batch_size=2)
    graph = record_step(result, spec.model, spec.data, 3)
    _, files = export_downloads(monkeypatch, workspace=spec, explore_graph={"graph": graph, "label": "training step 3"})
    name, data = files["numpy script"]
    assert name == "xor-training-batch-numpy.py"
    printed = run(tmp_path, name, data)
    assert math.isclose(printed["loss"], float(graph.loss), rel_tol=1e-9)  # that step's batch of 2, not xor's 4
    assert math.isclose(printed["dW2"][0][0], float(graph.weight_grads["W2"][0, 0]), rel_tol=1e-9, abs_tol=1e-12)
