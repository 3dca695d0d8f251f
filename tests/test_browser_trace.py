"""Browser tests of the evaluation trace in the one player (engine/render/assets/player.js):
its current row follows Play, the step buttons and the scrub slider, in Explore and in
the exported HTML page, beside the graph."""
import pytest
from playwright.sync_api import expect

from engine import record
from engine.presets import load_preset
from engine.render.export import html_file

PLAYER = ".bp-player"
CURRENT = ".bp-trace tr.bp-tr-current"


def current_v(page) -> str:
    """The LaTeX of the current row's v cell (KaTeX keeps the source in an annotation)."""
    return page.locator(f"{CURRENT} td").first.locator("annotation").text_content()


def test_the_trace_row_follows_play_steps_and_the_slider_in_explore(page, app_url):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(app_url)
    page.locator(".bp-stage svg").wait_for()
    expect(page.locator(".bp-trace tbody tr")).to_have_count(10)  # the article: x, 4 forward, 5 backward
    expect(page.locator(PLAYER)).to_have_attribute("data-trace-row", "0")
    assert current_v(page) == r"v_{-2} \dots v_{0}"
    # beside the graph, not under it
    stage, trace = page.locator(".bp-stage").bounding_box(), page.locator(".bp-trace").bounding_box()
    assert trace["x"] >= stage["x"] + stage["width"] - 1
    page.locator(f"{PLAYER} button.bp-play").click()
    seen = set()
    # while it plays: no report, no rerun. Bounded: a busy machine may read past step 6
    # between two reads, and the player stops at the last row (an unbounded loop would hang)
    for _ in range(1200):
        step, row = page.locator(PLAYER).evaluate("r => [r.dataset.step, r.dataset.traceRow]")
        assert step == row
        seen.add(int(row))
        if int(row) >= 6:
            break
        page.wait_for_timeout(50)
    assert max(seen) >= 6 and len(seen) > 2, seen  # the row moved with the animation
    page.locator(f"{PLAYER} button.bp-play").click()  # pause
    page.locator(f'{PLAYER} button[data-act="last"]').click()
    expect(page.locator(PLAYER)).to_have_attribute("data-trace-row", "9")
    assert current_v(page) == r"\bar{v}_{-2} \dots \bar{v}_{0}"
    page.locator(f'{PLAYER} button[data-act="prev"]').click()
    expect(page.locator(PLAYER)).to_have_attribute("data-trace-row", "8")
    assert current_v(page) == r"\bar{W}^{2}"
    assert page.locator(CURRENT).get_attribute("aria-current") == "step"
    page.locator(".bp-scrub").fill("4")
    expect(page.locator(PLAYER)).to_have_attribute("data-trace-row", "4")
    assert current_v(page) == "v_{6}"
    expect(page.locator(CURRENT)).to_have_count(1)


@pytest.fixture
def exported(tmp_path):
    p = load_preset("xor", "float")
    path = tmp_path / "xor.html"
    path.write_bytes(html_file(record(p.model, *p.data.sample(2, "float")), view="layer"))
    return path


def test_the_exported_page_keeps_the_current_row_in_view(browser, exported):
    context = browser.new_context(viewport={"width": 1280, "height": 500})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(exported.as_uri())
        rows = page.locator(".bp-trace tbody tr")
        expect(rows).to_have_count(17)  # xor: x, 5 outputs, the loss, 6 δ, 4 weight gradients
        page.locator('button[data-act="last"]').click()
        expect(page.locator(PLAYER)).to_have_attribute("data-trace-row", "16")
        # the table scrolled itself (the page did not) so that the last row shows
        pane = page.locator(".bp-trace-scroll")
        assert pane.evaluate("e => e.scrollTop") > 0
        inside = page.locator(CURRENT).evaluate("""r => { const p = r.closest('.bp-trace-scroll').getBoundingClientRect();
            const b = r.getBoundingClientRect(); return b.top >= p.top - 1 && b.bottom <= p.bottom + 1; }""")
        assert inside
        # the sticky header stays on top of the rows scrolled under it (KaTeX's positioned
        # fractions were painted over it): what the eye sees at each header cell is that cell
        pane.scroll_into_view_if_needed()
        covered = page.locator(".bp-trace th").evaluate_all("""cells => cells.flatMap(th => {
            const b = th.getBoundingClientRect(), out = [];
            const p = th.closest('.bp-trace-scroll').getBoundingClientRect();
            for (let i = 1; i < 12; i++) for (let j = 1; j < 4; j++) {
                const x = b.left + b.width * i / 12, y = b.top + b.height * j / 4;
                if (x > p.right - 16) continue;  // the pane's own scroll bar, or past it
                const seen = document.elementFromPoint(x, y);
                if (!seen || seen.closest('th') !== th) out.push(seen ? seen.className : 'nothing');
            }
            return out; })""")
        assert covered == []
        page.locator('button[data-act="first"]').click()
        expect(page.locator(PLAYER)).to_have_attribute("data-trace-row", "0")
        assert pane.evaluate("e => e.scrollTop") == 0
        assert errors == []
    finally:
        context.close()
