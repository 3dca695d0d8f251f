"""App benchmarks: the first picture in a real browser, and a server-side rerun."""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from .timing import Row, at_least, at_most

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def _browser(row: Row):
    """Playwright and the test suite's server helpers (tests/conftest.py), or None with
    the row marked skipped when this machine has no Chromium or no Playwright."""
    if not Path(CHROMIUM).exists():
        row.verdict, row.note = "skipped", f"no Chromium at {CHROMIUM}"
        return None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        row.verdict, row.note = "skipped", "playwright is not installed"
        return None
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        import conftest
    finally:
        sys.path.remove(str(ROOT / "tests"))
    return sync_playwright, conftest


def first_graph(quick: bool) -> Row:
    row = Row("app_first_graph", "app: first graph visible in Chromium after the server is up", "≤ 3 s")
    tools = _browser(row)
    if tools is None:
        return row
    sync_playwright, conftest = tools
    CHROMIUM_ARGS, free_port, wait_for_health = conftest.CHROMIUM_ARGS, conftest.free_port, conftest.wait_for_health
    cold, warm = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # "After the server is up": each round starts a fresh server (cold caches,
            # page modules not yet imported, the wasm Graphviz not yet loaded) and times
            # its first visitor; the first round also times a few later visitors.
            for r in range(1 if quick else 3):
                times = _visits(browser, wait_for_health, free_port, 1 if quick or r else 4)
                cold.append(times[0])
                warm += times[1:]
            # The very first start on a machine: wasmtime's compilation cache is empty, so
            # the server compiles graphviz.wasm (~0.4 s) while its first visitor waits.
            if not quick:
                with tempfile.TemporaryDirectory() as cache:
                    first_ever = _visits(browser, wait_for_health, free_port, 1,
                                         env={**os.environ, "XDG_CACHE_HOME": cache})[0]
        finally:
            browser.close()
    times = cold
    row.median = statistics.median(times)
    row.note = f"first visitor of a fresh server, {len(cold)} servers"
    if warm:
        row.note += f"; later visitors: median {statistics.median(warm):.2f} s"
    if not quick:
        row.note += f"; a server with an empty wasmtime cache (first start on a machine): {first_ever:.2f} s"
    row.verdict = at_most(row.median, 3.0)
    return row


