"""The Train page's film (engine/film.py, ui/film.py without the browser): evenly spaced
snapshots within the frame, byte and work limits, each frame's losses and gradient norms
as the engine computes them, the 2-D plane only for 2 inputs, and the graph and weights
a frame hands to Explore and to further training."""
import numpy as np
import pytest

from engine.csv_data import read_csv
from engine.data_split import table_dataset
from engine.descent import record_step
from engine.film import FilmRefused, film_data, flat_weights, frame_steps, payload_bytes, unpack
from engine.limits import FILM_MAX_BYTES, FILM_MAX_FRAMES
from engine.metrics import mean_loss
from engine.mlp import mlp_spec
from engine.presets import load_preset
from engine.train import train
from ui.film import explore_entry, resume_spec

CSV = b"a,b,label\n" + b"".join(f"{np.sin(i)},{np.cos(3 * i)},{int(np.sin(i) * np.cos(3 * i) > 0)}\n".encode()
                                  for i in range(60))


def moons_run(epochs=300):
    spec = load_preset("moons")
    return spec, train(spec.model, spec.data, lr=0.3, epochs=epochs, batch_size=32, shuffle=True)


def test_frames_are_evenly_spaced_snapshots_from_first_to_last():
    assert frame_steps(range(0, 11), 3) == [0, 5, 10]
    assert frame_steps([0, 2, 5, 6, 8, 9], 4) == [0, 2, 6, 9]  # the nearest snapshot to 0, 3, 6, 9
    assert frame_steps([0, 1, 2], 10) == [0, 1, 2]  # fewer snapshots than frames: all of them
    spec, result = moons_run()
    film = film_data(result, spec.model, spec.data)
    steps = film["steps"]
    assert len(steps) == FILM_MAX_FRAMES and steps[0] == 0 and steps[-1] == len(result.history.steps)
    gaps = np.diff(steps)
    assert gaps.max() - gaps.min() <= 1  # evenly spaced, to the step
    assert set(steps) <= set(result.history.weights)
    assert film["epochs"][0] == 0 and film["epochs"][-1] == 300


def test_each_frame_carries_its_snapshot_and_the_engines_losses_and_norms():
    spec = mlp_spec(table_dataset(read_csv(CSV), test_fraction=0.25, seed=1), "binary", hidden=(4,), seed=1)
    result = train(spec.model, spec.data, lr=0.5, epochs=40, batch_size=9, shuffle=True, seed=2)
    film = film_data(result, spec.model, spec.data)
    n, k = len(film["steps"]), 7
    step = film["steps"][k]
    w = unpack(film["weights"]).reshape(n, film["n_params"])
    snapshot = result.history.weights[step]
    assert np.array_equal(w[k], flat_weights(spec.model, snapshot))  # exact float64, not rounded text
    at = spec.model.with_weights(snapshot)
    assert unpack(film["train_loss"])[k] == pytest.approx(mean_loss(at, spec.data), rel=1e-12)
    assert unpack(film["test_loss"])[k] == pytest.approx(mean_loss(at, spec.data.test), rel=1e-12)
    # ‖δw‖ of each layer with weights (W and b together), over all the training rows
    norms = unpack(film["grad_norms"]).reshape(n, len(film["weighted"]))
    assert film["weighted"] == [2, 4]
    assert np.all(norms > 0)
    plane = film["plane"]
    assert plane["task"] == "binary" and len(unpack(plane["test_x"])) == 2 * len(spec.data.test)
    assert plane["features"] == ["a", "b"]


def test_the_payload_stays_within_its_byte_limit_with_fewer_frames_for_a_bigger_model():
    spec, result = moons_run(epochs=100)
    film = film_data(result, spec.model, spec.data)
    assert payload_bytes(film) <= FILM_MAX_BYTES
    small = film_data(result, spec.model, spec.data, max_bytes=60_000)
    assert 2 <= len(small["steps"]) < len(film["steps"]) and payload_bytes(small) <= 60_000
    with pytest.raises(FilmRefused, match="too big to send"):
        film_data(result, spec.model, spec.data, max_bytes=6_000)
    with pytest.raises(FilmRefused, match="more work"):
        film_data(result, spec.model, spec.data, max_work=1_000)


