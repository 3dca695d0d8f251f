"""Browser tests of the one player (engine/render/assets/player.js), in Explore and in
the exported HTML page: the chain rule follows the animation, zoom stays across
frames, keys step and play, the marker leaves its label readable, phones fit."""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from engine import record
from engine.presets import load_preset
from engine.render.export import html_file

from player_steps import step_on

PLAYER = ".bp-player"
ROOT = Path(__file__).resolve().parents[1]


def formula(page) -> str:
    """The LaTeX KaTeX typeset in the chain-rule panel (its annotation keeps the source)."""
    return " ".join(page.locator(".bp-explain annotation").all_text_contents())


def open_explore(page, app_url):
    page.goto(app_url)
    page.locator(".bp-stage svg").wait_for()
    expect(page.locator(".bp-explain .katex").first).to_be_visible()


def test_the_chain_rule_changes_with_every_step_while_it_plays(page, app_url):
    open_explore(page, app_url)
    assert "X^{1} = x" in formula(page)
    page.locator(f"{PLAYER} button.bp-play").click()
    # still playing (no stop, so no report to the server): each step's panel is read as it
    # shows. A busy machine may read some steps late and miss others: every step read must
    # show its own formula, and the flow must be read going past δ3 (step 6).
    seen = {}
    for _ in range(1200):
        step, tex, title, button = page.locator(PLAYER).evaluate(
            "r => [r.dataset.step, [...r.querySelectorAll('.bp-explain annotation')].map(a => a.textContent).join(' '),"
            " r.querySelector('.bp-title').textContent, r.querySelector('button.bp-play').textContent]")
        seen[int(step)] = (tex, title, button)
        if int(step) >= 6:
            break
        page.wait_for_timeout(50)
    assert max(seen) >= 6 and len(seen) >= 3, seen  # it moved, and on past δ3, while playing
    assert all(button == "Pause" for s, (_, _, button) in seen.items() if s < 9)  # read while playing
    if 6 in seen:
        assert "\\delta^{3} = \\delta^{4}" in seen[6][0] and "δ3 through L3" in seen[6][1]
    if 5 in seen:
        assert "\\delta^{4} = o^{3}" in seen[5][0]
    # the graph and its explanation side by side at a laptop's size
    page.set_viewport_size({"width": 1280, "height": 800})
    stage, panel = page.locator(".bp-stage").bounding_box(), page.locator(".bp-explain").bounding_box()
    assert panel["x"] >= stage["x"] + stage["width"] - 1 and panel["y"] < 800
    # each step read while playing showed that step's own formula and title
    expect(page.locator(f"{PLAYER} button.bp-play")).to_have_text("Play", timeout=60_000)  # the run ended
    for step, (tex, title, _) in seen.items():
        page.locator(".bp-scrub").fill(str(step))
        expect(page.locator(PLAYER)).to_have_attribute("data-step", str(step))
        assert formula(page) == tex and page.locator(f"{PLAYER} .bp-title").text_content() == title, step


def test_stepping_back_and_scrubbing_move_the_explanation(page, app_url):
    open_explore(page, app_url)
    page.locator(f'{PLAYER} button[data-act="last"]').click()
    assert "\\delta^{1} = \\delta^{2}" in formula(page)
    page.locator(f'{PLAYER} button[data-act="prev"]').click()
    assert "\\delta w^{2}" in formula(page)
    page.locator(f'{PLAYER} button[data-act="prev"]').click()  # step 7: δ2, and not yet δw2
    expect(page.locator(PLAYER)).to_have_attribute("data-step", "7")
    assert "\\delta^{2} = \\delta^{3} \\cdot W^{2}" in formula(page) and "delta w" not in formula(page)
    page.locator(".bp-scrub").fill("4")
    expect(page.locator(PLAYER)).to_have_attribute("data-step", "4")
    assert "loss" in formula(page)


def test_zoom_buttons_and_wheel_change_the_scale_and_keep_it_across_frames(page, app_url):
    open_explore(page, app_url)
    zoom = page.locator(".bp-zoom")
    page.locator(f'{PLAYER} button[data-act="zoom-in"]').click()
    page.locator(f'{PLAYER} button[data-act="zoom-in"]').click()
    expect(page.locator(PLAYER)).to_have_attribute("data-zoom", "1.5625")
    expect(page.locator(".bp-scale")).to_have_text("156%")
    before = zoom.evaluate("e => e.style.transform")
    page.locator(f'{PLAYER} button[data-act="next"]').click()
    page.locator(f'{PLAYER} button[data-act="next"]').click()
    expect(page.locator(PLAYER)).to_have_attribute("data-step", "2")
    assert zoom.evaluate("e => e.style.transform") == before  # a new frame, the same view
    box = page.locator(".bp-stage").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -300)
    expect(page.locator(PLAYER)).not_to_have_attribute("data-zoom", "1.5625")
    assert float(page.locator(PLAYER).get_attribute("data-zoom")) > 1.6  # the wheel zoomed in
    page.locator(f'{PLAYER} button[data-act="fit"]').click()  # the whole graph, smaller than readable
    expect(page.locator(PLAYER)).not_to_have_attribute("data-zoom", re.compile(r"^1\.|^1$"))
    svg = page.locator(".bp-stage svg").bounding_box()
    assert svg["x"] + svg["width"] <= box["x"] + box["width"] + 0.5
    # a drag pans the zoomed graph
    page.locator(f'{PLAYER} button[data-act="zoom-in"]').click()
    shift = "e => { const m = new DOMMatrix(getComputedStyle(e).transform); return [m.e, m.f]; }"
    x0, y0 = zoom.evaluate(shift)
    page.mouse.move(box["x"] + 50, box["y"] + 30)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 60, steps=5)
    page.mouse.up()
    x1, y1 = zoom.evaluate(shift)
    assert (round(x1 - x0), round(y1 - y0)) == (70, 30)


