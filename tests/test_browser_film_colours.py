"""The film's network picture says what its colours mean, and every neuron's picture is
drawn as its caption says (ui/assets/film.js, film_draw.js, film_math.js): the inputs'
and hidden neurons' pictures blue where their output is positive, orange where negative;
the one output of a binary or a regression model coloured as the plane (Playground's
output picture is the decision picture), orange toward class 1 or the highest target, so
the caption says so; several classes' outputs drawn as the hidden neurons. The film runs
as Streamlit runs it, in a bare page (no server): the colours are read off the canvas at
grid points where the neuron's value is clearly on one side."""
from pathlib import Path

import numpy as np

from engine.csv_data import read_csv
from engine.data_split import table_dataset
from engine.film import film_data
from engine.mlp import mlp_spec
from engine.presets import load_preset
from engine.train import train
from ui.boundary_chart import grid_bounds

ROOT = Path(__file__).resolve().parents[1]
R = 40  # film_draw.js: grid points per side
HIDDEN = "; inputs and hidden neurons: blue positive, orange negative; the output: coloured as the "
_rng = np.random.default_rng(3)
_xy = _rng.uniform(-2, 2, (80, 2))
REGRESSION_CSV = ("a,b,t\n" + "".join(f"{a:.4f},{b:.4f},{3 * a - b + 1:.4f}\n" for a, b in _xy)).encode()


def binary():
    return load_preset("moons"), dict(lr=0.3, epochs=60, batch_size=32, shuffle=True)


def classes():
    return load_preset("spiral"), dict(lr=0.3, epochs=40, batch_size=32, shuffle=True)


def regression():
    spec = mlp_spec(table_dataset(read_csv(REGRESSION_CSV), test_fraction=0), "regression", hidden=(4,), seed=1)
    return spec, dict(lr=0.05, epochs=60, batch_size=8, shuffle=True)


def film_in_page(browser, make):
    """The last frame of a trained model's film in a bare page: its captions, the net's
    tiles (column, neuron, position, RGB pixels), the columns and the grid's layer outputs."""
    spec, how = make()
    result = train(spec.model, spec.data, **how)
    film = film_data(result, spec.model, spec.data, bounds=grid_bounds(spec.data.batch("float")[0]))
    data = {**film, "signature": "a", "frame": len(film["steps"]) - 1, "autoplay": False}
    glue = "\n".join((ROOT / "ui" / "assets" / name).read_text() for name in ("film_math.js", "film_draw.js", "film.js"))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_content('<div id="host"></div>')
        page.add_script_tag(content=glue.replace("export default function", "window.glue = function"))
        got = page.evaluate("""data => {
            window.glue({data, parentElement: document.getElementById('host'), setTriggerValue: () => {}});
            const root = document.querySelector('.bf-film'), k = Number(root.dataset.frame);
            const cv = root.querySelector('canvas.bf-net'), info = JSON.parse(cv.dataset.tiles);
            const px = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height);
            const tiles = info.at.map(([col, j, x, y]) => {
              const rgb = [];
              for (let Y = Math.floor(y); Y < Math.ceil(y + info.size); Y++)
                for (let X = Math.floor(x); X < Math.ceil(x + info.size); X++) {
                  const i = 4 * (Y * px.width + X);
                  rgb.push([X, Y, px.data[i], px.data[i + 1], px.data[i + 2]]);
                }
              return {col, j, x, y, rgb};
            });
            return {frame: k, size: info.size, tiles, cols: FilmMath.columns(data.layers),
                    outs: root.bpFilm.gridOutputs(k).outs,
                    net: root.querySelector('.bf-net-cap').textContent,
                    plane: root.querySelector('.bf-plane-cap').textContent};
        }""", data)
    finally:
        context.close()
    assert got["frame"] == len(film["steps"]) - 1
    return film, got


