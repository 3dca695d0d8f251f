"""Shared fixtures: a running app server and a headless Chromium for browser tests."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Flags for a closed network: without the background-networking ones Chromium
# keeps trying to reach Google's hosts.
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_health(url: str, proc: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"the app did not answer at {url} within {timeout} s")


@contextmanager
def running_app():
    """`streamlit run app.py` on a free local port, a new server process; yields its URL."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def app_url():
    """The app's server for the whole test session."""
    with running_app() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright. In CI it must exist; elsewhere a missing
    Chromium skips the browser tests with the reason shown."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        if os.environ.get("CI"):
            pytest.fail(f"browser tests need Chromium at {CHROMIUM} (CI must install it)")
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium to run browser tests")
    from playwright.sync_api import expect, sync_playwright
    # expect()'s own default is 5 s: on a busy 2-core CI the first frame can take longer.
    # A timeout here only catches a hang (speed is bench/'s business).
    expect.set_options(timeout=60_000)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


# A browser test drives a real Chromium against a real server, over a websocket, on a
# machine whose other cores run the rest of the suite: a click can land between two
# script runs in a way no user waits for. Such a test gets two more tries (Playwright's
# own runner retries on CI by default); a real regression fails all three, and every
# rerun is listed in the summary (-rR: "RERUN"), with why its try failed, so a flaky test
# stays visible and can be mended from CI's output alone.
BROWSER_RERUNS = 2


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.flaky(reruns=BROWSER_RERUNS))


_failed_tries: list[tuple[str, str]] = []


def pytest_runtest_logreport(report):
    if report.outcome == "rerun":  # pytest-rerunfailures' mark for a failed try
        lines = [l for l in (report.longreprtext or "").splitlines() if l.startswith("E ")]
        _failed_tries.append((report.nodeid, "\n".join(lines[:6]) or "(no message)"))


def pytest_terminal_summary(terminalreporter):
    if _failed_tries:
        terminalreporter.section("tries that failed before a rerun")
        for nodeid, why in _failed_tries:
            terminalreporter.write_line(f"{nodeid}\n{why}")
