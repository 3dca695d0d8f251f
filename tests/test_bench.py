"""The benchmarks keep working: one quick run of each (tiny sizes, one repeat).

No timing is asserted here: figures on a shared test machine mean nothing, and the
suite must not fail because the machine was busy. ``python -m bench`` measures."""
import io

from bench.__main__ import ALL, main


def test_quick_run_has_every_row():
    out = io.StringIO()
    rows = main(["--quick"], out=out)
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
