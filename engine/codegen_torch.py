"""The PyTorch variant of engine/codegen.py: the same model, data and step, the backward
pass by autograd, in float64. Where PyTorch's own conventions differ from the app's, the
script says so and follows the app: ReLU's derivative at 0 (``at_zero``), binary
cross-entropy's clip, and its fusion with a final sigmoid (docs/model-format.md)."""
from __future__ import annotations

from .codegen import fused, header, layer_summary, literal, penalty_lines, select
from .spec import Spec


def _tensor(a, grad: bool = False) -> str:
    tail = ", requires_grad=True" if grad else ""
    return f"torch.tensor({literal(a)}, dtype=torch.float64{tail})"


def _forward(layer, k: int) -> list[str]:
    o, i = f"o{k}", f"o{k - 1}"
    kind = layer.kind
    if kind == "input":
        return [f"{o} = {i}"]
    if kind == "linear":
        return [f"{o} = {i} @ W{k}.T" + (f" + b{k}" if "b" in layer.params else "")]
    if kind in ("relu", "leaky_relu"):
        # torch.where sends the gradient to the branch chosen, so the comparison sets
        # the derivative at exactly 0: >= gives 1 (the app's default), > gives the other branch's.
        rel = ">=" if layer.at_zero == 1 else ">"
        other = f"torch.zeros_like({i})" if kind == "relu" else f"{float(layer.slope)!r} * {i}"
        return [f"{o} = torch.where({i} {rel} 0, {i}, {other})  # derivative at 0: "
                f"{'1' if layer.at_zero == 1 else 'the other side'}, as the app's at_zero={layer.at_zero}"]
    if kind == "sigmoid":
        return [f"{o} = torch.sigmoid({i})"]
    if kind == "tanh":
        return [f"{o} = torch.tanh({i})"]
    if kind == "softplus":
        # not F.softplus: its threshold returns x past 20, whose gradient 1 is not σ(x)
        return [f"{o} = torch.logaddexp(torch.zeros_like({i}), {i})"]
    if kind == "softmax":
        return [f"{o} = torch.softmax({i}, dim=1)"]
    raise ValueError(f"cannot export layer {k}: the code export does not support {kind!r} layers")


def _loss(spec: Spec, K: int) -> list[str]:
    o, kind = f"o{K}", spec.model.loss.kind
    if kind == "half_squared_error":
        return [f"losses = (({o} - y) ** 2).sum(dim=1) / 2  # ½ Σ (x − y)²: summed over the outputs",
                "loss = losses.sum() / n", "target = loss"]
    if kind == "mse":
        return [f"losses = (({o} - y) ** 2).sum(dim=1) / m  # as nn.MSELoss()", "loss = losses.sum() / n",
                "target = loss"]
    if kind == "mae":
        return [f"losses = ({o} - y).abs().sum(dim=1) / m  # as nn.L1Loss(); its gradient at 0 is 0",
                "loss = losses.sum() / n", "target = loss"]
    if kind == "softmax_cross_entropy":
        return [f"losses = -(y * torch.log_softmax({o}, dim=1)).sum(dim=1)  # {o} are logits;"
                " the app's δ softmax − y needs y's rows to sum to 1",
                "loss = losses.sum() / n", "target = loss"]
    # binary cross-entropy: the app clips p to [1e-12, 1 - 1e-12] and still differentiates
    # (p − y)/(p(1 − p)) there; a straight-through clamp keeps that gradient (torch's clamp has 0)
    lines = [f"p = {o} + (torch.clamp({o}, 1e-12, 1 - 1e-12) - {o}).detach()",
             "losses = -(y * torch.log(p) + (1 - y) * torch.log1p(-p)).sum(dim=1) / m",
             "loss = losses.sum() / n"]
    if fused(spec):
        # after a sigmoid the app's δ at the sigmoid's input is (σ(z) − y)/(m·n), the exact
        # derivative (as BCEWithLogitsLoss): differentiate that, print the app's clipped loss
        lines.append(f"target = F.binary_cross_entropy_with_logits(o{K - 1}, y)")
    else:
        lines.append("target = loss")
    return lines


def torch_script(spec: Spec, sample="all") -> str:
    arithmetic = spec.arithmetic
    spec, x, y = select(spec, sample)
    layers = spec.model.layers
    out = header(spec, arithmetic, "PyTorch", len(x), layer_summary(spec))
    out += ["import torch", "import torch.nn.functional as F", "",
            f"x = {_tensor(x)}", f"y = {_tensor(y)}"]
    names = []
    for k, layer in enumerate(layers, 1):
        for name, p in layer.params.items():
            out.append(f"{name}{k} = {_tensor(p, grad=True)}  # layer {k}, {layer.describe()}")
            names.append(f"{name}{k}")
    K = len(layers)
    out += ["", "# forward pass", "o0 = x"]
    for k, layer in enumerate(layers, 1):
        out += _forward(layer, k)
    out += ["", f"# loss ({spec.model.loss.kind}): the batch loss is the mean of the samples' losses",
            f"n, m = o{K}.shape"]
    out += _loss(spec, K)
    if spec.model.penalty.active:  # autograd differentiates P too: |w|' at 0 is 0, as the app's sign(0)
        out += penalty_lines(spec, "pytorch") + ["target = target + P"]
    out += ["", "# backward pass by autograd: .grad holds each gradient summed over the batch", "target.backward()",
            "", 'print("loss", repr(float(loss)))']
    out += [f'print("d{name}", repr({name}.grad.tolist()))' for name in names]
    return "\n".join(out) + "\n"
