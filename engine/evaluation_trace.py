"""Griewank's evaluation trace of one recorded sample, one row per step of the timeline.

Griewank and Walther number the scalars of a computation: the n inputs are v_{1−n} … v_0
(the article's sample 3 has three: v₋₂, v₋₁, v₀), each intermediate v_1 … v_l in the order
it is computed; the reverse sweep then fills their adjoints v̄_i = ∂loss/∂v_i in the
opposite order. The recording (engine/record.py) computes whole vectors, so a row here is
one value of the timeline, a range of v: o^k is v_a … v_b, the loss the last v; and the
learning flow's δ^{k+1}, taken at L^{k+1}'s input o^k, is exactly the adjoint of o^k's
range, δ^1 that of x. A weight gradient δw^k is the adjoint W̄^k of a parameter, which the
trace does not number (it holds it constant in the forward sweep).

Row i is the value made at step i (row 0: the data x, at step 0), so each step's current
row is known in advance and a player can follow it without a server round trip. The
formula of each row is the step's own general formula (engine/explain.py), unboxed, so
the trace and the chain-rule panel never say different things."""
from __future__ import annotations

import numpy as np

from . import latex as tex
from .explain import explain
from .graph import Graph


def _v(first: int, last: int, bar: bool) -> str:
    v = "\\bar{v}" if bar else "v"
    if first == last:
        return f"{v}_{{{first}}}"
    if last == first + 1:
        return f"{v}_{{{first}}}, {v}_{{{last}}}"
    return f"{v}_{{{first}}} \\dots {v}_{{{last}}}"


def _unboxed(formula: str) -> str:
    """The formula without its boxes (a table row needs no frame). A step can show two
    boxed formulas side by side (a penalised δw, the loss with P): each box is opened by
    matching its braces, not by cutting the text's first and last characters."""
    box = "\\boxed{"
    out, at = [], 0
    while (start := formula.find(box, at)) >= 0:
        out.append(formula[at:start])
        depth, i = 1, start + len(box)
        while i < len(formula) and depth:
            depth += {"{": 1, "}": -1}.get(formula[i], 0) if formula[i - 1] != "\\" else 0
            i += 1
        out.append(formula[start + len(box):i - 1])
        at = i
    out.append(formula[at:])
    return "".join(out)


def ranges(graph: Graph) -> dict[str, tuple[int, int]]:
    """Griewank's numbering: each forward value's name ("x", "o1", …, "P" with a penalty,
    "loss") → its range of v."""
    n = graph.x.shape[1]
    out = {"x": (1 - n, 0)}
    last = 0
    for k in range(1, graph.K + 1):
        size = graph.o(k).shape[1]
        out[f"o{k}"] = (last + 1, last + size)
        last += size
    if graph.model.penalty.active:  # P, from the weights alone, is computed before the loss it adds to
        last += 1
        out["P"] = (last, last)
    out["loss"] = (last + 1, last + 1)
    return out


def evaluation_trace(graph: Graph, sample: int = 0, texts: list[dict] | None = None) -> dict:
    """The trace of sample row ``sample`` as JSON-ready LaTeX: ``rows`` (each ``v``: the
    range of v or v̄, ``formula``, ``value``, ``phase``) and ``current``: for each step of
    the timeline (0 … len), the row it computes. ``texts``: the steps' explanations if
    already made (engine.explain.step_texts), else they are made here."""
    v = ranges(graph)
    grads = graph.shown_weight_grads(sample)
    rows = [{"v": _v(*v["x"], bar=False), "formula": "x", "value": tex.vector(graph.x[sample]), "phase": "input"}]
    for step, event in enumerate(graph.timeline, 1):
        general = texts[step]["general"] if texts else explain(graph, step, sample).general
        if event.phase in ("forward", "loss"):
            label = _v(*v[event.name], bar=False)
            value = graph.sample_losses[sample] if event.phase == "loss" else graph.o(event.k)[sample]
            shown = tex.vector(np.asarray(value))
        elif event.phase == "penalty":  # P = λ₂·½Σw² + λ₁·Σ|w|: one scalar, the batch's (not a sample's)
            label = _v(*v["P"], bar=False)
            shown = tex.number(graph.penalty)
        elif event.phase == "backward":  # δ^k is the adjoint of L^k's input, o^{k−1} (x for k = 1)
            label = _v(*v["x" if event.k == 1 else f"o{event.k - 1}"], bar=True)
            shown = tex.vector(graph.delta(event.k)[sample])
        else:  # a parameter's adjoint, W̄^k, of this sample alone (the batch's δw is their sum)
            param = event.edge  # "W2", "b2"
            name = param.rstrip("0123456789")
            label = f"\\bar{{{name}}}^{{{event.k}}}"
            shown = tex.matrix(grads[param])
        rows.append({"v": label, "formula": _unboxed(general), "value": shown, "phase": event.phase})
    return {"rows": rows, "current": list(range(len(rows)))}
