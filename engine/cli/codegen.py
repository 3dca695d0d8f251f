"""``code``: write the model, its data and one training step as a self-contained numpy or
PyTorch script that prints the same loss and gradients as the app (engine/codegen.py)."""
from __future__ import annotations

import sys

from .inspect import add_model_source, load_model_source, sample_or_all


def register(sub) -> None:
    p = sub.add_parser("code", help="export the model, data and one training step as a numpy or PyTorch script")
    add_model_source(p)
    p.add_argument("--sample", type=sample_or_all, default="all",
                   help="sample number, counted from 1, or 'all' (the default) for the whole batch")
    p.add_argument("--framework", choices=("numpy", "pytorch"), default="numpy")
    p.add_argument("-o", "--output", metavar="FILE", default="-", help="the script's file; '-' (the default): stdout")
    # the script is always float64; the model source keeps its own arithmetic (exact is cast)
    p.set_defaults(run=run_code, arithmetic=None)


def run_code(args) -> int:
    from ..codegen import script
    text = script(load_model_source(args), args.framework, args.sample)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    return 0
