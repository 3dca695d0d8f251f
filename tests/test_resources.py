"""Resources of a shared server: caches bounded by bytes, a float training budget with
a Stop button, and Train charts that stay light after a divergence."""
from __future__ import annotations

import json
import math
import threading
from dataclasses import replace

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine.layers import Input, Linear
from engine.limits import FLOAT_BATCH_FLOOR, MAX_FLOAT_TRAIN_WORK, check_float_work
from engine.layers import ReLU
from engine.losses import HalfSquaredError
from engine.model import Dataset, Model
from engine.presets import PRESETS, SUGGESTED_TRAINING, load_preset
from engine.spec import Spec
from engine.descent import record_step
from engine.train import train
from ui import byte_cache, explore_data
from ui import boundary_chart, chart_style
from ui.byte_cache import ENTRY_OVERHEAD, ByteCache


# --- caches bounded by bytes -------------------------------------------------------------

def test_a_full_cache_stays_under_its_budget_and_lets_the_least_recently_used_go_first():
    cache = ByteCache("test", 10 * (1000 + ENTRY_OVERHEAD))  # room for ten 1,000-byte values
    for i in range(10):
        cache.put(i, bytes(1000))
    assert len(cache) == 10 and cache.total_bytes == cache.max_bytes
    assert cache.get(0) == bytes(1000)  # 0 is now the most recently used
    cache.put(10, bytes(1000))
    assert cache.keys() == [2, 3, 4, 5, 6, 7, 8, 9, 0, 10]  # 1 went, the least recently used
    cache.put("big", bytes(4500))  # a big value makes room for itself: four small ones go
    assert cache.keys() == [6, 7, 8, 9, 0, 10, "big"] and cache.total_bytes <= cache.max_bytes
    for i in range(11, 40):  # many more than it holds
        cache.put(i, bytes(1000))
        assert cache.total_bytes <= cache.max_bytes
    assert cache.keys() == list(range(30, 40))


def test_a_cache_keeps_fresh_copies_and_refuses_what_it_cannot_hold():
    cache = ByteCache("test", 100_000)
    grid = {"z": np.zeros((50, 50)), "titles": ["a", "b"]}  # 20 KB of numbers
    assert cache.put("grid", grid)
    got = cache.get("grid")
    got["titles"].append("changed by one session")
    got["z"][0, 0] = 1
    again = cache.get("grid")
    assert again["titles"] == ["a", "b"] and again["z"][0, 0] == 0  # another session reads the original
    assert 20_000 < cache.total_bytes < 25_000  # measured: the pickle of the array, not a count of entries
    assert not cache.put("huge", bytes(200_000)) and "huge" not in cache.keys()
    assert cache.get("grid") is not None  # a value past the whole budget evicts nothing
    calls = []
    assert cache.get_or_compute("text", lambda: calls.append(1) or "é" * 10) == "é" * 10
    assert cache.get_or_compute("text", lambda: calls.append(1) or "other") == "é" * 10 and calls == [1]


