"""``train``: gradient descent on a preset, a model file or a CSV file, printing the final
weights, the loss and (for classification) the accuracy, on the training rows and on
the test rows when the data holds a test split.

Settings left out come from the preset's suggested ones (engine.presets.SUGGESTED_TRAINING),
else α = 0.1, 100 epochs, full batch, in order.
"""
from __future__ import annotations

import argparse
import os
import stat
from dataclasses import replace

import numpy as np

from ..csv_data import MAX_CSV_BYTES, CsvError, read_csv
from ..data_split import table_dataset
from ..metrics import evaluate
from ..mlp import ACTIVATIONS, mlp_spec, parse_hidden
from ..names import one_line
from ..numbers import format_number
from ..penalty import penalty_of, value as penalty_value
from ..presets import PRESETS, SUGGESTED_TRAINING
from ..train import train
from . import UsageError, real_number, whole_number
from .output import print_json
from .inspect import load_model_source

DEFAULTS = {"lr": "0.1", "epochs": 100, "batch_size": None, "shuffle": False}  # None: the whole dataset
DATA_ONLY = ("target", "hidden", "activation", "test_fraction", "standardize")  # options of --data alone


def register(sub) -> None:
    p = sub.add_parser("train", help="train a model by gradient descent and print the final weights")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--preset", metavar="NAME", help=f"one of: {', '.join(PRESETS)}")
    source.add_argument("--model", metavar="FILE", help="a JSON model file (docs/model-format.md)")
    source.add_argument("--data", metavar="FILE.csv",
                        help="a CSV file: a header row, numeric feature columns and a target column")
    p.add_argument("--lr", help='learning rate α: 0.1, 1e-7 or "1/1000" (default: the preset\'s, else 0.1)')
    p.add_argument("--epochs", type=whole_number, help="passes over the data (default: the preset's, else 100)")
    p.add_argument("--batch-size", type=whole_number,
                   help="samples per step: 1 = sample by sample, ≥ n = full batch (default: the preset's, else full)")
    p.add_argument("--arithmetic", choices=("exact", "float"), help="default: the model's own")
    p.add_argument("--shuffle", action=argparse.BooleanOptionalAction, help="a new sample order each epoch (default: the preset's, else no)")
    p.add_argument("--l2", metavar="λ", help='L2 penalty λ₂·½Σw² on the weight matrices (not the biases), '
                   'λ₂ ≥ 0: 1e-4 or "1/10000" (default: the model\'s own, else 0)')
    p.add_argument("--l1", metavar="λ", help="L1 penalty λ₁·Σ|w| on the weight matrices, λ₁ ≥ 0 "
                   "(default: the model's own, else 0)")
    p.add_argument("--seed", type=whole_number, default=0,
                   help="seed of the shuffling and, with --data, of the test split and the initial weights (default 0)")
    g = p.add_argument_group("with --data")
    g.add_argument("--target", metavar="COLUMN", help="the target column's name (default: the last column)")
    g.add_argument("--hidden", metavar="SIZES", help='hidden layer sizes, e.g. 8,8 (default); "" for none')
    g.add_argument("--activation", choices=ACTIVATIONS, help="of the hidden layers (default tanh)")
    g.add_argument("--test-fraction", type=real_number, metavar="F",
                   help="share of the rows held out for testing, seeded by --seed (default 0.2)")
    g.add_argument("--standardize", action=argparse.BooleanOptionalAction,
                   help="standardise the features with the training rows' mean and std (default: yes)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_train)


def run_train(args) -> int:
    spec = load_data_source(args) if args.data is not None else _no_data_options(args) or load_model_source(args)
    spec = _with_penalty(args, spec)
    settings = _settings(args, spec)
    result = train(spec.model, spec.data, lr=settings["lr"], epochs=settings["epochs"],
                   batch_size=settings["batch_size"], shuffle=settings["shuffle"], seed=args.seed)
    scores = evaluate(result.model, spec.data)
    weights = result.model.weights()
    if args.json:
        out = {"weights": {name: np.asarray(w, dtype=float).tolist() for name, w in weights.items()},
               "history": result.history.as_dicts(), "stopped": result.stopped, **scores}
        if result.model.penalty.active:  # the λ used and P at the end (the losses above are the data's)
            out["penalty"] = {"l2": float(result.model.penalty.l2), "l1": float(result.model.penalty.l1),
                              "value": _finite(penalty_value(result.model.penalty, result.model.layers))}
        if result.model.arithmetic == "exact":  # floats alone would hide the exact values
            out["weights_exact"] = {name: _texts(w) for name, w in weights.items()}
        print_json(out)
        return 0
    history = result.history
    print(f"{one_line(spec.name)}: {len(history.steps)} steps, {len(history.epoch_losses)} epochs, "
          f"{result.model.arithmetic} arithmetic")
    if history.epoch_losses:
        print(f"  loss: first epoch {format_number(history.epoch_losses[0])}, "
              f"last epoch {format_number(history.epoch_losses[-1])}")
    for what, values in scores.items():
        print(f"  {what} after training: " + ", ".join(f"{part} {'not finite' if v is None else format_number(v)}" for part, v in values.items()))
    if result.model.penalty.active:
        print(f"  penalty: {result.model.penalty.describe()}, P after training "
              f"{format_number(penalty_value(result.model.penalty, result.model.layers))}")
    if result.stopped:
        print(f"  stopped early: {result.stopped}")
    for name, w in weights.items():
        rows = ["(" + ", ".join(format_number(v) for v in np.ravel(row)) + ")" for row in np.atleast_2d(w)]
        print(f"  {name} = " + ("\n" + " " * (len(name) + 5)).join(rows))
    return 0


def _with_penalty(args, spec):
    """The model with the penalty of --l2/--l1 (each given one replaces the model's own)."""
    if args.l2 is None and args.l1 is None:
        return spec
    own, arithmetic = spec.model.penalty, spec.model.arithmetic
    penalty = penalty_of(own.l2 if args.l2 is None else args.l2, own.l1 if args.l1 is None else args.l1, arithmetic)
    return replace(spec, model=replace(spec.model, penalty=penalty))


def _finite(v):
    try:
        v = float(v)
    except OverflowError:
        return None
    return v if np.isfinite(v) else None


def _no_data_options(args) -> None:
    for name in DATA_ONLY:
        if getattr(args, name) is not None:
            flag = "--" + name.replace("_", "-")
            raise UsageError(f"{flag} applies to --data only (a CSV file)")


def _settings(args, spec) -> dict:
    """The run's settings: those given, else the preset's suggested ones, else DEFAULTS."""
    suggested = SUGGESTED_TRAINING.get(args.preset, {}) if args.preset is not None else {}
    out = {}
    for name in DEFAULTS:
        given = getattr(args, name)
        out[name] = given if given is not None else suggested.get(name, DEFAULTS[name])
    if out["batch_size"] is None:
        out["batch_size"] = len(spec.data)
    return out


def load_data_source(args):
    """The Spec of --data: the CSV read (engine/csv_data.py), split, standardised, and an MLP for its task."""
    path = args.data
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):  # a FIFO or a device could block or never end
            raise CsvError(f"cannot read {path}: not a regular file (a FIFO, a device or a directory)")
        if info.st_size > MAX_CSV_BYTES:  # refused before reading it into memory
            raise CsvError(f"{path}: {info.st_size:,} bytes; at most {MAX_CSV_BYTES:,} (5 MB) are accepted")
        with open(path, "rb") as f:
            raw = f.read(MAX_CSV_BYTES + 1)
    except OSError as e:
        raise CsvError(f"cannot read {path}: {e.strerror or e}") from None
    hidden = (8, 8) if args.hidden is None else parse_hidden(args.hidden)
    try:
        table = read_csv(raw, args.target)
        data = table_dataset(table, test_fraction=0.2 if args.test_fraction is None else args.test_fraction,
                             seed=args.seed, standardize=args.standardize is not False)
    except CsvError as e:
        raise CsvError(f"{path}: {e}") from None
    name = os.path.splitext(os.path.basename(path))[0][:100] or "csv"
    spec = mlp_spec(data, table.task, hidden=hidden, activation=args.activation or "tanh", seed=args.seed,
                    name=name)
    return spec if args.arithmetic is None else spec.cast(args.arithmetic)


def _texts(w: np.ndarray) -> list:
    return np.vectorize(format_number, otypes=[object])(w).tolist()