def test_three_inputs_have_no_plane_and_exact_runs_are_filmed_in_float():
    spec = load_preset("article")
    result = train(spec.model, spec.data, lr="1/1000000", epochs=3, batch_size=1)
    film = film_data(result, spec.model, spec.data)
    assert film["plane"] is None and film["size_in"] == 3
    assert film["steps"] == list(range(10))
    assert unpack(film["weights"]).reshape(10, -1)[3].tolist() == [float(v) for v in result.history.weights[3]["W2"].ravel()]


def test_a_frame_opens_its_own_weights_in_explore_and_training_goes_on_from_them():
    spec, result = moons_run(epochs=20)
    run = {"spec": spec, "result": result}
    run["film"] = film_data(result, spec.model, spec.data)
    k = 9
    step = run["film"]["steps"][k]
    entry = explore_entry(run, k)
    weights = entry["graph"].model.weights()
    for key, w in result.history.weights[step].items():
        assert np.array_equal(weights[key], w)  # the replayed update lands on the snapshot exactly
    assert f"after step {step:,}" in entry["label"] and entry["graph"].batch_size == 32
    first = explore_entry(run, 0)
    assert "before training" in first["label"]
    assert np.array_equal(first["graph"].model.weights()["W2"], spec.model.weights()["W2"])
    resumed = resume_spec(run, k)
    assert resumed.name == "moons (trained)"
    assert np.array_equal(resumed.model.weights()["W4"], result.history.weights[step]["W4"])


def test_record_step_after_the_update_is_the_next_steps_before():
    spec, result = moons_run(epochs=2)
    after = record_step(result, spec.model, spec.data, 5, after=True).model.weights()
    before_next = record_step(result, spec.model, spec.data, 6).model.weights()
    for key in after:
        assert np.array_equal(after[key], before_next[key])


def test_the_browser_runs_every_layer_type():
    """A new layer type must also be taught to ui/assets/film_math.js (and listed in
    engine.film.JS_LAYERS), or its models lose their boundary in the film."""
    from pathlib import Path

    from engine.film import JS_LAYERS
    from engine.layers import LAYER_TYPES
    assert set(LAYER_TYPES) <= JS_LAYERS
    js = (Path(__file__).parents[1] / "ui" / "assets" / "film_math.js").read_text()
    for kind in JS_LAYERS:
        assert f'case "{kind}"' in js


# --- with an L2/L1 penalty the film shows the objective trained (engine/penalty.py) ------

FILM_KEYS = {"steps", "epochs", "total_steps", "n_params", "layers", "drawable", "weighted", "weights", "train_loss",
             "test_loss", "grad_norms", "loss_kind", "size_in", "size_out", "stopped", "plane"}


def lambda_term(weights: dict, l2, l1):
    """λ₂·½Σw² + λ₁·Σ|w| over the weight matrices only (not the biases), written out
    here rather than taken from engine/penalty.py."""
    total = 0
    for key, w in weights.items():
        if key.startswith("W"):
            for v in np.asarray(w).ravel():
                total += l2 * v * v / 2 + l1 * abs(v)
    return total


