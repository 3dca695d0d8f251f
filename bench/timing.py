"""Medians, same-process ratios and verdicts: the one measuring rule every benchmark uses.

A ratio is taken from interleaved rounds (baseline, candidate, baseline, ...), each
round timing a few calls of each, and is the median of the per-round ratios: a
slow patch of the machine (another process, a frequency change) hits both sides of a
round alike and cancels out, where two separate medians would not.
"""
from __future__ import annotations

import gc
import statistics
import time
from dataclasses import dataclass
from typing import Callable


@dataclass
class Row:
    """One line of the table. ``median`` and ``baseline`` are seconds (bytes for memory);
    ``ratio`` is candidate / baseline; ``target`` is checked by ``verdict``."""

    name: str  # short id for --only
    what: str
    target: str
    median: float | None = None
    baseline: float | None = None
    ratio: float | None = None
    verdict: str = ""
    unit: str = "s"
    note: str = ""


def per_call(fn: Callable[[], object], number: int) -> float:
    """Seconds per call over ``number`` calls, GC paused (a collection is noise here)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        return (time.perf_counter() - t0) / number
    finally:
        if enabled:
            gc.enable()


def calls_for(fn: Callable[[], object], budget: float = 0.02) -> int:
    """How many calls make one timed chunk last about ``budget`` seconds."""
    once = per_call(fn, 1)
    return max(1, min(100_000, int(budget / max(once, 1e-7))))


def median_time(fn: Callable[[], object], repeats: int, number: int | None = None) -> float:
    """Median over ``repeats`` chunks of the seconds per call (after one warm-up call)."""
    fn()
    number = number or calls_for(fn)
    return statistics.median(per_call(fn, number) for _ in range(repeats))


def compare(candidate: Callable[[], object], baseline: Callable[[], object], repeats: int,
            number: int | None = None) -> tuple[float, float, float]:
    """(candidate median, baseline median, median of per-round ratios), interleaved."""
    candidate(), baseline()
    number = number or max(calls_for(candidate), calls_for(baseline))
    cand, base, ratios = [], [], []
    for _ in range(repeats):
        b = per_call(baseline, number)
        c = per_call(candidate, number)
        base.append(b)
        cand.append(c)
        ratios.append(c / b)
    return statistics.median(cand), statistics.median(base), statistics.median(ratios)


def at_most(value: float, limit: float) -> str:
    return "ok" if value <= limit else "MISSED"


def at_least(value: float, limit: float) -> str:
    return "ok" if value >= limit else "MISSED"


def fmt_seconds(s: float | None) -> str:
    if s is None:
        return "—"
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def fmt_value(v: float | None, unit: str) -> str:
    if v is None:
        return "—"
    if unit == "B":
        return f"{v / 1e6:.2f} MB"
    if unit == "/s":  # a rate: frames per second
        return f"{v:.1f} /s"
    return fmt_seconds(v)