def test_the_keyboard_plays_and_steps(page, app_url):
    open_explore(page, app_url)
    page.locator(".bp-stage").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator(PLAYER)).to_have_attribute("data-step", "2")
    page.keyboard.press("ArrowLeft")
    expect(page.locator(PLAYER)).to_have_attribute("data-step", "1")
    page.keyboard.press("End")
    expect(page.locator(PLAYER)).to_have_attribute("data-step", "9")
    # the server has each step (its rerun wrote it into the address bar) before Play: a
    # rerun while playing is test_a_rerun_overtaking_a_render_does_not_stop_play's business
    expect(page).to_have_url(re.compile(r"[?&]step=9(&|$)"))
    page.keyboard.press("Home")
    expect(page).to_have_url(re.compile(r"[?&]step=0(&|$)"))
    page.keyboard.press("Space")
    expect(page.locator(f"{PLAYER} button.bp-play")).to_have_text("Pause")
    expect(page.locator(PLAYER)).not_to_have_attribute("data-step", "0", timeout=30_000)
    page.keyboard.press("Space")
    expect(page.locator(f"{PLAYER} button.bp-play")).to_have_text("Play")
    # every control has a name a screen reader reads
    for control in page.locator(f"{PLAYER} button, {PLAYER} input, {PLAYER} select").all():
        assert control.evaluate("e => e.getAttribute('aria-label') || e.textContent.trim()")


def test_the_marker_never_hides_the_number_it_points_at(page, app_url):
    open_explore(page, app_url)
    for step in range(1, 6):  # step 5: δ4 flows back along L3 → Loss, labelled "δ4 = -1"
        step_on(page, step)
    overlaps = page.locator(".bp-stage svg").evaluate("""svg => {
        const dot = svg.querySelector('circle.bp-marker');
        const labels = [...svg.querySelector('g[id="X4"]').querySelectorAll('text')].filter(t => t.textContent.trim());
        const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
        svg.pauseAnimations();
        const out = [];
        for (const t of [0, 0.2, 0.45, 0.7, 0.89]) {  // along the whole travel, to its end
            svg.setCurrentTime(t);
            const d = dot.getBoundingClientRect();
            out.push(labels.some(l => hit(d, l.getBoundingClientRect())));
        }
        return out;
    }""")
    assert overlaps == [False] * 5


@pytest.fixture
def exported(tmp_path):
    p = load_preset("article", "exact")
    path = tmp_path / "article.html"
    path.write_bytes(html_file(record(p.model, *p.data.sample(3, "exact")), view="layer"))
    return path


def test_the_exported_page_explains_each_step_and_zooms(browser, exported):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(exported.as_uri())
        expect(page.locator(".bp-explain .katex").first).to_be_visible()
        page.keyboard.press("ArrowRight")  # keys are heard on the whole page
        expect(page.locator(PLAYER)).to_have_attribute("data-step", "1")
        page.locator('button[data-act="zoom-in"]').click()
        for _ in range(6):
            page.locator('button[data-act="next"]').click()
        expect(page.locator(PLAYER)).to_have_attribute("data-step", "7")
        assert "\\delta^{2} = \\delta^{3} \\cdot W^{2}" in formula(page) and "delta w" not in formula(page)
        expect(page.locator(PLAYER)).to_have_attribute("data-zoom", "1.25")
        assert page.locator(".frame:not([hidden]) circle.bp-marker").count() == 1
        assert page.locator("circle.bp-marker").count() == 1  # the old frame's marker is gone
        page.locator('button[data-act="play"]').click()
        expect(page.locator(PLAYER)).to_have_attribute("data-step", "9", timeout=30_000)
        assert "\\delta^{1} = \\delta^{2}" in formula(page)
        assert errors == []
    finally:
        context.close()