def test_a_penalised_float_run_films_mean_loss_plus_p_and_its_parts():
    from dataclasses import replace

    from engine.penalty import penalty_of
    spec = load_preset("moons")
    model0 = replace(spec.model, penalty=penalty_of("0.01", "0.002", "float"))
    result = train(model0, spec.data, lr=0.3, epochs=12, batch_size=len(spec.data))  # full batch: a step per epoch
    film = film_data(result, model0, spec.data)
    assert set(film) == FILM_KEYS | {"penalty"}
    pen = film["penalty"]
    assert pen["labels"] == {"total": "mean loss + P", "data": "mean loss", "penalty": "P"}  # the layer view's names
    assert pen["lambdas"] == "λ₂ = 0.01, λ₁ = 0.002"
    total, data, p = unpack(film["train_loss"]), unpack(pen["data_loss"]), unpack(pen["P"])
    assert len(total) == len(data) == len(p) == len(film["steps"]) == 13
    assert np.array_equal(total, data + p)  # the sum the film writes is its total
    for k, step in enumerate(film["steps"]):
        weights = result.history.weights[step]
        at = model0.with_weights(weights)
        assert data[k] == pytest.approx(mean_loss(at, spec.data), rel=1e-12)
        assert p[k] == pytest.approx(lambda_term(weights, 0.01, 0.002), rel=1e-12) and p[k] > 0
        assert total[k] == pytest.approx(mean_loss(at, spec.data) + lambda_term(weights, 0.01, 0.002), rel=1e-12)
        if step < len(result.history.steps):
            # the loss chart's point for the next step: the same weights, the same objective
            record = result.history.steps[step]
            assert total[k] == pytest.approx(float(record.loss), rel=1e-12)
            # ‖δw‖ as the chart's: the gradient descended, the penalty's term included
            norms = unpack(film["grad_norms"]).reshape(len(film["steps"]), -1)[k]
            for i, layer in enumerate(film["weighted"]):
                chart = record.grad_norms[f"W{layer}"] ** 2 + record.grad_norms.get(f"b{layer}", 0.0) ** 2
                assert norms[i] ** 2 == pytest.approx(chart, rel=1e-9)


def test_an_exact_penalised_run_films_the_exact_objective():
    """Exact runs are filmed in float64: with dyadic weights, data, α and λ every float
    operation of these few steps is exact, so the film equals the Fractions exactly."""
    from fractions import Fraction as F

    from engine.spec import spec_from_dict
    spec = spec_from_dict({
        "format": "backprop-explorer/1", "arithmetic": "exact", "penalty": {"l2": "1/4", "l1": "1/8"},
        "layers": [{"type": "input", "size": 2}, {"type": "linear", "size": 1, "weights": [["1/2", "-1/4"]]}],
        "loss": "half_squared_error",
        "data": {"x": [[1, 0], [0, 1], [1, 1], [2, 1]], "y": [[1], [0], [1], [0]]}})
    result = train(spec.model, spec.data, lr="1/8", epochs=3, batch_size=4)
    film = film_data(result, spec.model, spec.data)
    assert film["penalty"]["lambdas"] == "λ₂ = 1/4, λ₁ = 1/8"  # the exact λ as written, though filmed in float
    total, data, p = unpack(film["train_loss"]), unpack(film["penalty"]["data_loss"]), unpack(film["penalty"]["P"])
    x, y = [[F(v) for v in row] for row in spec.data.x], [F(row[0]) for row in spec.data.y]
    for k, step in enumerate(film["steps"]):
        weights = result.history.weights[step]
        w = [F(v) for v in weights["W2"].ravel()]
        mean = sum((w[0] * a + w[1] * b - t) ** 2 / 2 for (a, b), t in zip(x, y)) / 4
        term = lambda_term(weights, F(1, 4), F(1, 8))
        assert isinstance(term, F) and (data[k], p[k], total[k]) == (float(mean), float(term), float(mean + term))
        if step < len(result.history.steps):
            assert result.history.steps[step].loss == mean + term  # the chart's exact objective


def test_without_a_penalty_the_film_carries_what_it_always_did():
    spec, result = moons_run(epochs=3)
    film = film_data(result, spec.model, spec.data)
    assert set(film) == FILM_KEYS and "penalty" not in film
    for k, step in enumerate(film["steps"]):
        at = spec.model.with_weights(result.history.weights[step])
        assert unpack(film["train_loss"])[k] == pytest.approx(mean_loss(at, spec.data), rel=1e-12)
