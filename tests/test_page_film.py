"""The Train page mounts the film (ui/film.py) with the run's snapshots, bounded in size;
the browser side is tests/test_browser_film.py."""
import json

from engine.film import unpack
from engine.limits import FILM_MAX_BYTES, FILM_MAX_FRAMES
from test_page_train import start, train_page


def film_data(at) -> dict:
    films = [c for c in at.get("bidi_component") if c.proto.component_name.endswith("backprop_film")]
    assert len(films) == 1, "the Train page mounts one film after a run"
    assert len(films[0].proto.json) <= FILM_MAX_BYTES  # what the browser receives
    return json.loads(films[0].proto.json)


def test_a_run_is_mounted_as_a_film_of_its_snapshots():
    at = train_page("moons")
    assert not [c for c in at.get("bidi_component") if c.proto.component_name.endswith("backprop_film")]
    at = start(at, lr="0.3", epochs=60, batch=32)  # 7 steps an epoch: 421 snapshots
    assert not at.exception and not at.error
    data = film_data(at)
    assert len(data["steps"]) == FILM_MAX_FRAMES and data["steps"][0] == 0 and data["steps"][-1] == 420
    assert data["autoplay"] is True and data["frame"] == 0
    assert len(unpack(data["weights"])) == FILM_MAX_FRAMES * 105  # 2-8-8-1: 105 weights a frame
    losses = unpack(data["train_loss"])
    assert losses[-1] < losses[0]
    assert data["plane"]["task"] == "binary" and len(unpack(data["plane"]["x"])) == 400
    at.run()  # a rerun: the same film, no longer played from the start
    again = film_data(at)
    assert again["signature"] == data["signature"] and again["autoplay"] is False


def test_a_model_without_two_inputs_plays_without_its_plane_and_says_so():
    at = start(train_page(), lr="1/1000000", epochs=3, batch=1)
    assert not at.exception and not at.error
    data = film_data(at)
    assert data["plane"] is None and len(data["steps"]) == 10
    assert any("need 2 inputs" in c.value and "3 inputs" in c.value for c in at.caption)


def test_training_on_from_a_frame_is_not_a_change_of_the_workspace():
    """After "Train on from here" the workspace holds one of this run's frames: the page
    says so, and not that the workspace changed since the run (which read as a contradiction)."""
    from dataclasses import replace

    from ui.film import resume_spec
    from ui.state import TRAINING
    at = start(train_page("moons"), lr="0.3", epochs=5, batch=32)
    run = at.session_state[TRAINING]
    run["resumed"] = resumed = resume_spec(run, 2)  # what the button's handler does
    at.session_state["workspace"] = resumed
    at.run()
    assert not at.exception and not any("changed since" in w.value for w in at.warning)
    at.session_state["workspace"] = replace(resumed, model=run["spec"].model.with_weights({}))  # another model
    at.run()
    assert any("changed since" in w.value for w in at.warning)


def test_a_penalised_run_sends_the_film_the_objective_the_loss_chart_draws():
    """The λ typed on Train (the workspace has none) reach the film: its loss is mean
    loss + P, the loss chart's values, with the two parts and their names; a frame opened
    in Explore is replayed with the same penalty."""
    import numpy as np
    import pytest

    from test_page_train import figures
    from ui.film import explore_entry
    from ui.state import TRAINING
    at = train_page("xor")
    at.text_input(key="train_l2").set_value("0.05")
    at.text_input(key="train_l1").set_value("0.01")
    at = start(at, lr="0.5", epochs=8, batch=4)  # full batch: step s+1's loss is at frame s's weights
    assert not at.exception and not at.error
    data = film_data(at)
    pen = data["penalty"]
    assert pen["labels"] == {"total": "mean loss + P", "data": "mean loss", "penalty": "P"}
    assert pen["lambdas"] == "λ₂ = 0.05, λ₁ = 0.01"
    total, mean, p = unpack(data["train_loss"]), unpack(pen["data_loss"]), unpack(pen["P"])
    assert np.array_equal(total, mean + p) and np.all(p > 0)
    chart = next(t for t in figures(at)["Loss"]["data"] if t["name"] == "loss per step")
    assert data["steps"] == list(range(9)) and chart["x"] == list(range(1, 9))
    assert total[:8] == pytest.approx(chart["y"], rel=1e-12)
    run = at.session_state[TRAINING]
    graph = explore_entry(run, 3)["graph"]
    assert graph.penalty == pytest.approx(p[3], rel=1e-12) and graph.loss == pytest.approx(total[3], rel=1e-12)