def test_a_rerun_overtaking_a_render_does_not_stop_play(browser):
    """Streamlit runs the glue's cleanup at once when a newer rerun's render overtook this
    one (BidiComponent's cancelled effect): a Play just pressed must go on. Only a player
    that has left the page stops. The glue (ui/assets/player.js) is run as Streamlit runs
    it: called with the component's data, its cleanup called by hand."""
    from engine.render import player_parts, style
    from engine.render.frames import captions, frame_svgs
    p = load_preset("article", "exact")
    graph = record(p.model, *p.data.sample(3, "exact"))
    data = {"frames": frame_svgs(graph, view="layer", legend=False), "titles": captions(graph),
            **player_parts.steps_data(graph, style.theme("light"), 0), "step": 0, "signature": "a", "autoplay": False}
    glue = (ROOT / "ui" / "assets" / "player.js").read_text().replace("export default function", "window.glue = function")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_content('<div id="host"></div>')
    page.add_script_tag(content=player_parts.js())
    page.add_script_tag(content=glue)
    page.evaluate("""data => {
        const host = document.getElementById('host'), reports = window.reports = [];
        const component = {data, parentElement: host, setStateValue: (k, v) => reports.push([k, v])};
        window.cleanup = window.glue(component);
        host.querySelector('button.bp-play').click();   // Play
        window.glue(component)();                       // a newer render overtook this one
    }""", data)
    expect(page.locator(PLAYER)).to_have_attribute("data-step", "2", timeout=10_000)  # it plays on
    assert page.locator(f"{PLAYER} button.bp-play").text_content() == "Pause"
    # the player leaves the page: its timer stops by itself (whenever Streamlit cleans up)
    left = int(page.evaluate("() => { window.root = document.querySelector('.bp-player');"
                             " window.root.parentElement.remove(); return window.root.dataset.step; }"))
    page.wait_for_function("() => window.root.querySelector('button.bp-play').textContent === 'Play'", timeout=10_000)
    assert int(page.evaluate("() => window.root.dataset.step")) <= left + 1 < 9  # stopped at its next tick
    page.evaluate("() => window.cleanup()")  # and the cleanup after it is harmless
    context.close()


def test_explore_left_and_reopened_comes_back_at_its_step(page, app_url):
    open_explore(page, app_url)
    page.locator(".bp-stage").focus()
    for n in (1, 2, 3):
        page.keyboard.press("ArrowRight")
        expect(page).to_have_url(re.compile(rf"[?&]step={n}(&|$)"))  # the server had the step
    nav = page.get_by_test_id("stSidebarNavItems")  # the navigation's links (Build has its own "Explore this model")
    nav.get_by_role("link", name="Build", exact=True).click()
    page.get_by_role("heading", name="Build", exact=True).wait_for()
    nav.get_by_role("link", name="Explore", exact=True).click()
    page.locator(".bp-stage svg g.edge").first.wait_for()
    expect(page.locator(PLAYER)).to_have_attribute("data-step", "3")


def test_the_player_and_the_address_bar_agree_after_the_view_changes(page, app_url):
    """A new graph (here the other view) opens at the step the server holds, and coming
    back to a graph seen before does not bring back the step it had then."""
    open_explore(page, app_url)
    page.locator(".bp-stage").focus()
    for n in range(1, 5):
        page.keyboard.press("ArrowRight")
        expect(page).to_have_url(re.compile(rf"[?&]step={n}(&|$)"))
    page.get_by_text("neuron", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]view=neuron(&|$)"))
    expect(page.locator(PLAYER)).to_have_attribute("data-step", "4")
    page.locator(".bp-stage").focus()
    for n in (5, 6):
        page.keyboard.press("ArrowRight")
        expect(page).to_have_url(re.compile(rf"[?&]step={n}(&|$)"))
    page.get_by_text("layer", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]view=layer(&|$)"))
    expect(page.locator(PLAYER)).to_have_attribute("data-step", "6")
    assert "step=6" in page.url


def test_a_step_pressed_as_the_view_changes_ends_with_player_and_address_bar_agreeing(page, app_url):
    """An arrow key pressed on the old view's frames, just before the new view's arrive:
    its report reaches the server after the server drew the new view at the old step. The
    player, loading that step, says so (ui/assets/player.js), and the address bar ends at
    the step the picture shows, though the run that writes it started before the browser
    had the previous run's address (ui/share.py: _put). Without either fix it fails most
    runs (the race is the browser's: not every run meets it)."""
    open_explore(page, app_url)
    page.locator(".bp-stage").focus()
    for n in range(1, 5):
        step_on(page, n)
    nodes = page.locator(f"{PLAYER} .bp-stage svg g.node").count()
    page.get_by_text("neuron", exact=True).click()
    page.locator(".bp-stage").focus()
    page.keyboard.press("ArrowRight")  # on the layer view's frames, most times
    expect(page).to_have_url(re.compile(r"[?&]view=neuron(&|$)"))
    expect(page.locator(f"{PLAYER} .bp-stage svg g.node")).not_to_have_count(nodes)  # the neuron view
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()
    shown = page.locator(PLAYER).get_attribute("data-step")
    assert shown in ("4", "5")
    expect(page).to_have_url(re.compile(rf"[?&]step={shown}(&|$)"))
