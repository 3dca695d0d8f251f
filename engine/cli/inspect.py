"""``presets`` and ``trace``: list the presets, record one sample.

Also the model source shared by the commands that need a model: ``--preset NAME``
or ``--model FILE`` (a JSON model file, docs/model-format.md), exactly one.
"""
from __future__ import annotations

import json
import os
import stat

from ..names import one_line
from ..numbers import format_number
from . import whole_number
from .output import json_value, row
from ..limits import MAX_FILE_BYTES
from ..spec_json import SpecError
from ..presets import PRESETS, load_preset
from ..record import record
from ..spec import Spec, load_spec


def register(sub) -> None:
    p = sub.add_parser("presets", help="list the preset names")
    p.set_defaults(run=run_presets)

    p = sub.add_parser("trace", help="record one sample's forward and backward pass")
    add_model_source(p)
    p.add_argument("--sample", type=whole_number, default=1, help="sample number, counted from 1")
    p.add_argument("--arithmetic", choices=("exact", "float"), help="default: the model's own")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_trace)


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


def trace_json(graph) -> dict:
    """The recorded values; exact ones as exact strings (engine/cli/output.py)."""
    return {
        "loss": json_value(graph.loss),
        "outputs": {f"o{k}": json_value(graph.o(k)[0]) for k in range(1, graph.K + 1)},
        "deltas": {f"delta{k}": json_value(graph.delta(k)[0]) for k in range(1, graph.K + 2)},
        "weight_grads": {name: json_value(g) for name, g in graph.weight_grads.items()},
    }


def run_trace(args) -> int:
    preset = load_model_source(args)
    graph = record(preset.model, *preset.data.sample(args.sample, preset.model.arithmetic))
    if args.json:
        print(json.dumps(trace_json(graph)))
        return 0
    print(f"{one_line(preset.name)}, sample {args.sample}, {graph.arithmetic} arithmetic")
    print(f"  x      = {row(graph.x[0])}   y_truth = {row(graph.y[0])}")
    for k in range(1, graph.K + 1):
        print(f"  o{k:<5} = {row(graph.o(k)[0])}")
    print(f"  loss   = {format_number(graph.loss)}")
    for k in range(graph.K + 1, 0, -1):
        print(f"  δ{k:<5} = {row(graph.delta(k)[0])}")
    for name, g in graph.weight_grads.items():
        print(f"  δ{name[0].lower() + name[1:]:<5} = {row(g)}")
    return 0
