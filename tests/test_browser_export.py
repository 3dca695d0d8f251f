"""Browser test: the Export page's PNG download delivers a real PNG file."""
from pathlib import Path

from playwright.sync_api import expect

SHOTS = "/tmp"


def test_png_download_is_a_png(page, app_url, tmp_path):
    page.goto(app_url + "/export")
    page.get_by_role("heading", name="Export").wait_for()
    expect(page.locator('.bp-stage svg').first).to_be_visible()  # the preview
    # this frame's PNG: its own box (while the page draws, another PNG button can come first)
    this_frame = page.locator('[data-testid="stVerticalBlock"]').filter(
        has_text="This frame ·").filter(has_not_text="Final frame").first
    button = this_frame.locator('[data-testid="stDownloadButton"]', has_text="PNG")
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename == "article-sample3-step9-exact-layer.png"  # this frame: the final step
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.screenshot(path=f"{SHOTS}/export_page.png", full_page=True)


def test_train_page_draws_its_charts(page, app_url):
    page.goto(app_url + "/train?preset=moons")
    page.get_by_role("heading", name="Train").wait_for()
    page.get_by_role("button", name="Train", exact=True).click()
    expect(page.locator('[data-testid="stPlotlyChart"]')).to_have_count(4, timeout=60_000)
    page.wait_for_timeout(1000)  # let plotly finish drawing before the picture
    page.screenshot(path=f"{SHOTS}/train_page.png", full_page=True)
