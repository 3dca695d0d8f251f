"""Browser test of Explore's float-vs-exact view (ui/float_view.py) in Chromium: on the
article's third sample the view names w·X, the closing ReLU gate and the stopped
learning flow (as the graph names them: o², L³, δ³), marks o2's edge as the first
difference in the drawn SVG (data-diff, set by engine/render/diff_view.py), its labels
are readable at 1280 px, and the player switches to the exact record and zooms. The
float trap's digits depend on the BLAS kernel: only its sign and size are asserted."""
from playwright.sync_api import expect

from float_trap import is_float_trap, shown_value

DIFF = '.bp-player:has(g[data-diff])'  # the view's player (Explore's own has no marks)


def open_view(page, app_url):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{app_url}/?preset=article&sample=3")
    page.locator(".bp-stage svg").first.wait_for()
    page.get_by_text("Float versus exact: where float departs from the truth").click()
    page.locator(f"{DIFF} .bp-stage svg").wait_for()
    return page.locator(DIFF)


def test_the_article_shows_where_float_departs_and_why(page, app_url):
    view = open_view(page, app_url)
    first = view.locator('g[data-diff="first"]')
    expect(first).to_have_count(1)
    assert first.get_attribute("id") == "X3"  # the edge that carries o2
    assert first.get_attribute("data-rel-error") == "inf"  # exact 0, float not
    bold = first.locator('text[data-first="true"]').text_content()
    assert bold.startswith("o2 = ") and is_float_trap(shown_value(bold.removeprefix("o2 = ")))
    assert view.locator('g[data-role="cause"]').get_attribute("id") == "L2"
    assert view.locator('g[data-role="gate"]').get_attribute("id") == "L3"
    # the operation in words, beside the picture
    # (named as the graph labels them: o², L³, δ³; the weight as the paths panel, W2[1,1])
    expect(page.get_by_text("The first difference is o² = w·X, the output of L²")).to_be_visible()
    expect(page.get_by_text("(for one, W2[1,1] = 1/200 becomes 0.005)")).to_be_visible()
    expect(page.get_by_text("Then the ReLU gate of L³ closes")).to_be_visible()
    expect(page.get_by_text("δ³ = 0 in float instead of -1, and the learning flow stops")).to_be_visible()
    expect(page.get_by_text("≤ 10⁻¹² (rounding)", exact=False)).to_be_visible()  # the legend


def test_the_labels_are_readable_and_the_view_switches_and_zooms(page, app_url):
    view = open_view(page, app_url)
    # every drawn label at least 9 px high at 1280 px, without zooming
    smallest = view.locator(".bp-stage svg").evaluate("""svg => {
        const k = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        return Math.min(...[...svg.querySelectorAll('text')].filter(t => t.textContent.trim())
            .map(t => parseFloat(t.getAttribute('font-size')) * k));
    }""")
    assert smallest >= 9, f"labels drawn {smallest:.1f} px high"
    # the exact record, the same marks, o2 = 0
    view.locator('button[data-act="prev"]').click()
    expect(view).to_have_attribute("data-step", "0")
    expect(view.locator('g[data-diff="first"] text[data-first="true"]')).to_have_text("o2 = 0")
    expect(page.get_by_role("radio", name="Exact", exact=True)).to_have_attribute("aria-checked", "true")  # it follows
    view.locator('button[data-act="zoom-in"]').click()
    expect(view).to_have_attribute("data-zoom", "1.25")
    # and the control moves the player: Float shows the float record again. Once the run
    # that followed the player is over: a click during it can be coalesced with the
    # player's report, whose callback then wins (CI saw the player stay on exact).
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()
    page.get_by_role("radio", name="Float", exact=True).click()
    expect(view).to_have_attribute("data-step", "1")
    expect(view.locator('g[data-diff="first"] text[data-first="true"]')).not_to_have_text("o2 = 0")


def penalised_article():
    """The article with an L2 penalty: P's exact value is a long rational (3377/269120000000
    on sample 2), the widest cell the article's table has."""
    from engine.presets import load_preset
    from engine.spec import spec_from_dict, spec_to_dict
    doc = spec_to_dict(load_preset("article"))
    doc["penalty"] = {"l2": "1/1000"}
    return spec_from_dict(doc)


# Each header word and each value's name ("δw2") as the lines the page draws it on: a
# range over its characters has one line box per line (rects on one line share a top).
LINES = """t => {
    const lines = (cell, whole) => {
        const node = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT).nextNode();
        const text = node.textContent;
        const spans = whole ? [[0, text.length]]
            : [...text.matchAll(/\\S+/g)].map(m => [m.index, m.index + m[0].length]);
        return spans.map(([a, b]) => {
            const r = document.createRange();
            r.setStart(node, a);
            r.setEnd(node, b);
            return [text.slice(a, b), new Set([...r.getClientRects()].map(q => Math.round(q.top))).size];
        });
    };
    const names = [...t.querySelectorAll('tbody tr')].map(r => r.cells[0]);
    return {words: [...[...t.querySelectorAll('th')].flatMap(c => lines(c, false)),
                    ...names.flatMap(c => lines(c, true))],
            cut: [...t.querySelectorAll('th'), ...names].filter(c => c.scrollWidth > c.clientWidth)
                .map(c => c.textContent)};
}"""


def unbroken(table) -> None:
    """No header word and no value's name is broken across lines or cut by its cell."""
    measured = table.evaluate(LINES)
    assert any(w == "δw2" for w, _ in measured["words"]) and any(w == "value" for w, _ in measured["words"])
    broken = [w for w, n in measured["words"] if n != 1]
    assert not broken, f"broken inside a word: {broken}"
    assert not measured["cut"], f"cut: {measured['cut']}"


def test_every_cell_of_the_table_is_readable_at_1280_px(page, app_url):
    """Measured in the page: no cell of the comparison's table cuts its text (its content
    is no wider than the cell) and the table fits its column, so no part needs scrolling;
    at 1280 px and on a phone, no header word and no value's name breaks inside itself
    (the value column was once 51 px wide on a phone: "val/ue", "δw/2")."""
    from ui.share import encode_model
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{app_url}/?model={encode_model(penalised_article())}&sample=3&diff=on")
    table = page.locator("table.bp-diff-table")
    table.wait_for()
    measured = table.evaluate("""t => ({
        table: [t.scrollWidth, t.parentElement.clientWidth],
        cells: [...t.querySelectorAll('th, td')].map(c => [c.textContent, c.scrollWidth, c.clientWidth,
                                                           c.getBoundingClientRect().width]),
        rows: [...t.querySelectorAll('tbody tr')].map(r => r.cells[0].textContent)})""")
    assert measured["rows"][:2] == ["x", "W2"] and "P" in measured["rows"]  # every coloured element
    width, room = measured["table"]
    assert width <= room, f"the table is {width} px wide in {room} px"
    cut = [(text, sw, cw) for text, sw, cw, _ in measured["cells"] if sw > cw]
    assert not cut, f"cells cut: {cut}"
    assert min(w for *_, w in measured["cells"]) >= 60  # every column wide enough to read a number
    assert "/" in "".join(t for t, *_ in measured["cells"])  # the exact rationals are shown, not rounded
    unbroken(table)
    # on a phone the table keeps its readable width and scrolls sideways in its own box
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    table_width, box, page_width = table.evaluate(
        "t => [t.getBoundingClientRect().width, t.parentElement.clientWidth, document.documentElement.scrollWidth]")
    assert table_width >= 640 > box and page_width <= 390
    unbroken(table)
