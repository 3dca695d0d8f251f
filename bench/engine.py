"""Engine benchmarks: recorded passes and training steps against hand-written numpy
(and PyTorch when it is installed), and the exact-arithmetic trace."""
from __future__ import annotations

import numpy as np

from engine.record import record
from engine.train import train

from . import models, numpy_ref
from .timing import Row, at_most, compare, median_time

LR = 0.1


def _same(a, b, what: str) -> None:
    if not np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-10, atol=1e-13):
        raise AssertionError(f"the numpy baseline and the engine disagree on {what}")


def _check_graph(graph, losses, d1, grads) -> None:
    _same(graph.sample_losses, losses, "the losses")
    _same(graph.delta(1), d1, "δ1")
    for key, g in grads.items():
        _same(graph.weight_grads[key], g, key)


def record_article(quick: bool) -> Row:
    row = Row("record_article", "recorded forward + backward step, the article's model, 1 sample", "≤ 3×")
    model, data = models.article("float")
    x, y = data.sample(1, "float")
    w = model.weights()["W2"]
    losses, deltas, grads = numpy_ref.article_pass(w, x, y)
    _check_graph(record(model, x, y), losses, deltas[0], grads)
    row.median, row.baseline, row.ratio = compare(lambda: record(model, x, y),
                                                  lambda: numpy_ref.article_pass(w, x, y), 1 if quick else 15)
    row.verdict = at_most(row.ratio, 3)
    return row


def record_moons(quick: bool) -> Row:
    row = Row("record_mlp_small", "the same, MLP 2-8-8-1, batch 200", "≤ 1.3×")
    model, data = models.moons(8 if quick else 200)
    x, y = data.batch("float")
    p = model.weights()
    losses, d1, grads = numpy_ref.moons_grads(p, x, y, True)
    _check_graph(record(model, x, y), losses, d1, grads)
    row.median, row.baseline, row.ratio = compare(lambda: record(model, x, y),
                                                  lambda: numpy_ref.moons_grads(p, x, y, True), 1 if quick else 15)
    row.verdict = at_most(row.ratio, 1.3)
    return row


def record_mnist(quick: bool) -> Row:
    row = Row("record_mlp_large", "the same, MLP 784-256-128-10, batch 64", "≤ 1.15×")
    sizes, batch = ((16, 8, 4, 3), 4) if quick else ((784, 256, 128, 10), 64)
    model, data = models.mlp(sizes, batch)
    x, y = data.x, data.y
    p = model.weights()
    n_linear = len(sizes) - 1
    losses, deltas, grads = numpy_ref.relu_mlp_pass(p, x, y, n_linear)
    _check_graph(record(model, x, y), losses, deltas[-1], grads)
    row.median, row.baseline, row.ratio = compare(lambda: record(model, x, y),
                                                  lambda: numpy_ref.relu_mlp_pass(p, x, y, n_linear),
                                                  1 if quick else 21)
    row.verdict = at_most(row.ratio, 1.15)
    return row


def _train_pair(quick: bool):
    """(engine, numpy) callables running `steps` full-batch steps of 2-8-8-1, and `steps`."""
    model, data = models.moons(8 if quick else 200)
    x, y = data.batch("float")
    steps = 5 if quick else 100

    def ours():
        return train(model, data, lr=LR, epochs=steps, batch_size=len(x))

    def numpy_steps():
        return numpy_ref.moons_train(model.weights(), x, y, LR, steps)

    result, (p, losses) = ours(), numpy_steps()
    _same(result.history.losses(), losses, "the training losses")
    for key, w in result.model.weights().items():
        _same(w, p[key], f"the trained {key}")
    return ours, numpy_steps, steps, model, data


def train_step(quick: bool) -> Row:
    row = Row("train_step", "training step with no recording, 2-8-8-1, batch 200", "≤ 1.2×")
    ours, numpy_steps, steps, _, _ = _train_pair(quick)
    c, b, row.ratio = compare(ours, numpy_steps, 1 if quick else 21, number=1 if quick else 3)
    row.median, row.baseline = c / steps, b / steps
    row.verdict = at_most(row.ratio, 1.2)
    return row


