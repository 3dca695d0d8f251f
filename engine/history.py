"""What a training run went through: one :class:`StepRecord` per step and the weight
snapshots kept by the :func:`snapshot_every` rule, so that any step can be replayed
(``engine.descent.record_step``) without keeping 10,000 copies of the weights."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .numbers import format_number

# Weight snapshots are kept every `snapshot_every` steps so that at most this many
# numbers are stored: 10,000 steps of a 2-8-8-1 net (105 weights) keep every 2nd
# step, ~8 MB of float64 plus ~6 arrays' overhead per snapshot. Fractions cost far
# more per number, hence the smaller exact budget.
SNAPSHOT_BUDGET = {"float": 1_000_000, "exact": 20_000}


def snapshot_every(total_steps: int, n_params: int, arithmetic: str) -> int:
    return max(1, -(-total_steps * max(n_params, 1) // SNAPSHOT_BUDGET[arithmetic]))


@dataclass(frozen=True)
class StepRecord:
    step: int  # 1-based, counted over all epochs
    epoch: int  # 1-based
    loss: object  # batch loss (mean over the batch) before the update; Fraction when exact
    grad_norms: dict  # "W2" -> L2 norm of δw^2 (float)


@dataclass
class History:
    """What training went through.

    ``weights[s]`` are the weights after ``s`` steps (0: the initial ones), kept for
    ``s`` a multiple of ``snapshot_every`` and for the last step; arrays are shared,
    never copied. ``epoch_losses[e-1]`` is the mean of the per-sample losses seen
    during epoch e, each computed before its own batch's update (for full-batch
    training: the loss before the epoch's update)."""

    config: dict
    snapshot_every: int
    steps: list[StepRecord] = field(default_factory=list)
    epoch_losses: list = field(default_factory=list)
    weights: dict[int, dict[str, np.ndarray]] = field(default_factory=dict)

    def losses(self) -> list[float]:
        return [float(s.loss) for s in self.steps]

    def as_dicts(self) -> dict:
        """JSON-able: numbers as floats, exact losses also as "p/q" text."""
        exact = self.config.get("arithmetic") == "exact"

        def step_dict(s):
            d = {"step": s.step, "epoch": s.epoch, "loss": float(s.loss), "grad_norms": dict(s.grad_norms)}
            if exact:
                d["loss_exact"] = format_number(s.loss)
            return d
        return {
            "config": dict(self.config),
            "snapshot_every": self.snapshot_every,
            "steps": [step_dict(s) for s in self.steps],
            "epoch_losses": [float(v) for v in self.epoch_losses],
            "weights": {str(s): {k: np.asarray(w, dtype=float).tolist() for k, w in ws.items()}
                        for s, ws in self.weights.items()},
        }
