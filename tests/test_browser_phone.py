"""Browser tests at phone size (390 × 844, a touch screen): every page fits the width, the
player's controls wrap instead of running off the screen, and a pinch zooms Explore's graph."""
import pytest
from playwright.sync_api import expect

from pages import PAGES

PHONE = {"width": 390, "height": 844}
PLAYER = ".bp-player"

# Whatever sticks out past the right edge, unless a box inside the page that fits the
# screen clips or scrolls it (a data grid, a wide formula: they scroll inside themselves by
# design). Streamlit scrolls its main area (stMain) inside a page that never scrolls
# sideways, so the document's scrollWidth stays 390 whatever overflows: it proves nothing alone.
OVERFLOW = """() => {
  const W = window.innerWidth, out = [];
  const page = new Set([...document.querySelectorAll('[data-testid="stMain"], [data-testid="stAppViewContainer"], [data-testid="stApp"]')]);
  const all = (root) => [...root.querySelectorAll('*')].flatMap(e => e.shadowRoot ? [e, ...all(e.shadowRoot)] : [e]);
  const up = (e) => e.parentElement || (e.getRootNode() && e.getRootNode().host) || null;  // out of a shadow root too
  for (const e of all(document.body)) {
    const r = e.getBoundingClientRect();
    if (!r.width || !r.height || r.right <= W + 0.5) continue;
    let clipped = false;
    for (let a = up(e); a && a !== document.body; a = up(a)) {
      if (!page.has(a) && getComputedStyle(a).overflowX !== 'visible' && a.getBoundingClientRect().right <= W + 0.5) {
        clipped = true;
        break;
      }
    }
    if (!clipped) out.push(`${e.tagName}.${e.getAttribute('class') || ''} ${e.getAttribute('data-testid') || ''} ` +
                           `right ${Math.round(r.right)}`);
  }
  const main = document.querySelector('[data-testid="stMain"]');
  if (main.scrollWidth > main.clientWidth) out.push(`stMain scrolls sideways: ${main.scrollWidth} > ${main.clientWidth}`);
  return out.slice(0, 10);
}"""


@pytest.fixture
def phone(browser, app_url):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def url(app_url: str, path: str) -> str:
    """A page's address: the first page is the root, the others are named after their file."""
    return app_url + ("/" if path == PAGES[0][0] else "/" + path.removeprefix("pages/").removesuffix(".py"))


def settled(page) -> None:
    """Wait until the script run is over (Streamlit's running indicator gone) and the page drawn."""
    page.locator('[data-testid="stMain"] h1').first.wait_for()
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()
    page.wait_for_timeout(500)  # the last elements laid out (charts size themselves after they mount)


def assert_fits(page, what: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], what
    assert page.evaluate("document.body.scrollWidth") <= PHONE["width"], what
    assert page.evaluate(OVERFLOW) == [], what


def assert_player_wraps(page) -> None:
    bar = page.locator(".bp-bar")
    box = bar.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    controls = bar.locator("button, input, select").all()
    rows = {round(c.bounding_box()["y"]) for c in controls}
    assert len(rows) > 1, "the player's controls stay on one line"  # they wrapped
    assert all(c.bounding_box()["x"] + c.bounding_box()["width"] <= PHONE["width"] for c in controls)


@pytest.mark.parametrize("path,title", [(path, title) for path, title, _ in PAGES])
def test_every_page_fits_a_phone(phone, app_url, path, title):
    phone.goto(url(app_url, path))
    expect(phone.get_by_role("heading", name=title, level=1)).to_be_visible()
    settled(phone)
    if path == "pages/explore.py":
        phone.locator(".bp-stage svg g.edge").first.wait_for()
        assert_player_wraps(phone)
        expect(phone.locator(f'{PLAYER} button[data-act="full"]')).to_be_visible()  # full screen, on a phone too
    assert_fits(phone, title)


def test_a_trained_run_and_the_neuron_view_fit_a_phone(phone, app_url):
    """The widest things the pages draw: training charts, and the neuron view of 2-8-8-1."""
    phone.goto(url(app_url, "pages/train.py") + "?preset=xor")
    settled(phone)
    phone.get_by_role("button", name="Train", exact=True).click()
    phone.get_by_role("button", name="Apply trained weights").wait_for()
    settled(phone)
    assert_fits(phone, "Train after a run")
    # plotly's modebar (shown on a tap) used to cover the end of the charts' titles
    boxes = phone.locator(".js-plotly-plot").evaluate_all("""charts => charts.map(c => {
        const box = s => c.querySelector(s).getBoundingClientRect();
        return [c.querySelector('.gtitle').textContent, box('.modebar').bottom, box('.gtitle').top]; })""")
    assert len(boxes) >= 3 and all(bottom <= top for _, bottom, top in boxes), boxes
    phone.goto(app_url + "/?preset=moons&view=neuron")
    phone.locator(".bp-stage svg g.edge").first.wait_for()
    settled(phone)
    assert_player_wraps(phone)
    assert_fits(phone, "Explore, neuron view of moons")


