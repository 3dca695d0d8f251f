"""``train``: gradient descent on a preset or a model file, printing the final weights."""
from __future__ import annotations

import json

import numpy as np

from ..names import one_line
from ..numbers import format_number
from ..train import train
from . import whole_number
from .inspect import add_model_source, load_model_source


def register(sub) -> None:
    p = sub.add_parser("train", help="train a model by gradient descent and print the final weights")
    add_model_source(p)
    p.add_argument("--lr", required=True, help='learning rate α: 0.1, 1e-7 or "1/1000"')
    p.add_argument("--epochs", type=whole_number, default=1, help="passes over the data (default 1)")
    p.add_argument("--batch-size", type=whole_number, default=1,
                   help="samples per step: 1 = sample by sample, ≥ n = full batch (default 1)")
    p.add_argument("--arithmetic", choices=("exact", "float"), help="default: the model's own")
    p.add_argument("--shuffle", action="store_true", help="a new sample order each epoch")
    p.add_argument("--seed", type=whole_number, default=0, help="seed of the shuffling (default 0)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_train)


def run_train(args) -> int:
    spec = load_model_source(args)
    result = train(spec.model, spec.data, lr=args.lr, epochs=args.epochs, batch_size=args.batch_size,
                   shuffle=args.shuffle, seed=args.seed)
    weights = result.model.weights()
    if args.json:
        out = {"weights": {name: np.asarray(w, dtype=float).tolist() for name, w in weights.items()},
               "history": result.history.as_dicts(), "stopped": result.stopped}
        if result.model.arithmetic == "exact":  # floats alone would hide the exact values
            out["weights_exact"] = {name: _texts(w) for name, w in weights.items()}
        print(json.dumps(out))
        return 0
    history = result.history
    print(f"{one_line(spec.name)}: {len(history.steps)} steps, {len(history.epoch_losses)} epochs, "
          f"{result.model.arithmetic} arithmetic")
    if history.epoch_losses:
        print(f"  loss: first epoch {format_number(history.epoch_losses[0])}, "
              f"last epoch {format_number(history.epoch_losses[-1])}")
    if result.stopped:
        print(f"  stopped early: {result.stopped}")
    for name, w in weights.items():
        rows = ["(" + ", ".join(format_number(v) for v in np.ravel(row)) + ")" for row in np.atleast_2d(w)]
        print(f"  {name} = " + ("\n" + " " * (len(name) + 5)).join(rows))
    return 0


def _texts(w: np.ndarray) -> list:
    return np.vectorize(format_number, otypes=[object])(w).tolist()
