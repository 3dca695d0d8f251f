"""Typing into a Streamlit data_editor grid from a browser test, on a machine of any speed.

The grid is a canvas (glide-data-grid), but glide keeps an accessibility table beside it:
one ``td#glide-cell-COL-ROW`` per cell, ``aria-selected="true"`` on the selected one, which
also holds the keyboard focus. So a test clicks a cell it can find by coordinates (the first
row's) only when no cell is selected, waits until glide has selected it and focused it, then
walks the selection to the cell it means with the arrow keys, reading after each key where
the selection is, and opens the editor with Enter, as a keyboard user does. Where a later
column is drawn does not matter. The old helper (click, ArrowRight, Enter at once) failed
in CI both ways this prevents: a key pressed before glide had taken the click was lost (the
neighbour's editor opened), and a click on the cell already selected opens its editor (the
keys then went into it and no editor was left).

Under load, each step can still be lost: a key, the Enter that opens the editor, the editor
itself (a late rerun redraws the grid and closes it: seen once in CI), and, rarely, the
Enter that commits the edit (the editor closes and the grid sends nothing: seen about once
in ten runs with both cores busy, and most of the time when Enter follows the last key at
once). So each step is checked before the next, and an edit counts as done only when the
app acknowledges it; a lost one is typed again.
"""
from __future__ import annotations

import re

from playwright.sync_api import TimeoutError as PlaywrightTimeout

EDITOR = "#portal textarea, #portal input"
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
SELECTED = 'td[aria-selected="true"]'


def on_screen(grid) -> dict:
    """The grid scrolled into the window, and its box there: a click by coordinates
    below the window reaches nothing."""
    grid.scroll_into_view_if_needed()
    return grid.bounding_box()


def selected(grid) -> tuple[int, int] | None:
    """(column, row) of the grid's selected cell, or None. Column 0 is the index or row marker."""
    # one read: the selection may move between two
    got = re.fullmatch(r"glide-cell-(\d+)-(\d+)", grid.evaluate(f"g => g.querySelector('{SELECTED}')?.id ?? ''"))
    return (int(got[1]), int(got[2])) if got else None


def _close_editor(page) -> None:
    editor = page.locator(EDITOR)
    if editor.count():
        page.keyboard.press("Escape")
        try:
            editor.first.wait_for(state="detached", timeout=5_000)
        except PlaywrightTimeout:
            pass  # the next step finds out


def _walk(page, grid, cell: tuple[int, int], presses: int = 16) -> bool:
    """Move the selection to ``cell`` one arrow key at a time, each key's effect read back."""
    for _ in range(presses):
        now = selected(grid)
        if now == cell:
            return True
        if now is None:
            return False
        key = ("ArrowRight" if now[0] < cell[0] else "ArrowLeft" if now[0] > cell[0]
               else "ArrowDown" if now[1] < cell[1] else "ArrowUp")
        page.keyboard.press(key)
        try:  # a lost key leaves the selection where it was: the next turn presses it again
            page.wait_for_function(
                "([g, was]) => g.querySelector('td[aria-selected=\"true\"]')?.id !== was",
                arg=[grid.element_handle(), f"glide-cell-{now[0]}-{now[1]}"], timeout=3_000)
        except PlaywrightTimeout:
            pass
    return selected(grid) == cell


def _into(page, grid, at: tuple[float, float]) -> bool:
    """The keyboard in ``grid`` with a cell selected. A click at ``at`` (any cell) selects one
    only when none is: a click on the cell already selected would open its editor."""
    if selected(grid) is None:
        box = on_screen(grid)
        page.mouse.click(box["x"] + at[0], box["y"] + at[1])
    elif not grid.evaluate("g => g.contains(document.activeElement)"):
        grid.locator(SELECTED).focus()
    try:  # glide marks the cell selected and moves the focus to it a moment after the click
        page.wait_for_function("g => g.querySelector('td[aria-selected=\"true\"]') === document.activeElement",
                               arg=grid.element_handle(), timeout=5_000)
        return True
    except PlaywrightTimeout:
        return False


def open_editor(page, grid, cell: tuple[int, int], shows: str, *, at: tuple[float, float] = (90, 52),
                attempts: int = 8):
    """Open the editor of ``cell`` (column, row) in ``grid`` and check that it shows ``shows``:
    the cell meant, not a neighbour (or a grid that changed under the test). ``at`` is a point
    in any of the grid's cells (the default: the first row's second column)."""
    editor = page.locator(EDITOR).first
    seen = []  # what each try found, for the failure's message
    for attempt in range(attempts):
        # the script run over first (a rerun redraws the grid); a busy machine draws the
        # grid a moment later, so each attempt waits longer
        page.locator(IDLE).wait_for()
        page.wait_for_timeout(250 * attempt)
        _close_editor(page)
        if not (_into(page, grid, at) and _walk(page, grid, cell)):
            seen.append(f"selection at {selected(grid)}")
            continue
        page.keyboard.press("Enter")
        try:
            editor.wait_for(timeout=10_000)
            # a rerun may redraw the grid and close the editor just opened: read it briefly
            value = editor.input_value(timeout=5_000)
        except PlaywrightTimeout:  # the Enter was lost, or the editor closed: again
            seen.append("no editor")
            continue
        if value == shows:
            return editor
        seen.append(repr(value))
    raise AssertionError(f"the editor of cell {cell} never showed {shows!r} in {attempts} tries; "
                         f"each try found: {', '.join(seen)}")


def edit_cell(page, grid, cell: tuple[int, int], shows: str, text: str, acknowledged, *,
              at: tuple[float, float] = (90, 52), attempts: int = 4) -> None:
    """Replace the ``shows`` of ``cell`` (column, row) with ``text`` (typed key by key, as a
    person does) and wait for ``acknowledged``, a locator the app shows once the edit has
    reached it."""
    typed = None
    for attempt in range(attempts):
        editor = open_editor(page, grid, cell, shows, at=at)
        try:
            editor.fill("", timeout=5_000)
            page.keyboard.type(text)
            typed = editor.input_value(timeout=5_000)
        except PlaywrightTimeout:  # a rerun closed the editor under the keys: again
            continue
        if typed != text:  # a key was lost (or the grid refused one: then every try fails)
            page.keyboard.press("Escape")
            continue
        # glide takes the editor's text a moment after the input shows it: an Enter pressed at
        # once closed the editor and committed nothing in 3 of 4 tries here (100 ms after the
        # last key was enough in 4 of 4), so it waits as a person would, longer on each try
        page.wait_for_timeout(300 * (attempt + 1))
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