def touch(cdp, kind: str, points) -> None:
    cdp.send("Input.dispatchTouchEvent", {
        "type": kind, "touchPoints": [{"x": x, "y": y, "id": i} for i, (x, y) in enumerate(points)]})


def test_a_pinch_zooms_the_graph(phone, app_url):
    phone.goto(app_url)
    phone.locator(".bp-stage svg g.edge").first.wait_for()
    settled(phone)
    player, stage = phone.locator(PLAYER), phone.locator(".bp-stage")
    stage.scroll_into_view_if_needed()
    expect(player).to_have_attribute("data-zoom", "1")
    box = stage.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    cdp = phone.context.new_cdp_session(phone)
    # two fingers 40 px apart move to 160 px apart: about 4×, as far as the zoom goes
    touch(cdp, "touchStart", [(cx - 20, cy), (cx + 20, cy)])
    for spread in range(30, 90, 10):
        touch(cdp, "touchMove", [(cx - spread, cy), (cx + spread, cy)])
    touch(cdp, "touchEnd", [])
    expect(player).not_to_have_attribute("data-zoom", "1")
    grown = float(player.get_attribute("data-zoom"))
    assert grown > 2
    # and back together: smaller again
    touch(cdp, "touchStart", [(cx - 80, cy), (cx + 80, cy)])
    for spread in range(70, 10, -10):
        touch(cdp, "touchMove", [(cx - spread, cy), (cx + spread, cy)])
    touch(cdp, "touchEnd", [])
    phone.wait_for_function("([e, k]) => Number(e.dataset.zoom) < k", arg=[player.element_handle(), grown])
    assert_fits(phone, "Explore, zoomed in")  # the zoomed graph stays inside its stage


def test_full_screen_keeps_its_controls_on_a_phone(phone, app_url):
    """Full screen on a phone: the stage leaves room for the zoom bar under it, so that
    Exit full screen stays on the screen (the wrapped play bar above used to push it off)."""
    phone.goto(app_url + "/?preset=moons&view=neuron")
    phone.locator(".bp-stage svg g.edge").first.wait_for()
    settled(phone)
    phone.locator(f'{PLAYER} button[data-act="full"]').click()
    exit_button = phone.get_by_role("button", name="Exit full screen")
    expect(exit_button).to_be_visible()
    phone.wait_for_timeout(500)  # the stage sized again for the screen
    box = exit_button.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box


def test_the_forward_reverse_chart_fits_a_phone(phone, app_url):
    """Its title ended past the chart's edge and the widest model's label was cut at the top."""
    phone.goto(app_url + "/?preset=article&sample=3")
    phone.locator(".bp-stage svg").wait_for()
    phone.get_by_text("Forward mode vs reverse mode").click()
    chart = phone.locator(".js-plotly-plot").last
    chart.locator(".textpoint").first.wait_for()
    chart.scroll_into_view_if_needed()
    settled(phone)
    got = chart.evaluate("""c => {
        const box = c.getBoundingClientRect(), title = c.querySelector('.gtitle').getBoundingClientRect();
        // a label under the plot's clip path shows only inside the plot area (its drag cover)
        const area = c.querySelector('.nsewdrag').getBoundingClientRect();
        const cut = (t, l) => t.closest('[clip-path]') && (l.top < area.top - 0.5 || l.left < area.left - 0.5);
        const labels = [...c.querySelectorAll('.textpoint text')].map(t => [t, t.getBoundingClientRect()]);
        return {title: title.right <= box.right + 0.5,
                labels: labels.length > 0 && labels.every(([t, l]) => l.width > 0 && l.top >= box.top && !cut(t, l)),
                shown: [...c.querySelectorAll('.textpoint text')].map(t => t.textContent)}; }""")
    assert got["title"] and got["labels"], got
    assert "8×" in got["shown"]


# A control nothing covers (not Streamlit's header, not the graph scrolled under it), inside the screen.
ON_SCREEN = """e => { const b = e.getBoundingClientRect();
  const hit = e.getRootNode().elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);
  return b.top >= 0 && b.bottom <= window.innerHeight && !!hit && (hit === e || e.contains(hit)); }"""

