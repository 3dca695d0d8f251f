"""Browser test of the Train page's film (ui/film.py, ui/assets/film*.js): upload a CSV
on the Data page, train, watch the film play (the frame counter advances, the pictures
change), pause, step, inspect that frame in Explore, come back and train on from it.
And the browser's forward pass against the engine's, at grid points of a frame."""
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np
from playwright.sync_api import expect

from engine.csv_data import read_csv
from engine.data_split import table_dataset
from engine.mlp import mlp_spec

FILM = ".bf-film"
ROOT = Path(__file__).resolve().parents[1]
# Two noisy blobs: a binary target, 2 features, so the film draws the plane.
_rng = np.random.default_rng(5)
_rows = [(x + 1.5 * c, y - c, c) for c in (0, 1) for x, y in _rng.normal(0, 0.7, (40, 2))]
CSV = ("left,right,label\n" + "".join(f"{x:.4f},{y:.4f},{c}\n" for x, y, c in _rows)).encode()


def frame(page) -> int:
    return int(page.locator(FILM).get_attribute("data-frame"))


def canvas(page, name: str) -> str:
    return page.locator(f"{FILM} canvas.bf-{name}").evaluate("c => c.toDataURL()")


def upload_and_train(page, app_url):
    page.goto(app_url + "/data")
    page.get_by_role("heading", name="Data", exact=True).wait_for()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        files=[{"name": "blobs.csv", "mimeType": "text/csv", "buffer": CSV}])
    page.get_by_role("button", name="Use this data").click()
    page.get_by_text("is now the model in use").first.wait_for()
    page.get_by_role("link", name="Train").click()
    page.get_by_role("heading", name="Train", exact=True).wait_for()
    page.get_by_role("button", name="Train", exact=True).click()
    page.locator(f"{FILM} .bf-status").wait_for()


def last_place(text: str) -> float:
    """One unit of a printed number's last digit."""
    if "e" in text:
        return abs(float(text)) * 1e-3  # toPrecision(4) in exponent form
    return 10.0 ** -len(text.split(".")[1]) if "." in text else 1.0


def check_sum(page, want_mean: float, want_p: float) -> None:
    """The film's status at frame 0 writes mean loss + P = a + b = c: each part right to
    its printed digits, the printed sum adding up, and P changing the printed total."""
    status = page.locator(f"{FILM} .bf-status").text_content()
    found = re.search(r"mean loss \+ P = ([\d.e+-]+) \+ ([\d.e+-]+) = ([\d.e+-]+)", status)
    assert found, status
    texts = found.groups()
    (a, b, c), unit = (float(v) for v in texts), last_place(texts[2])
    for shown, text, want in zip((a, b, c), texts, (want_mean, want_p, want_mean + want_p)):
        assert abs(shown - want) <= 0.5 * last_place(text) * (1 + 1e-9), (text, want)
    assert abs(a + b - c) <= 1.5 * unit * (1 + 1e-9), texts  # three roundings of half a unit
    assert b > unit / 2 and texts[2] != texts[0], texts  # a + b is not written a


def engine_outputs(weights: np.ndarray, points: np.ndarray) -> list[np.ndarray]:
    """Every layer's output of the Data page's model (2-8-8-1, tanh) with a frame's weights."""
    spec = mlp_spec(table_dataset(read_csv(CSV)), "binary")
    w, at, named = weights, 0, {}
    for k, layer in enumerate(spec.model.layers, 1):
        for name in ("W", "b"):
            if name in layer.params:
                shape = layer.params[name].shape
                named[f"{name}{k}"] = w[at:at + int(np.prod(shape))].reshape(shape)
                at += int(np.prod(shape))
    assert at == len(w)
    o, outs = points, []
    for layer in spec.model.with_weights(named).layers:
        o = layer.forward(o)
        outs.append(o)
    return outs


