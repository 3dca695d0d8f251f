"""No traceback, ever (issue 11): every failure below printed a Python traceback (CLI)
or a red exception box (app). Now a mistake is one sentence (CLI: status 2, one line
on stderr), and a training run that diverges stops at a named step and layer."""
import io
import json
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from engine.numbers import NotExactError
from engine.presets import load_preset
from engine.passes import FloatRangeError
from engine.record import record
from engine.render.export import GIF_MAX_WIDTH, PNG_MAX_SIDE
from engine.render.frames import view_picture
from engine.render.svg import to_svg
from engine.spec import load_spec
from engine.train import train

ROOT = Path(__file__).resolve().parent.parent
FORMAT = "backprop-explorer/1"

# weights and inputs near 1e300: a valid file, whose o2 = 1e600 no float can hold
HUGE = {"format": FORMAT, "name": "huge", "arithmetic": "exact",
        "layers": [{"type": "input", "size": 2},
                   {"type": "linear", "size": 1, "weights": [["1e300", "1e300"]]}, {"type": "relu"}],
        "loss": "half_squared_error", "data": {"x": [["1e300", 1]], "y": [[0]]}}

# all inputs finite, o2 = 1e200 · 1e200 = inf, which the tanh turns into 1 with a zero gradient
HIDDEN_INF = {"format": FORMAT, "name": "hidden",
              "layers": [{"type": "input", "size": 1}, {"type": "linear", "size": 1, "weights": [[1e200]]},
                         {"type": "tanh"}, {"type": "linear", "size": 1, "weights": [[1]]}],
              "loss": "half_squared_error", "data": {"x": [[1e200]], "y": [[0]]}}


def deep_exact(layers: int = 32) -> dict:
    """A valid 32-layer exact model: its fractions make the picture ~33,000 pt wide."""
    spec = [{"type": "input", "size": 2}]
    while len(spec) < layers:
        spec.append({"type": "linear", "size": 2, "weights": [["1/2", "1/4"], ["1/3", "-1/5"]]}
                    if len(spec) % 2 else {"type": "relu"})
    return {"format": FORMAT, "name": "deep", "arithmetic": "exact", "layers": spec,
            "loss": "half_squared_error", "data": {"x": [[1, 2]], "y": [[0, 1]]}}


def wide_exact() -> dict:
    """Five layers of long fractions: as wide as the 32-layer model, with 17 frames, not 83."""
    f = "12345678901234567890123456789/98765432109876543210987654321"
    layers = [{"type": "input", "size": 6}] + [{"type": "linear", "size": 6, "weights": [[f] * 6] * 6}] * 4
    return {"format": FORMAT, "name": "wide", "arithmetic": "exact", "layers": layers,
            "loss": "half_squared_error", "data": {"x": [[f] * 6], "y": [[0] * 6]}}