# Every chain-rule line and trace cell: text that runs past its box is a fault unless the box
# scrolls sideways; a line of numbers with no matrix in it must wrap (fit its box), and the
# trace does not scroll sideways as a whole (its values wrap under their formulas).
CUT = """async r => {
  await document.fonts.ready;
  const out = [], pane = r.querySelector('.bp-trace-scroll');
  for (const e of r.querySelectorAll('.bp-explain .katex-display, .bp-explain .bp-line, .bp-trace td')) {
    if (e.scrollWidth <= e.clientWidth + 1) continue;
    const src = (e.querySelector('annotation') || e).textContent;
    if (!['auto', 'scroll'].includes(getComputedStyle(e).overflowX)) out.push('cut: ' + src.slice(0, 60));
    else if (e.closest('.bp-explain') && !src.includes('pmatrix')) out.push('scrolls, not wrapped: ' + src.slice(0, 60));
  }
  if (pane.scrollWidth > pane.clientWidth + 1) out.push(`the trace scrolls sideways: ${pane.scrollWidth} > ${pane.clientWidth}`);
  return out;
}"""


def test_the_play_bar_graph_and_chain_rule_share_a_phone_screen(phone, app_url):
    """The play bar sticks under Streamlit's header as the page scrolls down to the chain rule
    and the trace, and the graph is short enough that the bar, the whole graph and the chain
    rule's first line are on one screen (the graph was 525 px tall, the bar scrolled away)."""
    phone.goto(app_url + "/?preset=moons&view=neuron&step=11")
    phone.locator(".bp-stage svg g.edge").first.wait_for()
    settled(phone)
    player = phone.locator(PLAYER)
    play, nxt = phone.locator(f"{PLAYER} button.bp-play"), phone.locator(f'{PLAYER} button[data-act="next"]')
    # scrolled until the graph's top meets the bar's bottom (the bar stuck at the top)
    shown = player.evaluate("""async r => {
        const main = document.querySelector('[data-testid="stMain"]');
        const bar = r.querySelector('.bp-bar'), stage = r.querySelector('.bp-stage');
        const stuck = (parseFloat(getComputedStyle(bar).top) || 0) + bar.getBoundingClientRect().height;
        main.scrollTop += stage.getBoundingClientRect().top - stuck;
        await new Promise(requestAnimationFrame);
        const box = s => r.querySelector(s).getBoundingClientRect();
        return {bar: box('.bp-bar').bottom, stage: [box('.bp-stage').top, box('.bp-stage').bottom],
                line: box('.bp-ex-lines > *').bottom, scrolled: main.scrollTop}; }""")
    assert shown["scrolled"] > 0, shown
    assert play.evaluate(ON_SCREEN), shown
    assert shown["bar"] <= shown["stage"][0] + 1 and shown["stage"][1] <= PHONE["height"], shown
    assert shown["line"] <= PHONE["height"], shown  # the chain rule's first line (δ6 = …)
    # on down to the end of the trace: the bar is still there, and steps
    phone.locator(".bp-trace").evaluate("e => e.scrollIntoView({block: 'end'})")
    phone.wait_for_timeout(200)
    assert phone.locator(".bp-trace").evaluate("e => e.getBoundingClientRect().bottom <= window.innerHeight + 1")
    assert play.evaluate(ON_SCREEN) and nxt.evaluate(ON_SCREEN)
    nxt.click()
    expect(player).to_have_attribute("data-step", "12")


def test_long_chain_rule_lines_and_trace_values_wrap_on_a_phone(phone, app_url):
    """δ6 = 0.731968 · (0.4789, 0.2103, −0.3676, … ran 650 px into a 330 px box, cut, and
    the trace's value column was cut at the screen's edge (a phone hides the scrollbar)."""
    phone.goto(app_url + "/?preset=moons&view=neuron&step=11")
    phone.locator(".bp-stage svg g.edge").first.wait_for()
    settled(phone)
    player = phone.locator(PLAYER)
    for step in (11, 12, 14, 15, 16):  # δ6 (the review's), δw6, δ5, δ4 (· W4: a matrix), δw4 (one)
        phone.locator(".bp-scrub").fill(str(step))
        expect(player).to_have_attribute("data-step", str(step))
        assert player.evaluate(CUT) == [], step


def test_the_exported_page_on_a_phone(browser, tmp_path):
    """The exported page, the same player: its bar sticks at the top of the page as it
    scrolls to the chain rule, and the long lines wrap."""
    from engine import record
    from engine.presets import load_preset
    from engine.render.export import html_file
    p = load_preset("moons")
    path = tmp_path / "moons.html"
    path.write_bytes(html_file(record(p.model, *p.data.sample(1, "float")), view="neuron"))
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(path.as_uri())
        player = page.locator(PLAYER)
        expect(page.locator(".bp-explain .katex").first).to_be_visible()
        for step in (11, 15):
            page.locator(".bp-scrub").fill(str(step))
            expect(player).to_have_attribute("data-step", str(step))
            assert player.evaluate(CUT) == [], step
        page.locator(".bp-trace").evaluate("e => e.scrollIntoView({block: 'end'})")
        assert page.locator(".bp-stage").evaluate("e => e.getBoundingClientRect().top < 0")  # scrolled past its top
        assert page.locator(f"{PLAYER} button.bp-play").evaluate(ON_SCREEN)
    finally:
        context.close()
