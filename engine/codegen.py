"""Export a model, its data and one training step (forward, loss, backward) as a short,
self-contained Python script: numpy with a hand-written backward pass per layer type, or
PyTorch with autograd (engine/codegen_torch.py). Both print the batch loss and every
weight gradient in the same parseable format, one per line:

    loss 0.123
    dW2 [[0.1, -0.2]]
    db2 [0.3]

each value the ``repr`` of floats (nested lists), so that the numbers match the app's float
arithmetic to the last digit where the same operations run (tests/test_codegen.py runs them).
Weights and data are inlined as literals; an exact model is written with the floats of its
values (its own numbers are rational, so the app's exact result may differ).
"""
from __future__ import annotations

import numpy as np

from .penalty import weight_keys
from .spec import Spec

FRAMEWORKS = ("numpy", "pytorch")
LAYER_KINDS = ("input", "linear", "relu", "leaky_relu", "sigmoid", "tanh", "softplus", "softmax")
LOSS_KINDS = ("half_squared_error", "mse", "mae", "binary_cross_entropy", "softmax_cross_entropy")


def select(spec: Spec, sample) -> tuple[Spec, np.ndarray, np.ndarray]:
    """The spec in float arithmetic and its batch: sample ``sample`` (from 1) or "all"."""
    unsupported(spec)
    spec = spec.cast("float")
    if sample == "all":
        x, y = spec.data.batch("float")
    else:
        x, y = spec.data.sample(sample, "float")
    for name, a in (("data", x), ("data", y), *spec.model.weights().items()):
        if not np.all(np.isfinite(np.asarray(a, dtype=float))):
            raise ValueError(f"cannot export: {name} holds inf or nan, which a script literal cannot hold")
    return spec, np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def unsupported(spec: Spec) -> None:
    """Refuse, in one line, a layer or loss the exporter has no code for."""
    for k, layer in enumerate(spec.model.layers, 1):
        if layer.kind not in LAYER_KINDS:
            raise ValueError(f"cannot export layer {k}: the code export does not support {layer.kind!r} layers")
    if spec.model.loss.kind not in LOSS_KINDS:
        raise ValueError(f"cannot export: the code export does not support the loss {spec.model.loss.kind!r}")


def penalty_lines(spec: Spec, framework: str) -> list[str]:
    """The L2/L1 penalty added to the loss, as engine/penalty.py computes it (the same
    operations in the same order: the numpy script's numbers are the app's to the bit):
    P = λ₂·½Σw² + λ₁·Σ|w| over the weight matrices, not the biases. Nothing without one."""
    penalty = spec.model.penalty
    if not penalty.active:
        return []
    l2, l1 = float(penalty.l2), float(penalty.l1)
    absolute = "np.abs({w})" if framework == "numpy" else "{w}.abs()"
    out = ["", "# the L2/L1 penalty P = λ₂·½Σw² + λ₁·Σ|w| over the weight matrices (biases are not",
           "# penalised): the objective is the batch loss + P", f"l2, l1 = {l2!r}, {l1!r}", "P = 0"]
    for w in weight_keys(spec.model.layers):
        if l2:
            out.append(f"P = P + l2 * ({w} * {w}).sum() / 2")
        if l1:
            out.append(f"P = P + l1 * {absolute.format(w=w)}.sum()")
    return out + ["loss = loss + P"]


def literal(a) -> str:
    """A float array as a Python literal, one row per line; repr keeps every bit."""
    a = np.asarray(a, dtype=float)
    if a.ndim == 1:
        return "[" + ", ".join(repr(float(v)) for v in a) + "]"
    return "[" + ",\n    ".join(literal(r) for r in a) + "]"


