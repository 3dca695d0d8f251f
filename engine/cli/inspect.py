"""``presets`` and ``trace``: list the presets, record one sample or the whole batch.

Also the model source shared by the commands that need a model: ``--preset NAME``
or ``--model FILE`` (a JSON model file, docs/model-format.md), exactly one.
"""
from __future__ import annotations

import argparse
import os
import stat

from ..names import one_line
from ..numbers import format_number
from . import whole_number
from .output import json_value, print_json, row
from ..limits import MAX_FILE_BYTES
from ..spec_json import SpecError
from ..presets import PRESETS, load_preset
from ..graph import Graph
from ..record import record
from ..spec import Spec, load_spec
from ..forward_mode import MODES, forward_gradients, reverse_gradients


def register(sub) -> None:
    p = sub.add_parser("presets", help="list the preset names")
    p.set_defaults(run=run_presets)

    p = sub.add_parser("trace", help="record one sample's (or the batch's) forward and backward pass")
    add_model_source(p)
    p.add_argument("--sample", type=sample_or_all, default=1,
                   help="sample number, counted from 1, or 'all' for the whole batch")
    p.add_argument("--arithmetic", choices=("exact", "float"), help="default: the model's own")
    p.add_argument("--mode", choices=MODES, default="reverse",
                   help="how the weight gradients are computed: reverse (one backward pass, the default)"
                        " or forward (dual numbers, one pass per weight); both report their cost")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_trace)


def sample_or_all(text: str):
    """argparse type of trace's --sample: a whole number, or "all"."""
    if text == "all":
        return text
    try:
        return whole_number(text)
    except argparse.ArgumentTypeError as e:
        raise argparse.ArgumentTypeError(f"{e}, nor 'all'") from None


def add_model_source(p) -> None:
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--preset", metavar="NAME", help=f"one of: {', '.join(PRESETS)}")
    source.add_argument("--model", metavar="FILE", help="a JSON model file (docs/model-format.md)")


def load_model_source(args) -> Spec:
    """The Spec named by --preset or read from --model, in --arithmetic if given."""
    if args.preset is not None:
        return load_preset(args.preset, args.arithmetic)
    try:
        info = os.stat(args.model)
        # A FIFO, a device or a directory: open() or read() could wait forever or never end.
        if not stat.S_ISREG(info.st_mode):
            raise SpecError(f"cannot read {args.model}: not a regular file (a FIFO, a device or a directory)")
        size = info.st_size
        if size > MAX_FILE_BYTES:  # refuse before reading it into memory
            raise SpecError(f"{args.model}: {size:,} bytes; at most {MAX_FILE_BYTES:,} are accepted")
        with open(args.model, "rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise SpecError(f"cannot read {args.model}: {e.strerror or e}") from None
    try:
        spec = load_spec(raw)
    except SpecError as e:
        raise SpecError(f"{args.model}: {e}") from None
    return spec if args.arithmetic is None else spec.cast(args.arithmetic)


def run_presets(args) -> int:
    for name in PRESETS:
        print(f"{name}\t{load_preset(name).description}")
    return 0


def trace_json(graph, batch: bool = False) -> dict:
    """The recorded values; exact ones as exact strings (engine/cli/output.py). One sample:
    vectors. The whole batch (``batch``): outputs and deltas as matrices (samples × units),
    each δ carrying the loss's 1/n, the weight gradients summed, the mean loss and each
    sample's loss."""
    pick = (lambda a: a) if batch else (lambda a: a[0])
    out = {
        "loss": json_value(graph.loss),
        "outputs": {f"o{k}": json_value(pick(graph.o(k))) for k in range(1, graph.K + 1)},
        "deltas": {f"delta{k}": json_value(pick(graph.delta(k))) for k in range(1, graph.K + 2)},
        "weight_grads": {name: json_value(g) for name, g in graph.weight_grads.items()},
    }
    if graph.model.penalty.active:  # "loss" is then the objective, the mean loss + P
        out["penalty"] = json_value(graph.penalty)
    if batch:
        out["samples"] = graph.batch_size
        out["sample_losses"] = json_value(graph.sample_losses)
    return out


def record_source(preset: Spec, sample) -> Graph:
    """Record sample ``sample`` (from 1) of the model source, or the whole batch for "all"."""
    if sample == "all":
        return record(preset.model, *preset.data.batch(preset.model.arithmetic))
    return record(preset.model, *preset.data.sample(sample, preset.model.arithmetic))


def gradients_by_mode(graph, mode: str):
    """The weight gradients of the recorded batch by ``mode``, and the cost counted. A
    penalty's term (engine/penalty.py), λ₂·W + λ₁·sign(W), is added to them as the
    recording did; either mode differentiates the data's loss, so it is not in the cost."""
    how = forward_gradients if mode == "forward" else reverse_gradients
    grads, cost = how(graph.model, graph.x, graph.y)
    for key, term in (graph.penalty_grads or {}).items():
        grads[key] = grads[key] + term
    return grads, cost


def run_trace(args) -> int:
    preset = load_model_source(args)
    batch = args.sample == "all"
    graph = record_source(preset, args.sample)
    # The outputs, the loss and the δ come from the recording (a δ is reverse mode's own
    # quantity); the weight gradients and the cost from the chosen mode.
    grads, cost = gradients_by_mode(graph, args.mode)
    if args.json:
        out = trace_json(graph, batch)
        out["weight_grads"] = {name: json_value(g) for name, g in grads.items()}
        out["cost"] = cost
        print_json(out)
        return 0
    # One sample: a vector per value. The batch: one vector per sample, separated by "; ".
    shown = (lambda a: "; ".join(row(r) for r in a)) if batch else (lambda a: row(a[0]))
    what = f"all {graph.batch_size} samples" if batch else f"sample {args.sample}"
    print(f"{one_line(preset.name)}, {what}, {graph.arithmetic} arithmetic")
    print(f"  x      = {shown(graph.x)}   y_truth = {shown(graph.y)}")
    for k in range(1, graph.K + 1):
        print(f"  o{k:<5} = {shown(graph.o(k))}")
    if batch:
        print(f"  losses = {row(graph.sample_losses)}")
    if graph.model.penalty.active:
        print(f"  P      = {format_number(graph.penalty)}   (penalty: {graph.model.penalty.describe()})")
        print(f"  loss   = {format_number(graph.loss)}   (the {'mean' if batch else 'loss'} + P)")
    else:
        print(f"  loss   = {format_number(graph.loss)}" + ("   (the mean)" if batch else ""))
    for k in range(graph.K + 1, 0, -1):
        print(f"  δ{k:<5} = {shown(graph.delta(k))}")
    for name, g in grads.items():
        print(f"  δ{name[0].lower() + name[1:]:<5} = {row(g)}" + ("   (summed)" if batch else ""))
    passes = "one pass per weight" if args.mode == "forward" else "one backward pass"
    print(f"  cost   = {args.mode} mode: {cost['passes']:,} pass{'es' if cost['passes'] != 1 else ''}"
          f" ({passes}), {cost['multiplications']:,} multiplications")
    return 0
