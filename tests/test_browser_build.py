"""Browser tests of the Build page's grids: edit a weight, Apply, and see Explore's graph change; type
the order hint's decimal example into the "#" column."""
import re

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

SHOTS = "/tmp"


def graph_text(page) -> str:
    chart = page.locator(".bp-stage svg").first  # Explore's player draws the layer view
    chart.wait_for()
    chart.locator("g.edge").first.wait_for()
    return chart.text_content()


def on_screen(grid) -> dict:
    """The grid scrolled into the window, and its box there: a click by coordinates
    below the window (720 px high) reaches nothing."""
    grid.scroll_into_view_if_needed()
    return grid.bounding_box()


def test_edit_a_weight_apply_and_explore_shows_it(page, app_url):
    page.goto(app_url)
    before = graph_text(page)
    assert "10/29" not in before

    page.get_by_role("link", name="Build").click()
    page.get_by_role("heading", name="Build").wait_for()
    grids = page.locator('[data-testid="stDataFrame"]')
    grids.nth(2).wait_for()  # layers, W2, data
    weights = grids.nth(1)
    # Open the cell's editor first: typing straight onto a selected cell can lose the
    # first keystroke (the one that opens the editor) when the machine is busy; and a
    # busy machine can lose the ArrowRight too, so the editor must show W2's second
    # weight before we type.
    editor = page.locator("#portal textarea, #portal input").first
    for attempt in range(8):
        # the script run over first: a rerun redraws the grid under the click; and a busy
        # machine draws the grid's canvas a moment later, so each attempt waits longer
        page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()
        page.wait_for_timeout(250 * attempt)
        box = on_screen(weights)
        page.mouse.click(box["x"] + 90, box["y"] + 52)  # W2's first cell (1/200)
        page.keyboard.press("ArrowRight")               # -3/11600, the weight of the strawberries
        page.keyboard.press("Enter")
        try:
            editor.wait_for(timeout=10_000)
        except PlaywrightTimeout:  # the click or a key was lost on a busy machine: again
            continue
        if editor.input_value() == "-3/11600":
            break
        page.keyboard.press("Escape")
        editor.wait_for(state="detached")
    assert editor.input_value() == "-3/11600"
    editor.fill("-1/11600")
    page.keyboard.press("Enter")
    page.get_by_text("Unapplied edits").wait_for()
    page.get_by_role("button", name="Apply").click()
    page.get_by_text("is now the model in use").wait_for()
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
    editor = page.locator("#portal textarea, #portal input").first
    for _ in range(5):  # a busy machine can lose the click that selects the cell
        box = on_screen(grids.nth(0))  # the layers: a row marker column, then "#"
        page.mouse.click(box["x"] + 70, box["y"] + 35 * 3 + 17)  # row 3's "#"
        page.keyboard.press("Enter")
        try:
            editor.wait_for(timeout=5_000)
        except Exception:
            continue
        if editor.input_value() == "3":
            break
        page.keyboard.press("Escape")
    assert editor.input_value() == "3"
    editor.fill("")
    page.keyboard.type(typed)
    assert editor.input_value() == typed  # the "." was taken
    page.keyboard.press("Enter")
    page.get_by_text("Unapplied edits").wait_for()
    page.get_by_role("button", name="Apply").click()
    page.get_by_text("is now the model in use").wait_for()
    # the panel of the model in use may still be the last run's a moment: expect() waits
    expect(page.locator('[data-testid="stCode"]').first).to_have_text(re.compile(r"1\. input.*2\. relu.*3\. linear", re.S))
