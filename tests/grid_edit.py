"""Typing into a Streamlit data_editor grid from a browser test, on a machine of any speed.

The grid is a canvas (glide-data-grid): a cell is reached by coordinates, and its editor is an
input in the page's ``#portal``. Under load, each step can be lost: the click that selects the
cell, the Enter that opens its editor, the editor itself (a late rerun redraws the grid and
closes it: seen once in CI), and, rarely, the Enter that commits the edit (the editor closes
and the grid sends nothing: seen about once in ten runs with both cores busy). So each
attempt checks what the previous step did, and an edit counts as done only when the app
acknowledges it; a lost one is typed again, up to ``attempts`` times.
"""
from __future__ import annotations

from playwright.sync_api import TimeoutError as PlaywrightTimeout

EDITOR = "#portal textarea, #portal input"
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def on_screen(grid) -> dict:
    """The grid scrolled into the window, and its box there: a click by coordinates
    below the window reaches nothing."""
    grid.scroll_into_view_if_needed()
    return grid.bounding_box()


def open_editor(page, grid, dx: float, dy: float, shows: str, *, keys: tuple[str, ...] = (),
                attempts: int = 8):
    """Open the editor of the cell at (dx, dy) in ``grid`` (then moved by ``keys``, e.g.
    ArrowRight) and check that it shows ``shows``: the cell meant, not a neighbour."""
    editor = page.locator(EDITOR).first
    seen = []  # what each try found, for the failure's message
    for attempt in range(attempts):
        # the script run over first (a rerun redraws the grid under the click); a busy
        # machine draws the grid's canvas a moment later, so each attempt waits longer
        page.locator(IDLE).wait_for()
        page.wait_for_timeout(250 * attempt)
        box = on_screen(grid)
        page.mouse.click(box["x"] + dx, box["y"] + dy)
        for key in keys:
            page.keyboard.press(key)
        page.keyboard.press("Enter")
        try:
            editor.wait_for(timeout=10_000)
            # a rerun may redraw the grid and close the editor just opened: read it briefly
            value = editor.input_value(timeout=5_000)
            if value == shows:
                return editor
            seen.append(value)
        except PlaywrightTimeout:  # the click or a key was lost, or the editor closed: again
            seen.append(None)
            continue
        page.keyboard.press("Escape")
        editor.wait_for(state="detached")
    raise AssertionError(f"the cell's editor never showed {shows!r} in {attempts} tries; it showed {seen} "
                         "(None: no editor)")


def edit_cell(page, grid, dx: float, dy: float, shows: str, text: str, acknowledged, *,
              keys: tuple[str, ...] = (), attempts: int = 4) -> None:
    """Replace the cell's ``shows`` with ``text`` (typed key by key, as a person does) and
    wait for ``acknowledged``, a locator the app shows once the edit has reached it."""
    typed = None
    for _ in range(attempts):
        editor = open_editor(page, grid, dx, dy, shows, keys=keys)
        try:
            editor.fill("", timeout=5_000)
            page.keyboard.type(text)
            typed = editor.input_value(timeout=5_000)
        except PlaywrightTimeout:  # a rerun closed the editor under the keys: again
            continue
        if typed != text:  # a key was lost (or the grid refused one: then every try fails)
            page.keyboard.press("Escape")
            continue
        page.keyboard.press("Enter")
        try:
            acknowledged.wait_for(timeout=20_000)
            return
        except PlaywrightTimeout:
            page.locator(IDLE).wait_for()  # a slow run may still bring it
            if acknowledged.is_visible():
                return
            # the commit was lost in the grid: the cell shows `shows` again
    raise AssertionError(f"typing {text!r} over {shows!r} never reached the app in {attempts} tries "
                         f"(the editor last held {typed!r})")
