"""How far the animation has got: which recorded values are visible at a step.

Step 0 shows nothing computed yet, step n the timeline's events 1..n with event n
the current one, and ``None`` the final picture with no current event.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..graph import Event, Graph


@dataclass(frozen=True)
class Progress:
    shown: frozenset  # names of the values computed so far: "o2", "loss", "δ3", "δw2"
    current: Event | None

    def has(self, name: str) -> bool:
        return name in self.shown


def progress(graph: Graph, step: int | None) -> Progress:
    n = len(graph.timeline)
    if step is None:
        return Progress(frozenset(e.name for e in graph.timeline), None)
    if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= n:
        raise ValueError(f"step {step!r} does not exist; this graph has steps 0 to {n}")
    events = graph.timeline[:step]
    return Progress(frozenset(e.name for e in events), events[-1] if events else None)


def check_sample(graph: Graph, sample: int) -> int:
    if isinstance(sample, bool) or not isinstance(sample, int) or not 0 <= sample < graph.batch_size:
        raise ValueError(f"sample {sample!r} is not in the batch; rows are 0 to {graph.batch_size - 1}")
    return sample

