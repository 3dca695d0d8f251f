"""The same maths written by hand in numpy: the baselines of the engine benchmarks.

Each function computes what ``record`` computes (every output, the per-sample losses,
every δ down to δ^1, every δw) or what one training step computes, with the same
numerically safe formulas the engine uses (the stable sigmoid, the clipped
cross-entropy, the shifted log-softmax), so a ratio measures the engine's overhead
and not a choice of formula. ``bench.engine`` checks once that the results agree.
"""
from __future__ import annotations

import numpy as np

EPS = 1e-12


def article_pass(w, x, y):
    """Identity, w·X (no bias), ReLU, ½(x − y)²."""
    o1 = x  # the identity
    o2 = o1 @ w.T
    o3 = np.where(o2 >= 0, o2, 0.0)
    d = o3 - y
    losses = (d * d).sum(axis=1) / 2
    d4 = d / len(x)
    d3 = d4 * (o2 >= 0)
    gw = d3.T @ o1
    d2 = d3 @ w
    d1 = d2
    return losses, [d1, d2, d3, d4], {"W2": gw}


def _sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def moons_grads(p, x, y, down_to_input: bool):
    """2-8-8-1: Linear, tanh, Linear, tanh, Linear, sigmoid, binary cross-entropy.
    ``p`` holds W2 b2 W4 b4 W6 b6; returns (losses, δ^1 or None, grads). δ at the
    sigmoid's input is (o − y)/n, as the engine fuses binary cross-entropy with it."""
    n = len(x)
    z2 = x @ p["W2"].T + p["b2"]
    h3 = np.tanh(z2)
    z4 = h3 @ p["W4"].T + p["b4"]
    h5 = np.tanh(z4)
    z6 = h5 @ p["W6"].T + p["b6"]
    o7 = _sigmoid(z6)
    q = np.clip(o7, EPS, 1 - EPS)
    losses = -(y * np.log(q) + (1 - y) * np.log1p(-q)).sum(axis=1)
    if down_to_input:  # a record shows the loss's own (clipped) δ too; training skips it
        d8 = (q - y) / (q * (1 - q)) / n  # noqa: F841
    d7 = (o7 - y) / n  # the sigmoid and the loss fused: the exact δ at z6
    g = {"W6": d7.T @ h5, "b6": d7.sum(axis=0)}
    d6 = d7 @ p["W6"]
    d5 = d6 * (1 - h5 * h5)
    g["W4"], g["b4"] = d5.T @ h3, d5.sum(axis=0)
    d4 = d5 @ p["W4"]
    d3 = d4 * (1 - h3 * h3)
    g["W2"], g["b2"] = d3.T @ x, d3.sum(axis=0)
    d1 = d3 @ p["W2"] if down_to_input else None
    return losses, d1, g


def moons_train(p, x, y, lr, steps):
    """``steps`` full-batch gradient-descent steps in place; returns the losses."""
    p = {k: v.copy() for k, v in p.items()}
    losses = []
    for _ in range(steps):
        sample_losses, _, g = moons_grads(p, x, y, False)
        losses.append(float(sample_losses.sum() / len(sample_losses)))
        for k, v in g.items():
            p[k] -= lr * v
    return p, losses


def relu_mlp_pass(p, x, y, n_linear: int):
    """Linear+ReLU pairs then a Linear and softmax cross-entropy; p holds W{k}, b{k}
    by the engine's layer numbers (2, 4, 6, …)."""
    n = len(x)
    outs = [x]  # o1: the identity
    o = outs[0]
    keys = [2 * i + 2 for i in range(n_linear)]
    for i, k in enumerate(keys):
        o = o @ p[f"W{k}"].T + p[f"b{k}"]
        outs.append(o)
        if i < n_linear - 1:
            o = np.where(o >= 0, o, 0.0)
            outs.append(o)
    z = o - o.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    losses = -(y * logp).sum(axis=1)
    d = (np.exp(logp) - y) / n
    grads = {}
    deltas = [d]
    for i in range(n_linear - 1, -1, -1):
        k = keys[i]
        x_in = outs[k - 2]  # the input of layer k is o^{k-1}
        grads[f"W{k}"] = d.T @ x_in
        grads[f"b{k}"] = d.sum(axis=0)
        d = d @ p[f"W{k}"]
        deltas.append(d)
        if i > 0:
            d = d * (outs[k - 2 - 1] >= 0)  # the ReLU below: its input o^{k-2}
            deltas.append(d)
    deltas.append(d)  # δ^1 through the identity
    return losses, deltas, grads