def train_10k(quick: bool) -> Row:
    """A whole run, as `train` makes it (issue 14): 10,000 full-batch steps, with the
    history, the weight snapshots and the divergence checks, against the numpy loop."""
    row = Row("train_10k", "10,000-step run of 2-8-8-1, batch 200 (train(), history included)", "≤ 1.3×")
    model, data = models.moons(8 if quick else 200)
    x, y = data.batch("float")
    steps = 20 if quick else 10_000

    def ours():
        return train(model, data, lr=LR, epochs=steps, batch_size=len(x))

    def numpy_run():
        return numpy_ref.moons_train(model.weights(), x, y, LR, steps)

    result, (p, losses) = ours(), numpy_run()
    _same(result.history.losses(), losses, "the training losses of the 10,000-step run")
    for key, w in result.model.weights().items():
        _same(w, p[key], f"the trained {key}")
    row.median, row.baseline, row.ratio = compare(ours, numpy_run, 1 if quick else 5, number=1)
    row.verdict = at_most(row.ratio, 1.3)
    row.note = f"{steps:,} steps; per step {row.median / steps * 1e6:.1f} µs against numpy's {row.baseline / steps * 1e6:.1f} µs"
    return row


def train_vs_torch(quick: bool) -> Row:
    row = Row("train_torch", "training step, 2-8-8-1, batch 200", "≥ 3× faster than PyTorch")
    try:
        import torch
    except ImportError:
        row.verdict = "skipped"
        row.note = "PyTorch is not installed (pip install torch to compare)"
        return row
    ours, _, steps, model, data = _train_pair(quick)
    x_np, y_np = data.batch("float")
    x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)
    start = {k: torch.from_numpy(v.copy()) for k, v in model.weights().items()}

    def torch_steps():
        # The textbook PyTorch loop, float64 like the engine: autograd, then w -= lr·grad.
        p = {k: v.clone().requires_grad_(True) for k, v in start.items()}
        losses = []
        for _ in range(steps):
            h = torch.tanh(x @ p["W2"].T + p["b2"])
            h = torch.tanh(h @ p["W4"].T + p["b4"])
            q = torch.sigmoid(h @ p["W6"].T + p["b6"]).clamp(1e-12, 1 - 1e-12)
            loss = -(y * torch.log(q) + (1 - y) * torch.log1p(-q)).sum(dim=1).mean()
            loss.backward()
            losses.append(loss.item())
            with torch.no_grad():
                for v in p.values():
                    v -= LR * v.grad
                    v.grad = None
        return p, losses

    # One thread: this net is far too small for PyTorch's intra-op pool, which only
    # spins against the other processes of a loaded machine (measured: 40× slower).
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _vs_torch(row, ours, torch_steps, steps, quick, torch)
    finally:
        torch.set_num_threads(threads)


def _vs_torch(row, ours, torch_steps, steps, quick, torch):
    p, losses = torch_steps()
    result = ours()
    _same(result.history.losses(), losses, "the PyTorch training losses")
    c, b, ratio = compare(ours, torch_steps, 1 if quick else 15, number=1 if quick else 2)
    row.median, row.baseline, row.ratio = c / steps, b / steps, ratio
    row.verdict = "ok" if ratio <= 1 / 3 else "MISSED"
    row.note = f"PyTorch {torch.__version__}, float64, 1 thread, autograd + w -= lr·grad; ours is {1 / ratio:.1f}× faster"
    return row


def exact_trace(quick: bool) -> Row:
    row = Row("exact_trace", "exact-arithmetic trace of the article's model", "≤ 20 ms")
    model, data = models.article("exact")
    x, y = data.batch("exact")
    row.note = "record of all 3 samples in fractions"
    row.median = median_time(lambda: record(model, x, y), 1 if quick else 15)
    row.verdict = at_most(row.median, 0.020)
    return row


BENCHMARKS = [record_article, record_moons, record_mnist, train_step, train_10k, train_vs_torch, exact_trace]
