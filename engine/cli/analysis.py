"""``paths`` and ``diff``: what no other explorer shows.

``paths``: one weight component's gradient as the sum of its paths to the loss
(engine/paths.py). ``diff``: the same sample in exact and in float arithmetic, node by
node, the first one where they differ first (engine/float_diff.py)."""
from __future__ import annotations

import numpy as np

from ..float_diff import float_diff
from ..float_reach import causes
from ..float_words import story
from ..names import one_line
from ..numbers import format_number
from ..paths import gradient_name, parse_index, route, weight_paths
from ..record import record
from . import whole_number
from .inspect import add_model_source, load_model_source
from .output import json_number, json_value, print_json, row


def register(sub) -> None:
    p = sub.add_parser("paths", help="one weight's gradient as the sum of its paths to the loss")
    add_model_source(p)
    p.add_argument("--sample", type=whole_number, default=1, help="sample number, counted from 1")
    p.add_argument("--weight", required=True, metavar="NAME", help="a weight: W2, b2, …")
    p.add_argument("--index", required=True, metavar="I,J", help="its component, counted from 0: 0,1")
    p.add_argument("--arithmetic", choices=("exact", "float"), help="default: the model's own")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_paths)

    p = sub.add_parser("diff", help="one sample in exact and in float, node by node, the first difference first")
    add_model_source(p)
    p.add_argument("--sample", type=whole_number, default=1, help="sample number, counted from 1")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_diff, arithmetic=None)  # both arithmetics: the model is read as it is


def _recorded(args):
    """(the model source, its graph of sample --sample)."""
    spec = load_model_source(args)
    return spec, record(spec.model, *spec.data.sample(args.sample, spec.model.arithmetic))


def run_paths(args) -> int:
    index = parse_index(args.index)
    spec, graph = _recorded(args)
    found = weight_paths(graph, args.weight, index)
    if args.json:
        print_json({
            "weight": found.weight, "index": list(index), "sample": args.sample,
            "arithmetic": graph.arithmetic, "count": len(found.paths),
            "paths": [{"units": list(p.units), "labels": list(p.labels),
                       "factors": [json_number(f) for f in p.factors], "product": json_number(p.product)}
                      for p in found.paths],
            "sum": json_number(found.total), "recorded": json_number(found.recorded),
            # with a penalty: its term of this component, and the δw descent uses (sum + term)
            **({"penalty_term": json_number(found.penalty), "descended": json_number(found.descended)}
               if found.penalty is not None else {})}, ensure_ascii=False)
        return 0
    grad = gradient_name(found)
    print(f"{one_line(spec.name)}, sample {args.sample}, {graph.arithmetic} arithmetic: "
          f"{grad} as the sum of its {len(found.paths)} path{'s' * (len(found.paths) != 1)} to the loss")
    for n, p in enumerate(found.paths, 1):
        print(f"  path {n}: {route(found, p)}")
        print(f"    {' · '.join(p.labels)}")
        print(f"    = {' · '.join(format_number(f) for f in p.factors)} = {format_number(p.product)}")
    if found.penalty is None:
        print(f"  sum = {format_number(found.total)}   (the backward pass's {grad} = {format_number(found.recorded)})")
    else:  # the paths are the data's term; the penalty's term is no path
        print(f"  sum = {format_number(found.total)}   (the data's term of {grad}: the backward pass's is "
              f"{format_number(found.recorded)})")
        print(f"  + the penalty's term λ₂·w + λ₁·sign(w) = {format_number(found.penalty)}"
              f"   = {format_number(found.penalised_total)}   (the backward pass's {grad} = "
              f"{format_number(found.descended)})")
    return 0


def run_diff(args) -> int:
    spec = load_model_source(args)
    x, y = spec.data.sample(args.sample, "exact")  # the data as written: both records read it
    found = float_diff(spec.model, x, y)
    first = found.first
    if args.json:
        reach = causes(found)  # where each difference starts: the words' causes, by key
        print_json({
            "sample": args.sample, "first": first.name if first else None,
            "why": list(story(found, spec.data.feature_names).sentences),
            "nodes": [{"name": n.name, "phase": n.phase, "differs": n.differs,
                       "origins": list(reach[n.name].origins) if n.name in reach else [],
                       "exact": json_value(n.exact), "float": json_value(n.float),
                       "abs_error": json_value(n.abs_error), "rel_error": json_value(n.rel_error)}
                      for n in found.nodes]}, ensure_ascii=False)
        return 0
    print(f"{one_line(spec.name)}, sample {args.sample}: exact against float, node by node")
    if first is None:
        print("  float equals exact at every node")
    else:
        print(f"  first difference: {first.name}: exact {row(first.exact)}, float {row(first.float)}")
    for n in found.nodes:
        if not n.differs:
            print(f"  {n.name:<6} same      {row(n.exact)}")
            continue
        rel = n.rel_error[~np.isnan(n.rel_error)]
        print(f"  {n.name:<6} differs   exact {row(n.exact)}   float {row(n.float)}"
              f"   abs error ≤ {format_number(n.abs_error.max())}"
              f"   rel error {'≤ ' + format_number(rel.max()) if rel.size else 'undefined (exact 0)'}")
    return 0