def test_many_threads_filling_one_cache_keep_its_books_right():
    cache = ByteCache("test", 200_000)
    sizes = [100 * (k % 37 + 1) for k in range(300)]

    def fill(t: int) -> None:
        for k, size in enumerate(sizes):
            cache.put((t, k % 50), bytes(size))  # threads overwrite and evict each other's entries
            cache.get((t - 1, k % 50))

    threads = [threading.Thread(target=fill, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    kept = sum(size for _, _, size in cache._entries.values())
    assert cache.total_bytes == kept <= cache.max_bytes


def test_every_shared_cache_of_the_app_is_a_byte_cache_within_a_stated_budget():
    from ui import exports, modes
    caches = [explore_data.FRAMES, explore_data.CHECKS, exports.FRAMES, exports.ANIMATIONS, boundary_chart.GRIDS, modes.MODES]
    assert all(isinstance(c, ByteCache) for c in caches)
    assert sum(c.max_bytes for c in caches) == 160 * byte_cache.MB  # the README's Limits table


def _xor_variant(i: int) -> Spec:
    """xor with its weights moved by ``i``: another model, other frames."""
    spec = load_preset("xor")
    weights = {k: w + 0.01 * i for k, w in spec.model.weights().items()}
    return replace(spec, name=f"xor {i}", model=spec.model.with_weights(weights))


def test_exploring_many_models_keeps_the_frame_cache_within_its_bytes(monkeypatch):
    frames = explore_data.FRAMES
    frames.clear()
    monkeypatch.setattr(frames, "max_bytes", 700_000)  # room for two or three sets of xor's frames
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.session_state["workspace"] = _xor_variant(0)
    at.run()
    seen = set()
    for i in range(8):
        at.session_state["workspace"] = _xor_variant(i)
        at.run()
        assert not at.exception and not at.error
        assert frames.total_bytes <= frames.max_bytes
        seen.add(frames.keys()[-1])  # the frames just shown are the most recent entry
    assert len(seen) == 8 and 1 <= len(frames) < 8  # every model drew its frames; the oldest went
    frames.clear()


# --- the float training budget --------------------------------------------------------

def _wide_spec(width: int, samples: int) -> Spec:
    rng = np.random.default_rng(0)
    layers = (Input(width), Linear(width, width, rng.standard_normal((width, width)) / width, np.zeros(width)),
              ReLU(width), Linear(width, width, rng.standard_normal((width, width)) / width, np.zeros(width)))
    x = rng.standard_normal((samples, width))
    return Spec("wide", "a wide model", Model(layers, HalfSquaredError()), Dataset(x, np.zeros((samples, width))))


@pytest.fixture
def steps_taken(monkeypatch):
    """Counts the gradient computations of training: a refused run leaves it at zero."""
    import engine.train as engine_train
    calls, original = [], engine_train._step
    monkeypatch.setattr(engine_train, "_step", lambda *a, **k: calls.append(1) or original(*a, **k))
    return calls


def test_a_sample_by_sample_run_of_minutes_is_refused_before_its_first_step(steps_taken):
    spec = _wide_spec(300, 1000)  # 180,600 weights; the former rule allowed 100 epochs of it, batch 1
    with pytest.raises(ValueError) as refused:
        train(spec.model, spec.data, lr="0.01", epochs=100, batch_size=1)
    message = str(refused.value)
    assert "100 epochs × 1,000 samples × 180,600 weights is more work than this server allows in one run" in message
    assert f"{MAX_FLOAT_TRAIN_WORK:.0e}" in message and "fewer epochs" in message
    assert f"a batch under {FLOAT_BATCH_FLOOR} samples costs as much as {FLOAT_BATCH_FLOOR}" in message
    assert not steps_taken
    result = train(spec.model, spec.data, lr="0.01", epochs=1, batch_size=100)  # the same model, batched
    assert len(result.history.steps) == 10 and len(steps_taken) == 10


def test_the_budget_counts_small_batches_and_layers_as_they_cost():
    w = 100_000
    # batches of 32 and more: samples seen × weights (plus each layer's cost per step)
    assert check_float_work(10, 1000, 100, w, 0) == 10 * 1000 * w
    # a batch of 1 costs as much as one of FLOAT_BATCH_FLOOR; the last, smaller batch too
    assert check_float_work(1, 1000, 1, w, 0) == 1000 * FLOAT_BATCH_FLOOR * w
    assert check_float_work(1, 100, 40, w, 0) == (40 + 40 + FLOAT_BATCH_FLOOR) * w
    assert check_float_work(1, 100, 40, w, 3) > check_float_work(1, 100, 40, w, 0)


def test_every_preset_trains_with_its_suggested_settings_within_the_budget():
    for name in PRESETS:
        spec = load_preset(name, "float")
        s = SUGGESTED_TRAINING.get(name, {"batch_size": 1, "epochs": 50})
        check_float_work(s["epochs"], len(spec.data), s["batch_size"],
                         sum(w.size for w in spec.model.weights().values()), len(spec.model.layers))


def train_page(spec: Spec | None = None, preset: str | None = None) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.session_state["workspace"] = spec or load_preset(preset)
    at.run()
    return at.switch_page("pages/train.py").run()


def set_run(at: AppTest, *, lr: str, epochs: int, batch: int) -> AppTest:
    at.text_input(key="train_lr").set_value(lr)
    at.number_input(key="train_epochs").set_value(epochs)
    at.number_input(key="train_batch").set_value(batch)
    return at.run()


def test_the_train_page_refuses_too_much_work_before_the_click():
    at = set_run(train_page(_wide_spec(300, 1000)), lr="0.01", epochs=100, batch=1)
    assert not at.exception
    assert any("more work than this server allows" in e.value for e in at.error)
    assert next(b for b in at.button if b.label == "Train").disabled


# --- Stop -----------------------------------------------------------------------------

def test_stop_keeps_the_steps_done_with_their_history():
    model, data = load_preset("xor").model, load_preset("xor").data
    asked = []
    result = train(model, data, lr="0.5", epochs=200, batch_size=1,
                   should_stop=lambda: asked.append(1) or len(asked) >= 37)
    assert len(result.history.steps) == 37 and result.stopped == "stopped at step 37 of 800 (epoch 10)"
    assert max(result.history.weights) == 37  # the weights at the stop, for the charts
    assert len(result.history.epoch_losses) == 10  # the tenth epoch's mean, from its first sample
    graph = record_step(result, model, data, 37)  # a kept step can still be opened in Explore
    assert graph.batch_size == 1


@pytest.mark.parametrize("how", ["rerun", "stop"])
def test_a_click_during_training_stops_it_and_the_next_run_shows_the_steps_done(monkeypatch, how):
    """A click while the script runs makes Streamlit raise at the page's next Streamlit
    call, the progress update: a RerunException in the same thread, or (fast reruns, the
    default) a StopException while a new run starts in another thread. The fifth update
    raises it here as a click would."""
    import streamlit as st
    from streamlit.delta_generator import DeltaGenerator
    from streamlit.runtime.scriptrunner import StopException
    updates, progress = [], DeltaGenerator.progress

    def clicked_during(self, value, text=None):
        updates.append(text)
        if len(updates) == 5 and how == "rerun":
            st.rerun()
        if len(updates) == 5 and how == "stop":
            raise StopException()
        return progress(self, value, text=text)

    at = set_run(train_page(preset="xor"), lr="0.5", epochs=200, batch=1)  # 800 steps, 100 updates
    monkeypatch.setattr(DeltaGenerator, "progress", clicked_during)
    next(b for b in at.button if b.label == "Train").click()
    at.run()
    assert not at.exception
    assert len(updates) == 5 and updates[-1] == "step 40 of 800"  # training ended there
    if how == "stop":  # the stopped thread handed its run over; the click's own run shows it
        assert "training" not in at.session_state and at.session_state["_training_live"]["done"]
        at.run()
    run = at.session_state["training"]
    assert len(run["result"].history.steps) == 40 and run["interrupted"]
    assert "_training_live" not in at.session_state
    assert any("stopped at step 40 of 800" in i.value and "kept" in i.value for i in at.info)
    assert not at.error
    assert next(m for m in at.metric if m.label == "Steps").value == "40"
    loss = next(f for f in figures(at).values() if f["layout"]["title"]["text"] == "Loss")
    assert loss["layout"]["shapes"][0]["x0"] == 40  # where the line ends, and why
    at.run()  # a later rerun still shows the same partial run
    assert len(at.session_state["training"]["result"].history.steps) == 40


def test_the_stop_button_stops_a_long_run_in_the_browser(page, app_url):
    """The real thing: Streamlit's fast reruns, the old run stopped in its own thread."""
    import re
    from playwright.sync_api import expect
    page.goto(app_url + "/train?preset=moons")
    page.get_by_role("spinbutton", name="Batch size").fill("1")
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile("200 steps per epoch"))).to_be_visible(timeout=30_000)
    page.get_by_role("spinbutton", name="Epochs").fill("500")
    page.keyboard.press("Enter")
    expect(page.get_by_text("100,000 steps")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name=re.compile("Train$")).click()
    expect(page.get_by_text(re.compile(r"step [\d,]+ of 100,000"))).to_be_visible(timeout=60_000)
    page.get_by_role("button", name=re.compile("Stop")).click()
    stopped = page.get_by_text(re.compile(r"stopped at step [\d,]+ of 100,000"))
    expect(stopped).to_be_visible(timeout=60_000)
    done = int(re.search(r"step ([\d,]+) of", stopped.inner_text()).group(1).replace(",", ""))
    assert 0 < done < 100_000
    expect(page.get_by_test_id("stMetric").first).to_contain_text(f"{done:,}")


