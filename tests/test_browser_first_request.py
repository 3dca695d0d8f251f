"""A fresh server's first request, straight to any page, opens the full app.

Streamlit 1.67 runs a ``pages/*.py`` file alone (its old multipage mode) until some
session has run ``st.navigation``; ``pages/__init__.py: in_app`` answers that. Each case
starts its own server process, so the page under test is that server's very first session."""
import ast
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import ROOT, running_app
from pages import PAGES

TITLES = [title for _, title, _ in PAGES]
URLS = [("", TITLES[0])] + [(Path(path).stem, title) for path, title, _ in PAGES[1:]]


def test_every_page_file_is_in_the_navigation_and_calls_in_app_first():
    files = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py")
                   if p.name != "__init__.py")
    assert files == sorted(path for path, _, _ in PAGES)
    for path in files:
        body = ast.parse((ROOT / path).read_text()).body
        first = next(s for s in body[1:] if not isinstance(s, (ast.Import, ast.ImportFrom)))  # after the docstring
        assert ast.unparse(first) == "in_app()", f"{path} must call in_app() before anything else"


@pytest.mark.slow
@pytest.mark.parametrize("path,heading", URLS)
def test_a_fresh_servers_first_request_shows_the_full_app(browser, path, heading):
    with running_app() as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto(f"{url}/{path}")
            expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible(timeout=120_000)
            nav = page.locator('[data-testid="stSidebarNav"]')
            expect(nav.get_by_role("link")).to_have_count(len(TITLES))  # not the v1 list (with "app")
            for title in TITLES:
                expect(nav.get_by_text(title, exact=True)).to_be_visible()
            assert page.get_by_text("Page not found").count() == 0
            # The wide layout is app.py's page config: the main column uses most of the window.
            assert page.locator('[data-testid="stMainBlockContainer"]').bounding_box()["width"] > 1000
        finally:
            context.close()
