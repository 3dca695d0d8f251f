"""A graph from training (Train's "Open in Explore", the film's Inspect) exported on the
Export page: every file's name says the epoch and the training step it is from, so a
picture of the trained weights does not pass for one of the workspace's model."""
import json

import pytest

from downloads import record_downloads
from test_page_train import click, start, train_page
from ui import exports as ex
from ui.film import explore_entry
from ui.state import TRAINING


@pytest.fixture
def saved(monkeypatch) -> dict:
    """Each download's file by its id."""
    return record_downloads(monkeypatch)


def downloads(at, saved: dict) -> dict:
    """Label → (file name, bytes) of every download button on the page; the final frame's
    buttons (labelled as this frame's) as "final SVG" and so on."""
    out = {}
    for b in at.get("download_button"):
        label = f"final {b.label}" if "-dl-final-" in b.proto.id else b.label
        out[label] = saved[b.proto.url.rsplit("/", 1)[-1].split(".")[0]]
    return out


def test_a_training_step_opened_from_train_exports_files_named_by_its_epoch_and_step(saved):
    at = start(train_page("xor"), lr="0.5", epochs=3, batch=2)  # 2 steps an epoch: step 5 is in epoch 3
    at.number_input(key="train_pick").set_value(5)
    at = click(at.run(), "Open in Explore")
    assert not at.exception
    at = at.switch_page("pages/export.py").run()
    assert not at.exception and not at.error
    for label in ("Prepare GIF", "Prepare HTML player"):  # the animations too
        at = click(at, label)
        assert not at.exception
    files = downloads(at, saved)
    names = {label: name for label, (name, _) in files.items()}
    stem = "xor-epoch3-before-update5"
    assert names["SVG"] == f"{stem}-batch-step{at.slider(key='export_step').value}-float-layer.svg"
    assert names["final PNG"] == f"{stem}-batch-final-float-layer.png"
    gif = next(n for label, n in names.items() if label.startswith("GIF"))
    html = next(n for label, n in names.items() if label.startswith("HTML player"))
    assert gif == f"{stem}-batch-pass-float-layer.gif" and html == f"{stem}-batch-pass-float-layer.html"
    assert names["Model JSON"] == f"{stem}.json"
    assert names["numpy script"] == f"{stem}-batch-numpy.py"
    assert all(name.startswith(stem + "-") or name == f"{stem}.json" for name in names.values()), names
    model = json.loads(files["Model JSON"][1])
    assert "weights before its update" in model["description"]


def test_a_film_frame_exports_files_named_after_the_update_it_follows(saved):
    at = start(train_page("xor"), lr="0.5", epochs=3, batch=2)  # 6 steps: the film has frames 0 to 6
    run = at.session_state[TRAINING]
    frame = 3
    step, epoch = run["film"]["steps"][frame], run["film"]["epochs"][frame]
    assert (step, epoch) == (3, 2)
    entry = {k: v for k, v in explore_entry(run, frame).items() if k != "step"}  # what Inspect opens
    at.session_state["explore_graph"] = entry
    at = at.switch_page("pages/export.py").run()
    assert not at.exception and not at.error
    files = downloads(at, saved)
    names = {label: name for label, (name, _) in files.items()}
    assert names["SVG"].startswith("xor-epoch2-after-update3-batch-step")
    assert names["Model JSON"] == "xor-epoch2-after-update3.json"
    # its model file says what it holds: the weights after that update, not before
    assert "weights after its update" in json.loads(files["Model JSON"][1])["description"]


def test_the_films_first_frame_is_before_training():
    at = start(train_page("xor"), lr="0.5", epochs=1, batch=4)
    entry = explore_entry(at.session_state[TRAINING], 0)
    assert ex.training_stem("xor", entry["training"]) == "xor-epoch0-before-update1"


def test_the_stem_is_a_safe_file_name_and_an_entry_without_training_keeps_the_old_one():
    training = {"epoch": 40, "update": 1234, "after": True}
    assert ex.training_stem("moons (trained)", training) == "moons_trained-epoch40-after-update1234"
    assert ex.picture_name(ex.training_stem("moons", training), sample=None, step=9, arithmetic="float",
                           view="layer", ext="png") == "moons-epoch40-after-update1234-step9-float-layer.png"
    assert ex.training_stem("moons", None) == "moons-training"