def tile_sides(got, tile, on_plane_scale, value_range):
    """(the side each clear grid point is on by the caption's scale: +1 blue, −1 orange,
    the side its drawn pixel's colour shows) for the pixels well inside the tile."""
    col = got["cols"][tile["col"]]
    n = col["size"]
    v = np.array(got["outs"][col["last"]]).reshape(R, R, n)[:, :, tile["j"]]
    if on_plane_scale:  # the plane's scale: blue toward its low end, orange toward its high end
        lo, hi = value_range
        t = 2 * (v - lo) / (hi - lo) - 1
        side = np.where(t > 0.1, -1, np.where(t < -0.1, 1, 0))
    else:  # the hidden neurons' scale: blue positive, orange negative, against the tile's largest |value|
        t = v / max(1.0, float(np.abs(v).max()))
        side = np.where(t > 0.1, 1, np.where(t < -0.1, -1, 0))
    x, y, size = tile["x"], tile["y"], got["size"]
    pairs = []
    for X, Y, r, g, b in tile["rgb"]:
        if not (x + 2 <= X <= x + size - 3 and y + 2 <= Y <= y + size - 3):
            continue  # the tile's frame, and its blend with what lies around it
        u, w = (X + 0.5 - x) * R / size - 0.5, (Y + 0.5 - y) * R / size - 0.5
        c0, r0 = int(np.floor(u)), int(np.floor(w))
        block = side[max(0, r0 - 1):r0 + 3, max(0, c0 - 1):c0 + 3]
        if block.size and (block == block.flat[0]).all() and block.flat[0] != 0:
            drawn = 1 if b - r > 4 else -1 if r - b > 4 else 0
            pairs.append((int(block.flat[0]), drawn))
    return pairs


def check_every_tile(got, output_on_plane_scale, value_range):
    last = len(got["cols"]) - 1
    for tile in got["tiles"]:
        on_plane = tile["col"] == last and output_on_plane_scale
        pairs = tile_sides(got, tile, on_plane, value_range)
        assert pairs, ("no clear pixel in", tile["col"], tile["j"])
        wrong = [p for p in pairs if p[0] != p[1]]
        assert not wrong, (tile["col"], tile["j"], len(wrong), len(pairs))
        if tile["col"] == last:  # the output's picture shows both of its colours
            assert {s for s, _ in pairs} == {1, -1}, (tile["col"], tile["j"])
        if on_plane:  # and the other scale would not describe it (a sigmoid's output is all blue there)
            assert any(want != drawn for want, drawn in tile_sides(got, tile, False, None))


def test_a_binary_models_output_picture_is_the_decision_boundarys_and_its_caption_says_so(browser):
    film, got = film_in_page(browser, binary)
    assert film["plane"]["task"] == "binary"
    scale = "blue toward 0 (class 0), white at 0.5, orange toward 1 (class 1)"
    assert HIDDEN in got["net"] and f"the output: coloured as the decision boundary, {scale};" in got["net"]
    assert got["plane"].startswith("Decision boundary and the data") and got["plane"].endswith(scale)
    check_every_tile(got, True, (0.0, 1.0))


def test_a_regression_models_output_picture_is_coloured_as_the_plane_and_its_caption_says_so(browser):
    film, got = film_in_page(browser, regression)
    lo, hi = film["plane"]["range"]
    assert film["plane"]["task"] == "regression" and lo < 0 < hi
    assert HIDDEN in got["net"] and "the output: coloured as the plane, blue at " in got["net"]
    assert f"orange at {float(f'{hi:.4g}'):g} (the highest) and above" in got["net"]
    assert got["plane"].startswith("The model's output and the data") and "(the lowest target)" in got["plane"]
    check_every_tile(got, True, (lo, hi))


def test_several_classes_outputs_are_drawn_as_the_hidden_neurons_and_the_caption_says_not_as_classes(browser):
    film, got = film_in_page(browser, classes)
    assert film["plane"]["task"] == "classes"
    assert ("the outputs' too (one per class): blue positive, orange negative, not the classes' colours"
            in got["net"])
    assert "class 0 blue, class 1 orange, class 2 green" in got["plane"]
    check_every_tile(got, False, None)