def write(tmp_path, spec: dict, name: str = "model.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(spec))
    return str(path)


def cli(*args, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def assert_one_line_error(run: subprocess.CompletedProcess) -> str:
    assert run.returncode == 2, (run.returncode, run.stderr)
    assert "Traceback" not in run.stderr and "Warning" not in run.stderr, run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.stderr
    return lines[0]


def assert_quiet(run: subprocess.CompletedProcess) -> None:
    assert run.returncode == 0, run.stderr
    assert run.stderr == "", run.stderr  # no traceback, no numpy RuntimeWarning


# --- the learning rate -------------------------------------------------------------

@pytest.mark.parametrize("preset, lr", [("xor", "1e400"), ("xor", "1e309"), ("article", "1e400")])
def test_a_learning_rate_past_float64_is_one_sentence(preset, lr):
    line = assert_one_line_error(cli("train", "--preset", preset, "--lr", lr))
    assert f"the learning rate {lr} is past float64's range" in line


def test_a_nan_learning_rate_is_one_sentence():
    line = assert_one_line_error(cli("train", "--preset", "xor", "--lr", "nan"))
    assert "nan" in line.lower()


def test_the_engine_refuses_a_learning_rate_past_float64_in_both_arithmetics():
    for name in ("article", "xor"):
        spec = load_preset(name)
        with pytest.raises(ValueError, match="past float64's range"):
            train(spec.model, spec.data, lr="1e309", epochs=1, batch_size=1)


# --- exact values past float64's range -----------------------------------------------

def test_exact_training_that_diverges_stops_with_the_step_instead_of_an_overflow():
    spec = load_preset("article")  # exact; α = 1e200 grows the weights to ~1e203, then ~1e412
    result = train(spec.model, spec.data, lr="1e200", epochs=3, batch_size=1)
    assert result.stopped.startswith("training stopped at step 4 (epoch 2): ")
    assert "float64's range" in result.stopped and "the learning rate 1e200 is probably too large" in result.stopped
    assert len(result.history.steps) == 3
    json.dumps(result.history.as_dicts(), allow_nan=False)  # every kept number is a float
    assert all(np.isfinite(np.asarray(w, dtype=float)).all() for w in result.model.weights().values())


def test_exact_training_that_diverges_on_the_cli_says_so_without_a_traceback():
    run = cli("train", "--preset", "article", "--lr", "1e200", "--epochs", "3")
    assert_quiet(run)
    assert "stopped early: training stopped at step 4 (epoch 2)" in run.stdout
    run = cli("train", "--preset", "article", "--lr", "1e200", "--epochs", "3", "--json")
    assert_quiet(run)
    assert json.loads(run.stdout)["stopped"].startswith("training stopped at step 4")


def test_recording_an_exact_model_past_float64_says_where():
    spec = load_spec(json.dumps(HUGE))  # a valid file: every number in it is a float too
    with pytest.raises(FloatRangeError, match=r"^o2, the output of L2 \(linear\): about 1e600 is past") as e:
        record(spec.model, *spec.data.sample(1, "exact"))
    assert isinstance(e.value, NotExactError)  # the pages and the CLI already show these


@pytest.mark.parametrize("json_flag", [True, False])
def test_trace_of_an_exact_model_past_float64_is_one_sentence(tmp_path, json_flag):
    path = write(tmp_path, HUGE)
    line = assert_one_line_error(cli("trace", "--model", path, *(["--json"] if json_flag else [])))
    assert "o2" in line and "float64's range" in line


def test_the_same_model_in_float_shows_its_overflow_quietly(tmp_path):
    run = cli("trace", "--model", write(tmp_path, HUGE), "--arithmetic", "float")
    assert_quiet(run)  # inf is the float result, shown as such: no RuntimeWarning on stderr
    assert "o2     = (inf)" in run.stdout


# --- divergence in float -------------------------------------------------------------

def _train_quietly(spec, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy RuntimeWarning fails the test
        return train(spec.model, spec.data, **kw)


def test_xor_at_a_huge_rate_stops_where_it_saturates_not_at_a_capped_loss():
    spec = load_preset("xor")
    result = _train_quietly(spec, lr="1e6", epochs=200, batch_size=4)
    stopped = result.stopped
    assert stopped.startswith("training stopped at step 2 (epoch 2): o5, the output of L5 (sigmoid), saturated")
    assert "diverged" in stopped and "the learning rate 1e6" in stopped
    assert len(result.history.steps) == 1
    assert max(result.history.losses()) < 1  # no step with the clip's 13.8 was kept


def test_xor_at_a_huge_rate_sample_by_sample_also_stops():
    spec = load_preset("xor")
    result = _train_quietly(spec, lr="1e6", epochs=200, batch_size=1)
    assert re.match(r"training stopped at step \d+ \(epoch \d+\): o5, the output of L5", result.stopped)
    assert max(result.history.losses()) < 13.8


def test_xor_at_a_sane_rate_is_not_stopped():
    spec = load_preset("xor")
    result = _train_quietly(spec, lr="0.5", epochs=200, batch_size=4)
    assert result.stopped is None and len(result.history.steps) == 200


def test_the_cli_says_xor_diverged_with_nothing_on_stderr():
    run = cli("train", "--preset", "xor", "--lr", "1e6", "--epochs", "200", "--batch-size", "4")
    assert_quiet(run)
    assert "stopped early: training stopped at step 2 (epoch 2)" in run.stdout and "L5" in run.stdout


def test_a_hidden_inf_stops_training_as_a_divergence():
    spec = load_spec(json.dumps(HIDDEN_INF))
    result = _train_quietly(spec, lr="0.1", epochs=3, batch_size=1)
    # before: three quiet steps, the inf hidden behind tanh's zero gradient
    assert result.stopped.startswith("training stopped at step 1 (epoch 1): o2, the output of L2 (linear), "
                                     "is not finite (L3, tanh")
    assert result.history.steps == []


def test_a_hidden_inf_after_a_step_names_that_step():
    # Step 1 (x = 1) grows W2 to ~1.8e150; step 2 (x = 1e200) makes o2 = inf, which the
    # tanh hides: the loss (~1e300), δW4 and their squares all stay finite.
    spec = load_spec(json.dumps({**HIDDEN_INF, "layers": [
        {"type": "input", "size": 1}, {"type": "linear", "size": 1, "weights": [[1]]},
        {"type": "tanh"}, {"type": "linear", "size": 1, "weights": [[1]]}],
        "data": {"x": [[1], [1e200]], "y": [[5], [0]]}}))
    result = _train_quietly(spec, lr="1e150", epochs=1, batch_size=1)
    assert result.stopped.startswith("training stopped at step 2 (epoch 1): o2, the output of L2 (linear), "
                                     "is not finite (L3, tanh"), result.stopped
    assert "diverged: the learning rate 1e150" in result.stopped
    assert len(result.history.steps) == 1
    assert all(np.isfinite(np.asarray(w, dtype=float)).all() for w in result.model.weights().values())


# --- files ---------------------------------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a FIFO")
def test_a_fifo_as_model_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "model.json"
    os.mkfifo(fifo)
    line = assert_one_line_error(cli("trace", "--model", str(fifo), timeout=60))  # the timeout only catches a hang
    assert "not a regular file" in line


def test_a_given_scale_out_of_range_blames_scale(tmp_path):
    line = assert_one_line_error(cli("render", "--preset", "article", "--format", "png", "--scale", "0.05",
                                     "-o", str(tmp_path / "a.png")))
    assert "--scale 0.05 is out of range" in line


def test_a_gif_too_wide_for_scale_0_1_is_scaled_to_fit(tmp_path):
    spec = load_spec(json.dumps(wide_exact()))
    graph = record(spec.model, *spec.data.sample(1, "exact"))
    svg = to_svg(view_picture(graph, "layer", step=None))
    width_pt = float(ElementTree.fromstring(svg).get("width").removesuffix("pt"))
    assert GIF_MAX_WIDTH / (width_pt * 4 / 3) < 0.1  # the case that blamed a --scale nobody gave
    out = tmp_path / "wide.gif"
    run = cli("render", "--model", write(tmp_path, wide_exact()), "--format", "gif", "-o", str(out))
    assert_quiet(run)
    gif = Image.open(io.BytesIO(out.read_bytes()))
    assert gif.format == "GIF" and gif.size[0] <= GIF_MAX_WIDTH and gif.n_frames == len(graph.timeline) + 1
    assert f"{gif.size[0]:,} × {gif.size[1]:,} px" in run.stdout


@pytest.mark.parametrize("fmt", ["png", "html"])
def test_a_32_layer_model_renders_to_png_and_html(tmp_path, fmt):
    out = tmp_path / f"deep.{fmt}"
    run = cli("render", "--model", write(tmp_path, deep_exact()), "--format", fmt, "-o", str(out))
    assert_quiet(run)
    data = out.read_bytes()
    if fmt == "png":
        size = Image.open(io.BytesIO(data)).size
        assert max(size) <= PNG_MAX_SIDE  # 88,301 px wide at the default scale 2: drawn smaller
    else:
        assert data.count(b"<svg") >= 80  # every frame inline


# --- the pages -----------------------------------------------------------------------

def _page(path: str, spec=None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if spec is not None:
        at.session_state["workspace"] = spec
    at.run()
    return at if path == "explore" else at.switch_page(f"pages/{path}.py").run()


def _train(at: AppTest, lr: str, epochs: int) -> AppTest:
    at.text_input(key="train_lr").set_value(lr)
    at.number_input(key="train_epochs").set_value(epochs)
    at.run()
    next(b for b in at.button if b.label == "Train").click()
    return at.run()


def test_the_train_page_shows_exact_divergence_as_an_error():
    at = _train(_page("train", load_preset("article")), "1e200", 3)
    assert not at.exception
    assert any("training stopped at step 4" in e.value and "diverged" in e.value for e in at.error)


def test_the_train_page_refuses_a_learning_rate_past_float64_in_one_sentence():
    at = _train(_page("train", load_preset("xor")), "1e400", 1)
    assert not at.exception
    assert any("past float64's range" in e.value for e in at.error)


def test_the_explore_page_shows_an_exact_model_past_float64_as_an_error():
    at = _page("explore", load_spec(json.dumps(HUGE)))
    assert not at.exception
    assert any("float64's range" in e.value for e in at.error)
    at.radio(key="arithmetic").set_value("float").run()  # float shows the overflow as inf, the lesson
    assert not at.exception
