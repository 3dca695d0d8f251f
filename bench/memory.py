"""Memory growth of a long training run, history included."""
from __future__ import annotations

import gc
import tracemalloc

from engine.train import train

from . import models
from .timing import Row, at_most


def training_growth(quick: bool) -> Row:
    row = Row("memory_train", "memory growth over 10,000 training steps of 2-8-8-1", "≤ 20 MB", unit="B")
    steps = 100 if quick else 10_000
    model, data = models.moons(200)
    gc.collect()
    # tracemalloc sees numpy's buffers too (numpy reports them to it): what is kept
    # after the run, with the result alive, is the growth; the peak is reported beside.
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    result = train(model, data, lr=0.1, epochs=steps, batch_size=200)
    gc.collect()
    after, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(result.history.steps) == steps
    row.median = after - before
    row.note = (f"{steps} steps, batch 200, result kept (history: {len(result.history.weights)} snapshots); "
                f"peak {(peak - before) / 1e6:.1f} MB; one run")
    row.verdict = at_most(row.median, 20e6)
    return row


BENCHMARKS = [training_growth]
