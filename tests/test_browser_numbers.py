"""Browser test: one session opening a hostile share link must not stall another session.

``1e10_000_000`` in a ``?model=`` link once made the server build a 10-million-digit
number, freezing every session for 6-120 s. The timeouts below only catch a hang;
nothing here measures time."""
import base64
import json

from playwright.sync_api import expect

from engine.spec import FORMAT

HOSTILE_MODEL = {"format": FORMAT, "arithmetic": "exact",
                 "layers": [{"type": "input", "size": 1}, {"type": "linear", "size": 1, "weights": [["1e10_000_000"]]}],
                 "loss": "half_squared_error", "data": {"x": [[1]], "y": [[0]]}}


def test_a_hostile_link_in_one_session_leaves_another_session_working(browser, app_url):
    code = base64.urlsafe_b64encode(json.dumps(HOSTILE_MODEL).encode()).decode().rstrip("=")
    hostile = browser.new_context(viewport={"width": 1400, "height": 1000})
    other = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        bad, good = hostile.new_page(), other.new_page()
        bad.goto(f"{app_url}/?model={code}")
        good.goto(app_url)  # while the hostile session's script is running
        # the other session gets its graph ...
        svg = good.locator(".bp-stage svg")
        svg.wait_for(timeout=90_000)
        assert svg.locator("g.edge").count() >= 5
        # ... and the hostile one a clear message, then the article in place of the link's model
        expect(bad.get_by_text("The model in the link could not be read", exact=False)).to_be_visible(timeout=90_000)
        expect(bad.get_by_text("'1e10_000_000' is not a number", exact=False)).to_be_visible()
        bad.locator(".bp-stage svg").wait_for(timeout=90_000)
        # and the other session keeps working after it: a new step on its player
        good.locator('.bp-player button[data-act="last"]').click()
        expect(good.locator(".bp-player")).to_have_attribute("data-step", "9", timeout=90_000)
    finally:
        hostile.close()
        other.close()