def test_upload_train_watch_pause_step_and_inspect_the_frame_in_explore(page, app_url):
    upload_and_train(page, app_url)
    film = page.locator(FILM)
    # it plays by itself after training (the film lives in a shadow root: polled)
    for _ in range(600):
        if frame(page) > 0:
            break
        page.wait_for_timeout(50)
    assert frame(page) > 0
    n = int(page.locator(f"{FILM} .bf-scrub").get_attribute("max")) + 1
    # the loss and the gradient norms beside the plane at their drawn size, so their 11 px
    # axis labels stay 11 px (three in a row drew them at two thirds of it)
    for name in ("loss", "norms", "boundary"):
        shown = page.locator(f"{FILM} canvas.bf-{name}").evaluate("c => c.getBoundingClientRect().width / c.width")
        assert shown >= 0.95, (name, shown)
    # the output's picture is the decision boundary's, orange = class 1, and the caption says
    # so beside the hidden neurons' orange = negative (tests/test_browser_film_colours.py: the pixels)
    expect(page.locator(f"{FILM} .bf-net-cap")).to_contain_text(
        "inputs and hidden neurons: blue positive, orange negative; the output: coloured as the decision boundary, "
        "blue toward 0 (class 0), white at 0.5, orange toward 1 (class 1);")

    # slower, from the start: the counter advances, the pictures change; then pause
    page.locator(f"{FILM} .bf-speed").select_option("5")
    page.locator(f'{FILM} button[data-act="first"]').click()
    expect(film).to_have_attribute("data-frame", "0")
    boundary, net, loss = canvas(page, "boundary"), canvas(page, "net"), canvas(page, "loss")
    page.locator(f"{FILM} button.bf-play").click()
    expect(film).to_have_attribute("data-playing", "1")
    for _ in range(600):
        if frame(page) >= 4:
            break
        page.wait_for_timeout(50)
    page.locator(f"{FILM} button.bf-play").click()  # Pause
    expect(film).to_have_attribute("data-playing", "0")
    paused = frame(page)
    assert 4 <= paused < n - 1
    assert canvas(page, "boundary") != boundary and canvas(page, "net") != net and canvas(page, "loss") != loss
    page.wait_for_timeout(600)
    assert frame(page) == paused  # paused means paused
    # the keyboard: space plays and pauses, Home rewinds, End goes to the last frame, → steps
    film.focus()
    page.keyboard.press("Space")
    expect(film).to_have_attribute("data-playing", "1")
    page.keyboard.press("Space")
    expect(film).to_have_attribute("data-playing", "0")
    page.keyboard.press("End")
    expect(film).to_have_attribute("data-frame", str(n - 1))
    page.keyboard.press("Home")
    expect(film).to_have_attribute("data-frame", "0")
    assert " · before step 1 of " in page.locator(f"{FILM} .bf-status").text_content()  # the initial weights
    for _ in range(paused):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(film).to_have_attribute("data-frame", str(paused + 1))
    k = paused + 1
    status = page.locator(f"{FILM} .bf-status").text_content()
    # a frame's weights are those after its step's update (the loss chart's step N is before it)
    step = int(re.search(r" · after step ([\d,]+) of [\d,]+ · epoch", status).group(1).replace(",", ""))
    epoch = int(re.search(r"epoch (\d+)", status).group(1))

    # the browser's forward pass is the engine's, at grid points of this frame
    js = film.evaluate(f"r => {{ const g = r.bpFilm.gridOutputs({k}); "
                       f"return {{ w: Array.from(r.bpFilm.weightsAt({k})), points: g.points, outs: g.outs }}; }}")
    points = np.array(js["points"]).reshape(-1, 2)
    picked = np.arange(0, len(points), 97)
    ref = engine_outputs(np.array(js["w"]), points[picked])
    for mine, theirs in zip(js["outs"], ref):
        mine = np.array(mine).reshape(len(points), -1)[picked]
        np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-300)

    # Inspect this frame in Explore: that step's graph with that frame's weights
    page.get_by_role("button", name="Inspect this epoch in Explore").click()
    page.get_by_role("heading", name="Explore", exact=True).wait_for()
    expect(page.get_by_text(f"frame {k + 1} (epoch {epoch}, after step {step:,};")).to_be_visible()
    page.locator(".bp-stage svg g.edge").first.wait_for()
    # no link carries that graph: the address bar keeps the workspace model and says so, and nothing of a view
    expect(page.get_by_text("A link cannot carry it")).to_be_visible()
    expect(page).to_have_url(re.compile(r"graph=training"))
    query = parse_qs(urlparse(page.url).query)
    assert "model" in query and not {"sample", "step", "arithmetic", "view"} & set(query), page.url
    # Export, which exports that graph, says so in its address bar too; Train, which shows the workspace, does not
    page.get_by_role("link", name="Export this graph").click()
    page.get_by_role("heading", name="Export", exact=True).wait_for()
    expect(page.get_by_text("a link cannot carry it")).to_be_visible()
    expect(page).to_have_url(re.compile(r"graph=training"))

    # back on Train, the film waits at that frame; train on from it
    page.get_by_role("link", name="Train").click()
    page.get_by_role("heading", name="Train", exact=True).wait_for()
    expect(page).not_to_have_url(re.compile(r"graph="))
    expect(film).to_have_attribute("data-frame", str(k))
    expect(film).to_have_attribute("data-playing", "0")
    page.get_by_role("button", name="Train on from here").click()
    expect(page.get_by_text(f"The workspace holds the weights after step {step:,} (epoch {epoch})")).to_be_visible()