def header(spec: Spec, original_arithmetic: str, framework: str, n: int, what: str) -> list[str]:
    lines = [f"# {_comment(spec.name)}: one training step of Backprop Explorer's model, in {framework}.",
             f"# Exported by `python -m engine code`: {what}, {n} sample(s); float64 arithmetic.",
             "# Prints the batch loss (the mean over the samples) and each weight gradient (summed",
             "# over the batch), one per line: `loss <float>` then `dW2 <nested list>`, `db2 ...`."]
    if original_arithmetic == "exact":
        lines += ["# The app's model is exact: its numbers are rational. This script uses the nearest",
                  "# floats, and gives the app's *float* arithmetic, which may differ from the exact result."]
    return lines


def _comment(text: str) -> str:
    # A name is one line of the user's text: keep it printable and on the comment's line.
    return "".join(c if c.isprintable() else " " for c in text)[:80]


def layer_summary(spec: Spec) -> str:
    return ", ".join(layer.describe() for layer in spec.model.layers) + f"; loss {spec.model.loss.kind}"


def fused(spec: Spec) -> bool:
    """Binary cross-entropy after a sigmoid: the loss does the sigmoid's backward (see losses.py)."""
    loss, layers = spec.model.loss, spec.model.layers
    return loss.fuses_with is not None and bool(layers) and layers[-1].kind == loss.fuses_with


def script(spec: Spec, framework: str = "numpy", sample="all") -> str:
    """The script's text for ``spec`` on sample ``sample`` (from 1) or the whole batch."""
    if framework not in FRAMEWORKS:
        raise ValueError(f"unknown framework {framework!r}; choose one of: {', '.join(FRAMEWORKS)}")
    if framework == "pytorch":
        from .codegen_torch import torch_script
        return torch_script(spec, sample)
    return numpy_script(spec, sample)


# numpy -----------------------------------------------------------------

_NP_FORWARD = {
    "input": "{o} = {i}.copy()",
    "linear": "{o} = {i} @ W{k}.T",
    "relu": "{o} = np.where({i} >= 0, {i}, 0.0)",
    "leaky_relu": "{o} = np.where({i} >= 0, {i}, {slope} * {i})",
    "sigmoid": "{o} = sigmoid({i})",
    "tanh": "{o} = np.tanh({i})",
    "softplus": "{o} = np.logaddexp(0.0, {i})  # ln(1 + e^x) without overflow",
    "softmax": "{o} = np.exp({i} - {i}.max(axis=1, keepdims=True))\n{o} = {o} / {o}.sum(axis=1, keepdims=True)",
}

# δ at the layer's input from δ at its output (``delta``); {i} its input, {o} its output.
_NP_BACKWARD = {
    "input": None,
    "linear": "delta = delta @ W{k}",
    "relu": "delta = delta * np.where({i} {rel} 0, 1.0, 0.0)",
    "leaky_relu": "delta = delta * np.where({i} {rel} 0, 1.0, {slope})",
    "sigmoid": "delta = delta * ({o} * (1 - {o}))",
    "tanh": "delta = delta * (1 - {o} * {o})",
    "softplus": "delta = delta * sigmoid({i})  # softplus' = σ",
    "softmax": "delta = {o} * (delta - (delta * {o}).sum(axis=1, keepdims=True))  # Jᵀδ, J = diag(o) − o oᵀ",
}

_NP_LOSS = {
    "half_squared_error": ["d = {o} - y", "losses = (d * d).sum(axis=1) / 2  # ½ Σ (x − y)²: summed over outputs",
                           "delta = d / n"],
    "mse": ["d = {o} - y", "losses = (d * d).sum(axis=1) / m  # averaged over the outputs",
            "delta = 2 * d / (m * n)"],
    "mae": ["d = {o} - y", "losses = np.abs(d).sum(axis=1) / m",
            "delta = np.sign(d) / (m * n)  # 0 where x = y, as the app and PyTorch"],
    "binary_cross_entropy": [
        "p = np.minimum(np.maximum({o}, 1e-12), 1 - 1e-12)  # the app clips before log",
        "losses = -(y * np.log(p) + (1 - y) * np.log1p(-p)).sum(axis=1) / m",
        "delta = (p - y) / (p * (1 - p)) / (m * n)"],
    "softmax_cross_entropy": [
        "z = {o} - {o}.max(axis=1, keepdims=True)",
        "log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))",
        "losses = -(y * log_p).sum(axis=1)  # summed over the outputs; {o} are logits",
        "delta = (np.exp(log_p) - y) / n  # softmax − y: y's rows sum to 1"],
}

