"""The benchmarks keep working: one quick run of each (tiny sizes, one repeat).

No timing is asserted here: figures on a shared test machine mean nothing, and the
suite must not fail because the machine was busy. ``python -m bench`` measures."""
import io
import threading

from bench.__main__ import ALL, main


def in_own_thread(fn):
    """Run ``fn`` in a thread of its own: the browser tests' Playwright keeps an asyncio
    loop in this worker's main thread (tests share a process, under pytest-xdist in any
    order), and Playwright's sync API refuses to start inside a running loop."""
    result = {}
    t = threading.Thread(target=lambda: result.setdefault("value", fn()))
    t.start()
    t.join()
    assert "value" in result, "the benchmark run raised (see the captured stderr)"
    return result["value"]


def test_quick_run_has_every_row():
    out = io.StringIO()
    rows = in_own_thread(lambda: main(["--quick"], out=out))
    assert [r.name for r in rows] == [f.__name__ for f in ALL]
    broken = [f"{r.name}: {r.note}" for r in rows if r.verdict == "ERROR"]
    assert not broken, broken
    text = out.getvalue()
    assert text.startswith("machine: ")
    for r in rows:
        assert f"| {r.what} |" in text
        assert r.median is not None or r.verdict == "skipped", r.name


def test_only_runs_the_named_benchmark():
    rows = main(["--quick", "--only", "exact_trace"], out=io.StringIO())
    assert [r.name for r in rows] == ["exact_trace"]
