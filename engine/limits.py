"""Every size and work limit, in one place (documented in docs/model-format.md and the
README's Limits table). The checked readers of a model file's JSON values, which enforce
the per-value ones, live beside the spec reader in engine/spec_json.py.

A model file may come from anyone, and the app is a shared server: these bounds keep
one upload from stalling it. Exact arithmetic is far slower than float (each number is
a Python Fraction), so its bounds are tighter.
"""
from __future__ import annotations

from .numbers import MAX_EXACT_DIGITS, NotExactError
from .numbers import MAX_EXPONENT as NUMBER_EXPONENT
from .numbers import MAX_NUMBER_CHARS as NUMBER_TEXT_CHARS

MAX_FILE_BYTES = 20 * 1024 * 1024   # checked before parsing
MAX_LAYERS = 32                     # input and activation layers count too
MAX_NEURONS = 4096                  # per layer, float: room for 784 inputs and wide hidden layers
MAX_PARAMETERS = 1_000_000          # weights + biases of the whole model
MAX_SAMPLES = 10_000                # rows of data.x, float
MAX_DATA_VALUES = 2_000_000         # numbers in data.x plus data.y

MAX_EXACT_NEURONS = 64              # per layer, exact arithmetic
MAX_EXACT_SAMPLES = 1_000           # rows of data.x, exact arithmetic
# Exact work, in multiplications of fractions (samples × weights), refused before it
# starts: a pass costs ~2-20 µs per multiplication as the fractions grow, so a whole
# batch of 1,000 samples through a 64-wide, 15-layer model would take half an hour.
MAX_EXACT_WORK = 250_000            # one recorded pass (Explore, trace, render)
MAX_EXACT_TRAIN_WORK = 1_000_000    # a whole training run: samples seen × weights
# Float training work, in multiply-adds (samples × weights), refused before it starts so
# that one run takes at most about 30 s of one core. Measured here (bench/models.mlp,
# CPU time of train(), OpenBLAS on one thread, on this 2-core server under load): in
# batches of 32 and more a sample × weight costs 0.12-0.2 ns (784-256-128-10 and
# 784-1024-10), so 2·10¹¹ is about 30 s at 0.15 ns. A smaller batch costs about as much
# as 32 samples (a matrix-vector product waits on memory: 3.2-3.4 ns a sample × weight
# at batch 1), and every layer costs ~9 µs a step whatever its size (2 to 32 layers
# of width 2: 49 to 289 µs a step), ~60,000 multiply-adds' time: both are charged.
# The former 5·10¹¹, counted as samples seen × weights, let a batch-1 run last hours.
MAX_FLOAT_TRAIN_WORK = 200_000_000_000
# trace --mode forward: one pass per weight, each through the batch (passes × samples ×
# weights multiply-adds), refused before it starts. Each pass is also ~10 numpy calls a
# layer (~5 µs each), so float's 10⁹ is a few seconds at its most passes (~30,000).
MAX_FORWARD_MODE_WORK = 1_000_000_000
MAX_EXACT_FORWARD_MODE_WORK = MAX_EXACT_TRAIN_WORK
# Explore's chart of how the two modes' costs grow (engine/mode_costs.py): the model made
# 2×, 4×, 8× wide, forward mode run on one sample per size up to this work (passes ×
# samples × weights; ~1 s here at 10⁸: moons 8× wide, 4,417 weights, is 2·10⁷); a size
# past it is left out of the chart, and said so.
MAX_MODE_CHART_WORK = 100_000_000
FLOAT_BATCH_FLOOR = 32               # a batch is charged as at least this many samples
FLOAT_LAYER_STEP_WORK = 60_000       # the fixed cost of one layer in one step

MAX_NAME_CHARS = 100                # model, feature and target names
MAX_DESCRIPTION_CHARS = 1_000
# Numbers as long as exact training may grow them (engine.numbers.MAX_EXACT_DIGITS), so
# every model the app makes can be exported and read back; past float64's range is refused.
MAX_NUMBER_DIGITS = MAX_EXACT_DIGITS  # numerator and denominator
MAX_NUMBER_CHARS = NUMBER_TEXT_CHARS  # a number written as a string, e.g. "-3000/11600000"
MAX_EXPONENT = NUMBER_EXPONENT      # "1e400" is fine, "1e999999999" would take forever to build


def check_exact_work(samples: int, weights: int, most: int, what: str) -> None:
    """Refuse exact work past ``most`` multiplications before doing any of it."""
    work = samples * max(weights, 1)
    if work > most:
        raise NotExactError(f"{what} in exact arithmetic: {samples:,} samples × {weights:,} weights is "
                            f"{work:,} multiplications of fractions, more than the limit of {most:,};"
                            " use float arithmetic or fewer samples")


def check_float_work(epochs: int, samples: int, batch_size: int, weights: int, layers: int) -> int:
    """Refuse a float training run past MAX_FLOAT_TRAIN_WORK before any step of it;
    returns its work (see the constants above for how it is counted)."""
    batch_size = min(batch_size, samples)
    full, rest = divmod(samples, batch_size)
    steps = full + (rest > 0)
    charged = full * max(batch_size, FLOAT_BATCH_FLOOR) + (max(rest, FLOAT_BATCH_FLOOR) if rest else 0)
    work = epochs * (charged * max(weights, 1) + steps * layers * FLOAT_LAYER_STEP_WORK)
    if work > MAX_FLOAT_TRAIN_WORK:
        small = (f"; a batch under {FLOAT_BATCH_FLOOR} samples costs as much as {FLOAT_BATCH_FLOOR}, so a larger"
                 " batch also helps") if batch_size < FLOAT_BATCH_FLOOR else ""
        raise ValueError(f"{epochs:,} epochs × {samples:,} samples × {weights:,} weights is more work than this "
                         f"server allows in one run: about {work:.2g} multiply-adds, counting each step's fixed "
                         f"cost, past the limit of {MAX_FLOAT_TRAIN_WORK:.0e} (about 30 s of one core); use "
                         f"fewer epochs, fewer samples or a smaller model{small}")
    return work


def check_exact_sizes(sizes, what: str = "this model") -> None:
    """Refuse exact arithmetic for layers wider than MAX_EXACT_NEURONS (before any casting)."""
    for k, size in enumerate(sizes, 1):
        if size > MAX_EXACT_NEURONS:
            raise NotExactError(f"{what} has {size:,} neurons in layer {k}; exact arithmetic allows at most"
                                f" {MAX_EXACT_NEURONS} per layer: use float arithmetic")


def neurons_limit(arithmetic: str) -> int:
    return MAX_EXACT_NEURONS if arithmetic == "exact" else MAX_NEURONS


def samples_limit(arithmetic: str) -> int:
    return MAX_EXACT_SAMPLES if arithmetic == "exact" else MAX_SAMPLES

# The Train page's film (engine/film.py): the weights of at most this many evenly spaced
# snapshots go to the browser, which animates them with no server round trip per frame.
# The whole payload (weights, losses, gradient norms and, for 2-D data, the points) is
# kept under FILM_MAX_BYTES: fewer frames for a big model, no film past 2 frames' worth.
# Each frame's train/test loss and gradient norms cost one full pass over the data: at
# most FILM_MAX_WORK multiply-adds (samples × weights × frames) for the whole film.
FILM_MAX_FRAMES = 240
FILM_MAX_BYTES = 2 * 1024 * 1024
FILM_MAX_WORK = 2_000_000_000
