"""Browser tests of the Build page's grids: edit a weight, Apply, and see Explore's graph change; type
the order hint's decimal example into the "#" column; export the model in use."""
import re

from playwright.sync_api import expect

from grid_edit import IDLE, edit_cell

SHOTS = "/tmp"


def graph_text(page) -> str:
    chart = page.locator(".bp-stage svg").first  # Explore's player draws the layer view
    chart.wait_for()
    chart.locator("g.edge").first.wait_for()
    return chart.text_content()


def test_edit_a_weight_apply_and_explore_shows_it(page, app_url):
    page.goto(app_url)
    before = graph_text(page)
    assert "10/29" not in before

    page.get_by_role("link", name="Build").click()
    page.get_by_role("heading", name="Build").wait_for()
    grids = page.locator('[data-testid="stDataFrame"]')
    grids.nth(2).wait_for()  # layers, W2, data
    # W2's cells: column 0 is the neuron's name, then 1/200 and -3/11600, the strawberries' weight
    edit_cell(page, grids.nth(1), (2, 0), "-3/11600", "-1/11600", page.get_by_text("Unapplied edits"))
    page.get_by_role("button", name="Apply").click()
    page.get_by_text("is now the model in use").first.wait_for()
    page.screenshot(path=f"{SHOTS}/build_applied.png")

    page.get_by_role("link", name="Explore").first.click()
    page.get_by_role("heading", name="Explore").wait_for()
    after = graph_text(page)
    page.screenshot(path=f"{SHOTS}/build_explore.png")
    assert after != before
    # o2 = -1/11600·2000 + 1/5800·3000 = 10/29 for the third sample
    assert "10/29" in after
    assert re.search(r"[?&]model=", page.url)  # the link now carries the custom model


def test_the_order_hint_can_be_typed_in_the_grid(page, app_url):
    """The "#" column's hint says 2.5 goes between 2 and 3: the grid must take the "." (an
    integer column turned 1.5 into 15). The article's ReLU (row 3) typed 1.5 goes second."""
    from ui import build_forms as bf
    example, low, high = re.search(r"(\d+\.\d+) goes between (\d+) and (\d+)", bf.ORDER_HELP).groups()
    assert (low, high) == ("2", "3")  # below: row 3 gets the example shifted down by one
    typed = str(float(example) - 1)   # "1.5": between rows 1 and 2
    page.goto(app_url + "/build")
    grids = page.locator('[data-testid="stDataFrame"]')
    grids.nth(2).wait_for()
    page.locator(IDLE).wait_for()  # the button of a run still going may be replaced under the click
    with page.expect_download() as got:  # the model in use as a file named after it
        page.get_by_role("button", name="Export JSON").click()
    assert got.value.suggested_filename == "article.json"
    # the layers grid: a row marker column, then "#" (column 1); row 3 (index 2) is the ReLU
    edit_cell(page, grids.nth(0), (1, 2), "3", typed, page.get_by_text("Unapplied edits"), at=(70, 52))
    page.get_by_role("button", name="Apply").click()
    page.get_by_text("is now the model in use").first.wait_for()
    # the panel of the model in use may still be the last run's a moment: expect() waits
    expect(page.locator('[data-testid="stCode"]').first).to_have_text(re.compile(r"1\. input.*2\. relu.*3\. linear", re.S))


def test_the_apply_row_reads_whole_on_a_laptop(page, app_url):
    """At 1280 px the Discard button read "Discard ed…": no button label of the row is cut.
    The Name and Description fields were ~15 characters wide: they now show a preset's name
    and most of its description, and the loss's name whole."""
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(app_url + "/build?preset=xor")
    page.get_by_role("button", name="Discard edits").wait_for()
    page.locator(IDLE).wait_for()
    for name in ("Apply", "Discard edits"):
        # an ellipsis box reports its cut width everywhere in the DOM: its text is measured
        # in its own font instead
        cut = page.get_by_role("button", name=name).evaluate("""b => [...b.querySelectorAll('*')].some(e => {
            if (getComputedStyle(e).textOverflow !== 'ellipsis') return false;
            const pen = document.createElement('canvas').getContext('2d');
            pen.font = getComputedStyle(e.querySelector('p') || e).font;
            return pen.measureText(e.textContent).width > e.getBoundingClientRect().width; })""")  # half a pixel cuts
        assert not cut, name
    shown = {label: page.get_by_label(label, exact=True).evaluate("""i => {
        const pen = document.createElement('canvas').getContext('2d');
        pen.font = getComputedStyle(i).font;
        const chars = i.value || i.textContent;
        return [i.clientWidth / (pen.measureText(chars).width / chars.length), chars]; }""")
        for label in ("Name", "Description")}
    assert shown["Name"][0] >= 20 and shown["Description"][0] >= 55, shown  # characters in view