def _visits(browser, wait_for_health, free_port, n: int, env=None) -> list[float]:
    """Start `streamlit run app.py` (with ``env``, default: this process's), then time
    `n` new sessions from page.goto to the player's first drawn edge."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times = []
    try:
        wait_for_health(url, proc)
        for _ in range(n):
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            t0 = time.perf_counter()
            page.goto(url)
            page.locator(".bp-stage svg g.edge").first.wait_for(timeout=60_000)
            times.append(time.perf_counter() - t0)
            context.close()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return times


def rerun_after_edit(quick: bool) -> Row:
    row = Row("app_rerun_edit", "app: rerun after a layer edit (server side)", "≤ 300 ms")
    from streamlit.testing.v1 import AppTest

    from engine.layers import Linear
    from engine.presets import load_preset

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    spec = load_preset("article")
    times = []
    for i in range(1 if quick else 7):
        # A layer edit: new weights for L2, so the model (and its fingerprint) changes
        # and the record and every frame are computed afresh, nothing cached.
        layers = list(spec.model.layers)
        w = layers[1].params["W"].copy()
        w[0, 0] = w[0, 0] + i + 1
        layers[1] = Linear(3, 1, w, arithmetic="exact")
        at.session_state["workspace"] = replace(spec, model=replace(spec.model, layers=tuple(layers)))
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        if at.exception:
            raise RuntimeError(f"the app failed after the edit: {at.exception}")
    row.median = statistics.median(times)
    row.note = "AppTest .run() of the Explore page, article model edited"
    row.verdict = at_most(row.median, 0.300)
    return row


# Played in the page itself, so that Playwright's round trips are not counted: rewind,
# the fastest speed (60 frames/s asked), play for a while, then frames painted (each a
# whole redraw: boundary, neuron pictures, edges, loss cursor, norms) per second.
_FILM_FPS_JS = """async (r, ms) => {
  const f = r.bpFilm;
  r.querySelector('.bf-speed').value = '60';
  f.show(0); f.pause();
  const painted = f.painted, t0 = performance.now();
  let draw = 0, calls = 0;
  const show = f.show;
  f.show = (k) => { const a = performance.now(); show(k); draw += performance.now() - a; calls++; };
  f.play();
  await new Promise((done) => setTimeout(done, ms));
  const seconds = (performance.now() - t0) / 1000, frames = f.painted - painted;
  f.pause(); f.show = show;
  return { fps: frames / seconds, frames, seconds, drawMs: calls ? draw / calls : 0 };
}"""


# The baseline, interleaved with the film's plays: requestAnimationFrame callbacks per
# second on the same page drawing nothing, the most a busy machine's Chromium gives.
_RAF_JS = """async (r, ms) => {
  let n = 0;
  const t0 = performance.now();
  await new Promise((done) => { const tick = () => { n++; if (performance.now() - t0 < ms) requestAnimationFrame(tick); else done(); };
    requestAnimationFrame(tick); });
  return n / ((performance.now() - t0) / 1000);
}"""


def film_fps(quick: bool) -> Row:
    row = Row("film_fps", "app: Train film, frames painted per second in Chromium, 2-8-8-1 moons, 200 points",
              "≥ 20 /s", unit="/s")
    tools = _browser(row)
    if tools is None:
        return row
    sync_playwright, conftest = tools
    CHROMIUM_ARGS, running_app = conftest.CHROMIUM_ARGS, conftest.running_app
    with running_app() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url + "/data")
            page.get_by_role("button", name="Use this set").click()  # moons, its own noise: the preset
            page.get_by_text("is now the model in use").first.wait_for(timeout=120_000)
            page.get_by_role("link", name="Train").click()
            page.get_by_role("heading", name="Train", exact=True).wait_for()
            if quick:
                page.get_by_label("Epochs").fill("30")
                page.keyboard.press("Enter")
                page.wait_for_timeout(1000)
            page.get_by_role("button", name="Train", exact=True).click()
            film = page.locator(".bf-film")
            film.locator(".bf-status").wait_for(timeout=300_000)
            page.wait_for_timeout(1000 if quick else 5000)  # the charts drawn, the page idle
            film.evaluate(_FILM_FPS_JS, 500 if quick else 1000)  # warm-up: the JIT, the first paints
            runs, idle = [], []
            for _ in range(1 if quick else 5):
                idle.append(film.evaluate(_RAF_JS, 1000 if quick else 3000))
                runs.append(film.evaluate(_FILM_FPS_JS, 1000 if quick else 3000))
            frames = film.evaluate("r => r.bpFilm.gridOutputs(0).points.length / 2")
        finally:
            browser.close()
    rates = sorted(r["fps"] for r in runs)
    row.median = statistics.median(rates)
    row.baseline = statistics.median(idle)
    row.ratio = statistics.median(r["fps"] / i for r, i in zip(runs, idle))
    row.note = (f"{len(runs)} plays of {runs[0]['seconds']:.1f} s at the fastest speed (60 frames/s asked), "
                f"headless Chromium without GPU; a frame's redraw takes {statistics.median(r['drawMs'] for r in runs):.1f} ms "
                f"(a {int(frames ** 0.5)}×{int(frames ** 0.5)} grid through the network, 19 neuron pictures, "
                f"boundary, loss, norms); rates {', '.join(f'{v:.1f}' for v in rates)}; baseline: "
                f"requestAnimationFrame callbacks per second on the same page drawing nothing, interleaved; "
                f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    row.verdict = at_least(row.median, 20.0)
    return row


def build_rerun(quick: bool) -> Row:
    row = Row("build_rerun", "Build rerun after an edit, 784-256-128-10", "≤ 300 ms")
    from streamlit.testing.v1 import AppTest

    from engine.presets import load_preset
    from .models import mlp

    sizes = [12, 10, 8, 4] if quick else [784, 256, 128, 10]
    model, data = mlp(sizes, 8 if quick else 64)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.session_state["workspace"] = replace(load_preset("moons"), name="mlp", description="", model=model, data=data)
    at.switch_page("pages/build.py").run()
    times = []
    for i in range(1 if quick else 9):
        # What the browser sends when one cell of a weights grid changes: its change set
        # under the grid's key (tests/test_page_build.py: edit). W2 is 256 × 784.
        draft = at.session_state["build_draft"]
        layer = draft["layers"][1]["id"]
        at.session_state[f"build_w{layer}_{at.session_state['build_gen']}"] = {
            "edited_rows": {i: {f"w{i}": f"{i + 1}/7"}}, "added_rows": [], "deleted_rows": []}
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        if at.exception or at.session_state["build_draft"]["params"][layer]["W"][i][i] != f"{i + 1}/7":
            raise RuntimeError(f"the edit did not land: {at.exception}")
        if not at.session_state["build_pending"]:
            raise RuntimeError("the edit is not seen as an unapplied edit")
    row.median = statistics.median(times)
    row.note = (f"AppTest .run() of the Build page after one weight edit, {'-'.join(map(str, sizes))} "
                f"({sum(a * b for a, b in zip(sizes, sizes[1:])):,} weights), {len(data)} samples")
    row.verdict = at_most(row.median, 0.300)
    return row


BENCHMARKS = [first_graph, rerun_after_edit, build_rerun, film_fps]
