"""Browser tests of the graph's readable size (engine/render/assets/player.js): in the
neuron view of a 2-8-8-1 network on a 1280 × 800 screen, Explore and the Export
preview draw every label at least 9 px high by default (a wide graph is panned, not
shrunk), zoom grows them by the zoom factor, neurons stand in index order top to
bottom, the inputs carry the data's names and the marker never covers a number."""
import pytest
from playwright.sync_api import expect

from engine import record
from engine.presets import load_preset
from engine.render.export import html_file
from engine.spec import spec_from_dict
from ui.share import encode_model

from player_steps import step_on

PLAYER = ".bp-player"
LAPTOP = {"width": 1280, "height": 800}
READABLE = 9  # px: issue 13's floor for a label's height

# The rendered height of every drawn label of the graph in view (hidden ones take the
# same room, and are counted: they appear as the flow reaches them).
HEIGHTS = """svg => [...svg.querySelectorAll('text')].filter(t => t.textContent.trim())
                                                     .map(t => t.getBoundingClientRect().height)"""


def a_2_8_8_1_link() -> str:
    """A 2-8-8-1 ReLU network as the Build page makes one, with named features, as a link."""
    def weights(rows, cols, seed):
        return [[round(((r * 7 + c * 3 + seed) % 11 - 5) / 10, 1) for c in range(cols)] for r in range(rows)]
    doc = {"format": "backprop-explorer/1", "name": "built", "arithmetic": "float",
           "layers": [{"type": "input", "size": 2},
                      {"type": "linear", "size": 8, "weights": weights(8, 2, 1), "bias": False}, {"type": "relu"},
                      {"type": "linear", "size": 8, "weights": weights(8, 8, 2), "bias": False}, {"type": "relu"},
                      {"type": "linear", "size": 1, "weights": weights(1, 8, 3), "bias": False}],
           "loss": "half_squared_error",
           "data": {"x": [[0.5, -1.5], [1, 2]], "y": [[1], [0]], "feature_names": ["petal length", "sepal width"]}}
    return "?model=" + encode_model(spec_from_dict(doc)) + "&view=neuron"


@pytest.fixture
def laptop(browser):
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def graph(page):
    return page.locator(".bp-stage svg").first


def zoom_in_grows_the_labels(page) -> None:
    """Every label at least READABLE px high now; one press on + grows them all ×1.25."""
    before = graph(page).evaluate(HEIGHTS)
    assert len(before) > 50 and min(before) >= READABLE, min(before)
    zoom = page.locator(PLAYER).get_attribute("data-zoom")
    page.locator(f'{PLAYER} button[data-act="zoom-in"]').click()
    expect(page.locator(PLAYER)).not_to_have_attribute("data-zoom", zoom)
    assert float(page.locator(PLAYER).get_attribute("data-zoom")) == pytest.approx(float(zoom) * 1.25)
    after = graph(page).evaluate(HEIGHTS)
    # the browser rounds a text's box to its font's pixel metrics: compare the sums
    assert sum(after) / sum(before) == pytest.approx(1.25, abs=0.06)
    assert min(after) >= min(before) * 1.25 - 1


def fit_shows_the_whole_graph(page) -> None:
    page.locator(f'{PLAYER} button[data-act="fit"]').click()
    stage = page.locator(".bp-stage").bounding_box()
    box = graph(page).bounding_box()
    assert box["x"] >= stage["x"] - 0.5 and box["x"] + box["width"] <= stage["x"] + stage["width"] + 0.5
    assert box["y"] >= stage["y"] - 0.5 and box["y"] + box["height"] <= stage["y"] + stage["height"] + 0.5
    page.locator(f'{PLAYER} button.bp-scale').click()  # back to the readable size
    expect(page.locator(PLAYER)).to_have_attribute("data-zoom", "1")


def centres(page, ids: list[str], axis: str) -> list[float]:
    return graph(page).evaluate(f"""(svg, ids) => ids.map(id => {{
        const r = svg.querySelector('g[id="' + id + '"]').getBoundingClientRect();
        return r.{axis} + r.{'height' if axis == 'y' else 'width'} / 2; }})""", ids)


def test_explore_draws_the_moons_neurons_readable_and_zooms(laptop, app_url):
    page = laptop
    page.goto(app_url + "/?preset=moons&view=neuron")
    expect(page.locator('.bp-stage svg g[id="X3_8"]')).to_be_attached()
    zoom_in_grows_the_labels(page)
    fit_shows_the_whole_graph(page)
    # the keyboard pans too: shift and an arrow
    page.locator(".bp-stage").focus()
    shift = "e => new DOMMatrix(getComputedStyle(e).transform).e"
    x0 = page.locator(".bp-zoom").evaluate(shift)
    page.keyboard.press("Shift+ArrowRight")
    assert page.locator(".bp-zoom").evaluate(shift) == x0 - 80
    expect(page.locator(PLAYER)).to_have_attribute("data-step", "0")  # and does not step
    # each column in index order, top to bottom
    for c in (3, 4, 5, 6):  # column c: the input of layer c (layer 1 is the input)
        ys = centres(page, [f"X{c}_{i}" for i in range(1, 9)], "y")
        assert ys == sorted(ys), (c, ys)
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]