# --- charts after a divergence --------------------------------------------------------

def figures(at: AppTest) -> dict:
    return {json.loads(c.proto.spec)["layout"]["title"]["text"]: json.loads(c.proto.spec)
            for c in at.get("plotly_chart")}


def _numbers(values):
    if isinstance(values, dict):  # a typed array: numpy's own, finite by construction here
        arr = np.frombuffer(__import__("base64").b64decode(values["bdata"]), dtype=values["dtype"])
        return [float(v) for v in arr]
    return [v for v in values or [] if v is not None]


def assert_light(fig: dict) -> None:
    axes = [v for k, v in fig["layout"].items() if k.startswith(("xaxis", "yaxis"))]
    assert axes
    for axis in axes:
        assert len(axis.get("tickvals", [])) <= 12 if "tickvals" in axis else axis.get("nticks", 99) <= 12, axis
    for trace in fig["data"]:
        for key in ("x", "y"):
            assert all(isinstance(v, (int, float)) and math.isfinite(v) for v in _numbers(trace.get(key)))


@pytest.mark.parametrize("preset,lr,epochs,batch", [("xor", "1e6", 200, 4), ("spiral", "1e308", 1, 1)])
def test_train_charts_after_a_divergence_draw_few_ticks_and_finite_values(preset, lr, epochs, batch):
    at = set_run(train_page(preset=preset), lr=lr, epochs=epochs, batch=batch)
    at = next(b for b in at.button if b.label == "Train").click().run()
    assert not at.exception
    figs = figures(at)
    assert {"Loss", "Gradient norm per layer"} <= set(figs)
    for fig in figs.values():
        assert_light(fig)
    grads = figs["Gradient norm per layer"]["layout"]["yaxis"]
    assert grads["type"] == "log" and "dtick" not in grads
    if at.session_state["training"]["result"].stopped:  # spiral at 1e308: the divergence is marked
        steps = len(at.session_state["training"]["result"].history.steps)
        assert figs["Loss"]["layout"]["shapes"][0]["x0"] == steps
        assert "training stopped after step" in figs["Loss"]["layout"]["annotations"][0]["text"]


def test_log_axis_ticks_are_few_and_written_in_full():
    values, texts = chart_style.log_ticks([0.7, 13.8])
    assert "0.5" in texts and "5" in texts and len(values) <= chart_style.MAX_TICKS
    values, texts = chart_style.log_ticks([1e-300, 3.0, 1e300, float("inf"), None, 0.0])
    assert 2 <= len(values) <= chart_style.MAX_TICKS and texts[-1] == "1e300"
    assert chart_style.log_ticks([0.0, float("nan")]) == ([], [])