_SIGMOID = ["def sigmoid(z):",
            "    e = np.exp(-np.abs(z))  # exp of a negative number only: never overflows",
            "    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))", ""]


def _fields(layer, k: int) -> dict:
    f = {"o": f"o{k}", "i": f"o{k - 1}", "k": k}
    if layer.kind in ("relu", "leaky_relu"):
        f["rel"] = ">=" if layer.at_zero == 1 else ">"  # at_zero: the derivative at exactly 0
    if layer.kind == "leaky_relu":
        f["slope"] = repr(float(layer.slope))
    return f


def numpy_script(spec: Spec, sample="all") -> str:
    arithmetic = spec.arithmetic
    spec, x, y = select(spec, sample)
    layers, loss = spec.model.layers, spec.model.loss
    out = header(spec, arithmetic, "numpy", len(x), layer_summary(spec))
    out += ["import numpy as np", "", f"x = np.array({literal(x)})", f"y = np.array({literal(y)})"]
    for k, layer in enumerate(layers, 1):
        for name, p in layer.params.items():
            out.append(f"{name}{k} = np.array({literal(p)})  # layer {k}, {layer.describe()}")
    out.append("")
    if any(layer.kind in ("sigmoid", "softplus") for layer in layers):
        out += _SIGMOID
    out += ["# forward pass", "o0 = x"]
    for k, layer in enumerate(layers, 1):
        out += _NP_FORWARD[layer.kind].format(**_fields(layer, k)).split("\n")
        if "b" in layer.params:
            out.append(f"o{k} = o{k} + b{k}")
    K = len(layers)
    out += ["", f"# loss ({loss.kind}): the batch loss is the mean of the samples' losses",
            f"n, m = o{K}.shape"]
    out += [line.format(o=f"o{K}") for line in _NP_LOSS[loss.kind]]
    out += ["loss = losses.sum() / n"] + penalty_lines(spec, "numpy")
    out += ["", "# backward pass: delta is δ at each layer's output, then its input"]
    grads = []
    for k in range(K, 0, -1):
        layer = layers[k - 1]
        if k == K and fused(spec):
            out.append(f"delta = (o{K} - y) / (m * n)  # BCE after a sigmoid: the loss does the sigmoid's"
                       " backward, exact where the clipped δ·σ' is not")
            continue
        if "W" in layer.params:
            out.append(f"dW{k} = delta.T @ o{k - 1}  # Σ over the batch of δ ⊗ input")
            grads.append(f"dW{k}")
        if "b" in layer.params:
            out.append(f"db{k} = delta.sum(axis=0)")
            grads.append(f"db{k}")
        code = _NP_BACKWARD[layer.kind]
        if code is not None and k > 1:
            out.append(code.format(**_fields(layer, k)))
    if spec.model.penalty.active:  # ∂P/∂W = λ₂·W + λ₁·sign(W), sign(0) = 0, added to the data's term
        out.append("")
        for w in weight_keys(layers):
            out.append(f"term = {'l2 * ' + w if spec.model.penalty.l2 else w + ' * 0'}")
            if spec.model.penalty.l1:
                out.append(f"term = term + l1 * np.sign({w})")
            out.append(f"d{w} = d{w} + term")
    out += ["", 'print("loss", repr(float(loss)))']
    out += [f'print("{g}", repr({g}.tolist()))' for g in sorted(grads, key=_order)]
    return "\n".join(out) + "\n"


def _order(name: str):
    """dW2, db2, dW4, db4: forward order, the weights before the bias."""
    return int(name[2:]), name[1] != "W"

