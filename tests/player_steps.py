"""Stepping Explore's player from a browser test, one step at a time, on a machine of any speed.

Each step the player takes is reported to the server, which reruns the page and writes the
step into the address bar. Clicking on while a report's rerun is still running can meet a
player that Streamlit mounts again with the step the server held a moment before (seen under
load: the player went back from 6 to 5). So each click waits for the server to hold its
step (the address bar says it) before the next: the same picture, with no report in flight.
"""
from __future__ import annotations

import re

from playwright.sync_api import expect

PLAYER = ".bp-player"


def step_on(page, step: int) -> None:
    """Press the player's next-step button and wait until both the player and the server
    are at ``step``."""
    page.locator(f'{PLAYER} button[data-act="next"]').click()
    expect(page.locator(PLAYER)).to_have_attribute("data-step", str(step))
    expect(page).to_have_url(re.compile(rf"[?&]step={step}(&|$)"))
