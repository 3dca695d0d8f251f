"""``python -m bench``: run every benchmark and print the table.

Options: ``--quick`` (tiny sizes, one repeat: the test suite's smoke run, its figures
mean nothing) and ``--only NAME`` (one benchmark by its short name, or a group:
engine, render, app, memory; may be repeated)."""
from __future__ import annotations

import argparse
import os
import platform
import sys

from . import app, engine, memory, render
from .timing import Row, fmt_value

GROUPS = {"engine": engine.BENCHMARKS, "render": render.BENCHMARKS, "memory": memory.BENCHMARKS,
          "app": app.BENCHMARKS}
ALL = [f for group in GROUPS.values() for f in group]


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import numpy
    blas = "threadpoolctl not installed"
    try:
        from threadpoolctl import threadpool_info
        blas = ", ".join(f"{i.get('internal_api')} {i.get('version')} ({i.get('num_threads')} threads)"
                         for i in threadpool_info() if i.get("user_api") == "blas") or "none found"
    except ImportError:
        pass
    return (f"{os.cpu_count()} cores ({cpu}); Python {platform.python_version()}, "
            f"numpy {numpy.__version__}, BLAS: {blas}")


def select(only: list[str] | None):
    if not only:
        return ALL
    chosen = []
    for name in only:
        if name in GROUPS:
            chosen += GROUPS[name]
            continue
        found = [f for f in ALL if f.__name__ == name]
        if not found:
            names = ", ".join([*GROUPS, *(f.__name__ for f in ALL)])
            raise SystemExit(f"unknown benchmark {name!r}; choose from: {names}")
        chosen += found
    return chosen


def run(quick: bool = False, only: list[str] | None = None) -> list[Row]:
    rows = []
    for f in select(only):
        try:
            row = f(quick)
        except Exception as err:  # one broken benchmark must not hide the others
            row = Row(f.__name__, f.__name__, "", verdict="ERROR", note=f"{type(err).__name__}: {err}")
        row.name = f.__name__  # what --only takes
        rows.append(row)
        print(f"  {row.name}: {fmt_value(row.median, row.unit)} {row.verdict}", file=sys.stderr, flush=True)
    return rows


def table(rows: list[Row]) -> str:
    head = ["what", "median", "baseline median", "ratio", "target", "verdict"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    notes = []
    for r in rows:
        ratio = "—" if r.ratio is None else f"{r.ratio:.2f}×"
        verdict = r.verdict + (f" [{len(notes) + 1}]" if r.note else "")
        if r.note:
            notes.append(f"[{len(notes) + 1}] {r.name}: {r.note}")
        lines.append(f"| {r.what} | {fmt_value(r.median, r.unit)} | {fmt_value(r.baseline, r.unit)} | "
                     f"{ratio} | {r.target} | {verdict} |")
    return "\n".join(lines + [""] + notes)


def main(argv: list[str] | None = None, out=None) -> list[Row]:
    out = out or sys.stdout
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat (smoke test only)")
    parser.add_argument("--only", action="append", metavar="NAME", help="one benchmark or group; repeatable")
    args = parser.parse_args(argv)
    rows = run(args.quick, args.only)
    print(f"machine: {machine()}", file=out)
    if args.quick:
        print("--quick: tiny sizes, one repeat; the figures mean nothing", file=out)
    print(table(rows), file=out)
    return rows


if __name__ == "__main__":
    main()