def test_a_penalised_run_plays_with_mean_loss_plus_p_in_its_status(page, app_url):
    """The film's status line writes the objective trained, mean loss + P, as the sum of
    its parts: checked in the browser because the text is put together in film.js."""
    from engine.metrics import mean_loss
    from engine.presets import load_preset
    page.goto(app_url + "/train")  # the article (exact, 3 inputs): frame 0 is its own weights
    page.get_by_role("heading", name="Train", exact=True).wait_for()
    l1 = page.get_by_role("textbox", name="L1 penalty λ₁")
    l1.fill("100")  # P of the same size as the loss: 4 digits tell the sum from its parts
    l1.press("Enter")
    page.get_by_text("The loss shown is the objective").first.wait_for()
    page.get_by_role("button", name="Train", exact=True).click()
    film = page.locator(FILM)
    page.locator(f"{FILM} .bf-status").wait_for()
    film.focus()
    page.keyboard.press("Home")  # pauses the autoplay at frame 0
    expect(film).to_have_attribute("data-frame", "0")
    expect(film).to_have_attribute("data-playing", "0")
    spec = load_preset("article")
    want_mean = mean_loss(spec.model, spec.data)
    want_p = 100 * float(sum(abs(v) for v in spec.model.weights()["W2"].ravel()))
    assert 0.1 < want_p / want_mean < 10  # neither part is lost in the other's digits
    check_sum(page, want_mean, want_p)
    caption = page.locator(f"{FILM} .bf-loss-cap").text_content()
    assert caption.startswith("mean loss + P over the training rows") and "λ₁ = 100" in caption

    # A small λ: P is 2·10⁻⁵ of the loss. 4 significant digits each wrote 0.1667 + 0.000003137
    # = 0.1667; the sum now shows P's share. And P's line, the lowest, is drawn above the
    # loss picture's bottom edge, not on it.
    l1.fill("0")
    l1.press("Enter")  # λ₁'s own run over before λ₂ is typed: one edit per run
    expect(page.get_by_text("The loss shown is the objective")).to_have_count(0)  # no penalty now
    l2 = page.get_by_role("textbox", name="L2 penalty λ₂")
    l2.fill("1/4")
    l2.press("Enter")
    page.get_by_text("λ₂ = 1/4").first.wait_for()
    page.get_by_role("button", name="Train", exact=True).click()
    expect(page.locator(f"{FILM} .bf-loss-cap")).to_contain_text("λ₂ = 1/4")
    film.focus()
    page.keyboard.press("Home")
    expect(film).to_have_attribute("data-frame", "0")
    expect(film).to_have_attribute("data-playing", "0")
    want_p = 0.125 * sum(float((w.astype(float) ** 2).sum()) for k, w in spec.model.weights().items()
                         if k.startswith("W"))
    assert 0 < want_p < 1e-3 * want_mean
    check_sum(page, want_mean, want_p)
    plot = json.loads(page.locator(f"{FILM} canvas.bf-loss").get_attribute("data-plot"))
    # the rows inside the frame where P's grey is drawn (the axis labels below are greys too)
    grey = page.locator(f"{FILM} canvas.bf-loss").evaluate("""(c, box) => {
      const g = c.getContext("2d"), img = g.getImageData(0, 0, c.width, c.height).data, rows = [];
      for (let y = box.top; y <= box.bottom + 2; y++) for (let x = Math.ceil(box.left) + 6; x < c.width - 10; x++) {
        const i = 4 * (y * c.width + x);  // P's grey, #6e7781
        if (Math.abs(img[i] - 110) + Math.abs(img[i + 1] - 119) + Math.abs(img[i + 2] - 129) < 30) rows.push(y);
      }
      return rows; }""", plot)
    assert grey and max(grey) < plot["bottom"] - 4, (max(grey, default=None), plot)


def test_a_rerun_overtaking_a_render_does_not_pause_the_film(browser):
    """As the player's (tests/test_browser_player.py): Streamlit runs the glue's cleanup at
    once when a newer rerun's render overtook this one; the film plays on, and stops by
    itself only when it has left the page. The glue (ui/assets/film*.js) is run as
    Streamlit runs it, its cleanup called by hand."""
    from engine.film import film_data
    from engine.presets import load_preset
    from engine.train import train
    from ui.boundary_chart import grid_bounds
    spec = load_preset("moons")
    result = train(spec.model, spec.data, lr=0.3, epochs=60, batch_size=32, shuffle=True)
    film = film_data(result, spec.model, spec.data, bounds=grid_bounds(spec.data.batch("float")[0]))
    data = {**film, "signature": "a", "frame": 0, "autoplay": False}
    glue = "\n".join((ROOT / "ui" / "assets" / name).read_text() for name in ("film_math.js", "film_draw.js", "film.js"))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_content('<div id="host"></div>')
    page.add_script_tag(content=glue.replace("export default function", "window.glue = function"))
    page.evaluate("""data => {
        const component = {data, parentElement: document.getElementById('host'), setTriggerValue: () => {}};
        window.cleanup = window.glue(component);
        document.querySelector('.bf-film button.bf-play').click();   // Play
        window.glue(component)();                                    // a newer render overtook this one
    }""", data)
    page.wait_for_function("() => Number(document.querySelector('.bf-film').dataset.frame) >= 3", timeout=20_000)
    assert page.locator(f"{FILM} button.bf-play").text_content() == "Pause"
    left = int(page.evaluate("() => { window.root = document.querySelector('.bf-film');"
                             " window.root.parentElement.remove(); return window.root.dataset.frame; }"))
    page.wait_for_function("() => window.root.dataset.playing === '0'", timeout=10_000)
    assert int(page.evaluate("() => window.root.dataset.frame")) <= left + 1 < len(film["steps"]) - 1
    page.evaluate("() => window.cleanup()")  # and the cleanup after it is harmless
    context.close()