def test_a_built_2_8_8_1_is_readable_with_its_feature_names(laptop, app_url):
    page = laptop
    page.goto(app_url + "/" + a_2_8_8_1_link())
    expect(page.locator('.bp-stage svg g[id="X3_8"]')).to_be_attached()
    zoom_in_grows_the_labels(page)
    names = graph(page).evaluate("""svg => [1, 2].map(i =>
        [...svg.querySelector('g[id="X1_' + i + '"]').querySelectorAll('text')].map(t => t.textContent).join(' '))""")
    assert names[0].startswith("petal length") and names[1].startswith("sepal width")
    ys = centres(page, ["X1_1", "X1_2"], "y")
    assert ys[0] < ys[1]


def test_the_marker_never_hides_a_number_and_stays_in_view(laptop, app_url):
    """The layer view of moons is wider than the stage at its readable size: at every
    step the view follows the marker, and the marker covers no drawn label."""
    page = laptop
    page.goto(app_url + "/?preset=moons&view=layer")
    graph(page).wait_for()
    expect(page.locator(".bp-hint")).to_be_visible()  # more beyond the frame: panned, not shrunk
    total = int(page.locator(".bp-scrub").get_attribute("max"))
    for step in range(1, total + 1):
        step_on(page, step)
        seen = graph(page).evaluate("""svg => {
            const stage = svg.closest('.bp-stage').getBoundingClientRect();
            const dot = svg.querySelector('circle.bp-marker');
            if (!dot) return null;
            const labels = [...svg.querySelectorAll('text')]
                .filter(t => t.textContent.trim() && !['none', 'transparent'].includes(t.getAttribute('fill')));
            const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
            svg.pauseAnimations();
            const covers = [], inside = [];
            for (const t of [0, 0.2, 0.45, 0.7, 0.89]) {  // along the whole travel
                svg.setCurrentTime(t);
                const d = dot.getBoundingClientRect();
                covers.push(labels.filter(l => hit(d, l.getBoundingClientRect())).map(l => l.textContent));
                inside.push(hit(d, stage));
            }
            svg.unpauseAnimations();
            return {covers: covers.flat(), inside: inside.some(Boolean)};
        }""")
        if seen is None:  # a step with no edge to travel (a bias's gradient)
            continue
        assert seen["covers"] == [], (step, seen["covers"])
        assert seen["inside"], f"step {step}: the marker runs outside the frame"


def test_the_neuron_view_follows_the_forward_flow(laptop, app_url):
    page = laptop
    page.goto(app_url + "/?preset=moons&view=neuron")
    expect(page.locator('.bp-stage svg g[id="X3_8"]')).to_be_attached()
    def inputs_in_frame() -> bool:
        stage = page.locator(".bp-stage").bounding_box()
        for name in ("X1_1", "X1_2"):
            box = page.locator(f'.bp-stage svg g[id="{name}"]').bounding_box()
            if not (stage["y"] <= box["y"] and box["y"] + box["height"] <= stage["y"] + stage["height"]
                    and stage["x"] <= box["x"] and box["x"] + box["width"] <= stage["x"] + stage["width"]):
                return False
        return True
    for _ in range(60):  # step 0: the inputs, where the flow starts, come into the frame
        if inputs_in_frame():
            break
        page.wait_for_timeout(250)  # the stage is sized once the page has laid it out
    assert inputs_in_frame()
    def column_in_frame(step: int) -> bool:
        stage = page.locator(".bp-stage").bounding_box()
        col = page.locator(f'.bp-stage svg g[id="cluster_X{step + 1}"]').bounding_box()
        return col["x"] < stage["x"] + stage["width"] and stage["x"] < col["x"] + col["width"]
    for step in range(1, 8):  # step t fills column t + 1
        step_on(page, step)
        for _ in range(40):  # the view pans to it in the next frames (a busy machine: later)
            if column_in_frame(step):
                break
            page.wait_for_timeout(100)
        assert column_in_frame(step), step


def test_the_export_preview_is_as_readable_as_explore(laptop, app_url):
    page = laptop
    page.goto(app_url + "/export?preset=moons")
    page.get_by_role("heading", name="Export").wait_for()
    page.locator('[data-testid="stRadio"]', has_text="View").get_by_text("neuron").click()
    expect(page.locator('.bp-stage svg g[id="X3_8"]')).to_be_attached()
    expect(page.locator(".bp-bar")).to_be_hidden()  # one picture: nothing to play
    zoom_in_grows_the_labels(page)
    fit_shows_the_whole_graph(page)


def test_a_phone_gets_readable_labels_and_no_sideways_scroll(browser, app_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(app_url + "/?preset=moons&view=neuron")
        expect(page.locator('.bp-stage svg g[id="X3_8"]')).to_be_attached()
        assert min(graph(page).evaluate(HEIGHTS)) >= READABLE
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # at the readable size a vertical swipe still scrolls the page; zoomed, it pans
        assert page.locator(".bp-stage").evaluate("e => getComputedStyle(e).touchAction") == "pan-y"
    finally:
        context.close()


def test_the_exported_page_opens_readable_too(laptop, tmp_path):
    p = load_preset("moons")
    path = tmp_path / "moons.html"
    path.write_bytes(html_file(record(p.model, *p.data.sample(1, p.arithmetic)), view="neuron",
                               feature_names=p.data.feature_names))
    laptop.goto(path.as_uri())
    expect(laptop.locator(".bp-explain").first).to_be_visible()
    zoom_in_grows_the_labels(laptop)
    fit_shows_the_whole_graph(laptop)
