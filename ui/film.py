"""The Train page's film: the last run played in the browser from its snapshots
(engine/film.py builds them; ui/assets/film_math.js, film_draw.js and film.js play them), a Streamlit
v2 component as Explore's player (ui/player.py) is. The browser reports the frame it
shows with two trigger values: "inspect" (that frame's graph goes to Explore, as the
page's "Open in Explore" does) and "resume" (that frame's weights become the workspace,
so that Train goes on from there). The film comes back at that frame after a visit."""
from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path

import numpy as np
import streamlit as st

from engine.descent import record_step
from engine.film import FilmRefused, film_data
from engine.presets import PRESETS
from ui import state
from ui.boundary_chart import grid_bounds

_ASSETS = Path(__file__).parent / "assets"
_film = st.components.v2.component(
    "backprop_film",
    html="",
    css=(_ASSETS / "film.css").read_text(),
    js="\n".join((_ASSETS / name).read_text() for name in ("film_math.js", "film_draw.js", "film.js")),
)


def trained_model(run: dict):
    """The model the run started from, with the penalty it minimised: the Train page's
    λ fields may differ from the workspace's own (run["spec"]), and a replay or a film
    with the workspace's penalty would show another objective than the one descended."""
    return run.get("model0", run["spec"].model)


def film_of(run: dict) -> dict | str:
    """The run's film (built once, kept with the run), or why it has none."""
    if "film" not in run:
        spec, result = run["spec"], run["result"]
        try:
            x = spec.data.batch("float")[0]
            if spec.data.test is not None:
                x = np.vstack([x, spec.data.test.batch("float")[0]])
            bounds = grid_bounds(x) if spec.model.size_in == 2 else None
            run["film"] = film_data(result, trained_model(run), spec.data, bounds=bounds)
        except FilmRefused as e:
            run["film"] = str(e)
        run["film_id"] = uuid.uuid4().hex[:12]
    return run["film"]


def explore_entry(run: dict, frame: int) -> dict:
    """Explore's graph for a film frame: the recorded step with that snapshot's weights
    (after the step's update, on its batch; frame 0: the initial weights, on step 1's batch)."""
    film, spec, result = run["film"], run["spec"], run["result"]
    step, epoch = film["steps"][frame], film["epochs"][frame]
    model0 = trained_model(run)
    graph = (record_step(result, model0, spec.data, 1) if step == 0 else
             record_step(result, model0, spec.data, step, after=True))
    n = graph.batch_size
    where = "before training" if step == 0 else f"epoch {epoch}, after step {step:,}"
    # Export's file names (ui/exports.py: training_stem): frame 0 (epoch 0) is step 1's pass before its update
    training = ({"epoch": epoch, "update": 1, "after": False} if step == 0 else
                {"epoch": epoch, "update": step, "after": True})
    return {"graph": graph, "label": f"the film's frame {frame + 1} ({where}; {n} sample{'s' if n > 1 else ''})",
            "step": step, "training": training}


def resume_spec(run: dict, frame: int):
    """The workspace to train on from a film frame: the run's model with that snapshot's weights."""
    spec, step = run["spec"], run["film"]["steps"][frame]
    model = spec.model.with_weights(run["result"].history.weights[step])
    name = f"{spec.name} (trained)" if spec.name in PRESETS else spec.name
    return replace(spec, model=model, name=name)


def _noop() -> None:
    """Registers a trigger: the page reads its value after mounting."""


def show(run: dict) -> None:
    """The film of ``run`` (the Train page's last run), with what its triggers ask."""
    film = film_of(run)
    if isinstance(film, str):
        st.info(film + " The charts below show the run.", icon=":material/movie_off:")
        return
    if film["plane"] is None:
        why = (f"{film['size_in']} inputs" if film["size_in"] != 2 else "a layer the browser cannot run")
        st.caption(f"The decision boundary and the neurons' pictures need 2 inputs the browser can run through the "
                   f"model; this model has {why}, so the film shows the loss, the gradients and the weights.")
    frame = min(run.get("film_frame", 0), len(film["steps"]) - 1)
    first = not run.get("film_shown")
    run["film_shown"] = True
    result = _film(data={**film, "signature": run["film_id"], "frame": frame, "autoplay": first},
                   key="film", on_inspect_change=_noop, on_resume_change=_noop, height="content")
    if result.inspect is not None:
        k = _frame(result.inspect, film)
        run["film_frame"] = k
        state.open_in_explore({key: v for key, v in explore_entry(run, k).items() if key != "step"})
    if result.resume is not None:
        k = _frame(result.resume, film)
        run["film_frame"] = k
        step = film["steps"][k]
        # a frame's weights are those after its step's update, as the film's status says
        weights = (f"the weights after step {step:,} (epoch {film['epochs'][k]})" if step else
                   "the weights before step 1")
        done = f"The workspace holds {weights}: **Train** goes on from there."
        run["resumed"] = resumed = resume_spec(run, k)  # Train's "changed since" warning knows it
        if state.replace_workspace(resumed, done, "train-resume",
                                   question=f"Train on from {weights}?"):
            st.session_state["_film_said"] = done
            st.rerun()
    state.ask_replace("train-resume")
    said = st.session_state.pop("_film_said", None)
    if said:
        st.success(said, icon=":material/fast_forward:")


def _frame(value, film) -> int:
    """A frame number from the browser, kept within the film."""
    try:
        return max(0, min(int(value), len(film["steps"]) - 1))
    except (TypeError, ValueError):
        return 0
