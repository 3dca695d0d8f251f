"""The Train page: settings, the limit, charts of the history, divergence, and handing
the result to the workspace and to Explore."""
import json

import numpy as np
from streamlit.testing.v1 import AppTest

from engine.presets import load_preset
from engine.train import train
from ui import boundary_chart
from ui import train_charts as charts


def train_page(preset: str | None = None) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=120)
    if preset:
        at.session_state["workspace"] = load_preset(preset)
    at.run()
    return at.switch_page("pages/train.py").run()


def click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    return at.run()


def figures(at: AppTest) -> dict:
    out = {}
    for chart in at.get("plotly_chart"):
        fig = json.loads(chart.proto.spec)
        out[fig["layout"]["title"]["text"]] = fig
    return out


def start(at: AppTest, *, lr: str, epochs: int, batch: int) -> AppTest:
    at.text_input(key="train_lr").set_value(lr)
    at.number_input(key="train_epochs").set_value(epochs)
    at.number_input(key="train_batch").set_value(batch)
    return click(at.run(), "Train")


def test_page_renders_with_the_article_and_says_what_to_do():
    at = train_page()
    assert not at.exception
    assert at.title[0].value == "Train"
    assert any("exact" in m.value for m in at.markdown)  # the arithmetic is shown
    assert any("Train" in i.value for i in at.info)


def test_training_xor_draws_loss_weights_gradients_and_the_boundary():
    at = start(train_page("xor"), lr="0.5", epochs=30, batch=4)
    assert not at.exception and not at.error
    figs = figures(at)
    loss = figs["Loss"]
    per_step = next(t for t in loss["data"] if t["name"] == "loss per step")
    assert len(per_step["y"]) == 30  # full batch: one step per epoch
    assert per_step["y"][-1] < per_step["y"][0]  # it learns
    weights = figs["Weights"]  # 17 weights: a line per component
    assert {t["name"] for t in weights["data"]} >= {"W2[1,1]", "b4[1]"}
    grads = figs["Gradient norm per layer"]
    assert grads["layout"]["yaxis"]["type"] == "log"
    assert {t["name"] for t in grads["data"]} == {"‖δw2‖", "‖δb2‖", "‖δw4‖", "‖δb4‖"}
    boundary = figs["Decision boundary after training"]
    heat = next(t for t in boundary["data"] if t["type"] == "heatmap")
    z = heat["z"]  # plotly sends numpy arrays as typed arrays: {"dtype", "bdata", "shape"}
    assert (tuple(int(v) for v in z["shape"].split(",")) if isinstance(z, dict) else np.shape(z)) == (80, 80)


def test_the_page_refuses_a_run_past_the_limit_before_starting():
    at = train_page("xor")
    at.number_input(key="train_epochs").set_value(200_000)
    at.number_input(key="train_batch").set_value(1)
    at.run()
    assert any("limit of 100,000 steps" in e.value for e in at.error)
    assert next(b for b in at.button if b.label == "Train").disabled


def test_divergence_shows_where_it_stopped_and_keeps_the_charts():
    at = start(train_page("spiral"), lr="1e308", epochs=1, batch=1)
    assert not at.exception
    assert any("training stopped at step" in e.value and "L6" in e.value for e in at.error)
    figs = figures(at)
    assert {"Loss", "Gradient norm per layer"} <= set(figs)
    assert len(figs["Loss"]["data"][0]["y"]) >= 1  # the history before it


def test_apply_makes_the_trained_model_the_workspace():
    at = start(train_page("xor"), lr="0.5", epochs=5, batch=4)
    before = load_preset("xor").model.weights()["W2"]
    at = click(at, "Apply trained weights")
    ws = at.session_state["workspace"]
    assert ws.name == "xor (trained)" and len(ws.data) == 4  # no longer the preset: not named as it
    assert not np.array_equal(ws.model.weights()["W2"], before)
    assert any("Applied" in s.value for s in at.success)


def test_open_in_explore_records_the_picked_step():
    at = start(train_page("xor"), lr="0.5", epochs=5, batch=2)  # 10 steps
    at.number_input(key="train_pick").set_value(7)
    at = click(at.run(), "Open in Explore")
    assert not at.exception
    shown = at.session_state["explore_graph"]
    assert shown["label"].startswith("training step 7 (epoch 4")
    assert shown["graph"].batch_size == 2


def test_charts_are_pure_functions_of_the_history():
    spec = load_preset("moons")
    result = train(spec.model, spec.data, lr=0.1, epochs=2, batch_size=20)
    fig = charts.weights_figure(result.history)  # 105 weights: one norm per tensor
    assert {t.name for t in fig.data} == {"‖W2‖", "‖b2‖", "‖W4‖", "‖b4‖", "‖W6‖", "‖b6‖"}
    xs, ys, z = boundary_chart.decision_grid(result.model, boundary_chart.grid_bounds(spec.data.x), 80)
    assert z.shape == (80, 80) and 0 <= z.min() and z.max() <= 1
    spiral = load_preset("spiral")
    _, _, classes = boundary_chart.decision_grid(spiral.model, (-1, 1, -1, 1), 20)
    assert set(np.unique(classes)) <= {0.0, 1.0, 2.0}


def test_exact_training_of_the_article_and_settings_survive_a_visit_to_explore():
    at = start(train_page(), lr="1/1000000", epochs=3, batch=1)
    assert not at.exception and not at.error
    weights = figures(at)["Weights"]
    assert [t["name"] for t in weights["data"]] == ["W2[1,1]", "W2[1,2]", "W2[1,3]"]
    at.switch_page("pages/explore.py").run()
    at.switch_page("pages/train.py").run()
    assert at.text_input(key="train_lr").value == "1/1000000"
    assert at.number_input(key="train_epochs").value == 3
    assert "Loss" in figures(at)  # the run is kept per session


def test_loading_another_preset_gives_its_own_default_settings():
    at = train_page()
    assert at.text_input(key="train_lr").value == "1e-7"  # the article series' own α
    at.selectbox(key="train_preset").set_value("moons")
    at = click(at, "Load preset")
    assert not at.exception
    assert at.text_input(key="train_lr").value == "0.3"  # moons' suggested α, not the article's 1e-7
    assert at.number_input(key="train_batch").value == 32 and at.number_input(key="train_epochs").value == 1000
    assert at.toggle(key="train_shuffle").value is True
    at.text_input(key="train_lr").set_value("0.2").run()
    at.switch_page("pages/explore.py").run()
    at.switch_page("pages/train.py").run()
    assert at.text_input(key="train_lr").value == "0.2"  # the same model: the settings stay


def test_the_epoch_mean_says_whether_the_run_learned():
    at = start(train_page("xor"), lr="0.1", epochs=50, batch=1)
    assert not at.exception
    mean = next(m for m in at.metric if m.label == "Mean loss, last epoch")
    assert mean.delta.startswith("-")  # 0.744 → 0.50, though the last single step went up


def test_presets_start_from_settings_that_suit_them():
    from engine.presets import SUGGESTED_TRAINING
    at = train_page("xor")
    assert at.text_input(key="train_lr").value == "0.5"
    assert at.number_input(key="train_batch").value == 4
    assert at.number_input(key="train_epochs").value == 200
    spec = load_preset("xor")
    s = SUGGESTED_TRAINING["xor"]
    result = train(spec.model, spec.data, lr=s["lr"], epochs=s["epochs"], batch_size=s["batch_size"])
    assert result.history.epoch_losses[-1] < 0.1  # XOR solved from the suggested settings
    article = train_page("article")
    assert article.text_input(key="train_lr").value == "1e-7"  # the article series' α
