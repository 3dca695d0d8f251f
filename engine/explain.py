"""What happens at one step of the timeline, in words and in the article's formulas."""
from __future__ import annotations

from dataclasses import dataclass

from . import latex as tex
from . import penalty as penalties
from .layers import Elementwise
from .graph import Graph


@dataclass(frozen=True)
class Explanation:
    title: str  # "Step 6 of 9 · learning flow · δ3 through L3 (relu)"
    general: str  # LaTeX: the boxed general formula
    substituted: str  # LaTeX: the same with this sample's numbers
    impacts: str = ""  # LaTeX: δ^k_1 as the sum of its impacts, when L^k has a fan-out


def step_title(graph: Graph, step: int) -> str:
    """The title of timeline step ``step`` (0 is the start), the same for every sample row:
    "Step 6 of 9 · learning flow · δ3 through L3 (relu)". Explore, the GIF and the HTML
    player all caption their frames with it."""
    total = len(graph.timeline)
    if step <= 0:
        return f"Step 0 of {total} · the data x enters L1"
    event = graph.timeline[step - 1]
    k, model = event.k, graph.model
    head = f"Step {step} of {total} · "
    if event.phase == "forward":
        return head + f"information flow · {event.name} = L{k}({tex_name(k - 1)}), {model.layer(k).kind}"
    if event.phase == "penalty":
        return head + f"the penalty on the weights, {model.penalty.describe()}"
    if event.phase == "loss":
        return head + f"the loss, {model.loss.title}" + (" + the penalty P" if model.penalty.active else "")
    if event.phase == "backward" and k == model.K + 1:
        return head + f"learning flow starts at the loss · δ{k}"
    part = "bias" if event.name.startswith("δb") else "weights"  # δw2: W2, δb2: b2
    what = f"δ{k} through L{k}" if event.phase == "backward" else f"{event.name}, the gradient of L{k}'s {part}"
    return head + f"learning flow · {what} ({model.layer(k).kind})"


def explain(graph: Graph, step: int, sample: int = 0) -> Explanation:
    """Explain timeline step ``step`` (1-based; 0 is the start) for one sample row."""
    title = step_title(graph, step)
    if step <= 0:
        return Explanation(title, "X^{1} = x", f"x = {tex.vector(graph.x[sample])}")
    event = graph.timeline[step - 1]
    k, model, n = event.k, graph.model, graph.batch_size
    if event.phase == "forward":
        layer = model.layer(k)
        return Explanation(title,
                           tex.boxed(layer.forward_formula(k)),
                           f"{tex.output(k)} = {tex.vector(graph.o(k)[sample])}")
    if event.phase == "penalty":
        return Explanation(title, tex.boxed(penalties.formula(model.penalty, penalties.weight_keys(model.layers))),
                           f"P = {tex.number(graph.penalty)}")
    if event.phase == "loss":
        loss = model.loss
        if model.penalty.active:  # the objective: the batch mean plus the penalty
            return Explanation(title,
                               tex.boxed(loss.forward_formula(k)) + " \\quad "
                               + tex.boxed("\\text{objective} = \\text{batch mean of the loss} + P"),
                               f"loss = {tex.number(graph.sample_losses[sample])}, \\quad "
                               f"\\text{{batch mean}} + P = {tex.number(graph.data_loss)} + {tex.number(graph.penalty)}"
                               f" = {tex.number(graph.loss)}")
        return Explanation(title,
                           tex.boxed(loss.forward_formula(k)),
                           f"loss = {tex.number(graph.sample_losses[sample])}"
                           + ("" if n == 1 else f", \\quad \\text{{batch mean}} = {tex.number(graph.loss)}"))
    if event.phase == "backward" and k == model.K + 1:
        loss = model.loss
        return Explanation(title,
                           loss.formula(k),
                           loss.substituted(k, graph.o(k - 1)[sample], graph.y[sample],
                                            graph.delta(k)[sample], n))
    layer = model.layer(k)
    if event.phase == "weight_grad":  # "W2" -> "W": the gradient of one parameter, nothing else
        name = event.edge[:-len(str(k))]
        general = layer.param_formula(k, name)
        substituted = layer.param_substituted(k, name, graph.o(k - 1)[sample], graph.delta(k + 1)[sample])
        if event.edge in (graph.penalty_grads or {}):
            return _penalised(graph, k, event.edge, title, general, substituted)
        return Explanation(title, general, substituted)
    if k == model.K and model.loss.fuses_with == layer.kind:
        return _fused(graph, k, sample, title)
    impacts = sum_of_impacts(graph, k, sample)
    return Explanation(title,
                       layer.formula(k),
                       layer.substituted(k, graph.o(k - 1)[sample], graph.o(k)[sample],
                                         graph.delta(k + 1)[sample], graph.delta(k)[sample]),
                       impacts)


def _penalised(graph: Graph, k: int, key: str, title: str, general: str, substituted: str) -> Explanation:
    """δw of a penalised weight matrix: the data's term (the samples' δw summed) plus the
    penalty's own term, λ₂·W + λ₁·sign(W); the update uses the total."""
    term = graph.penalty_grads[key]
    total = graph.weight_grads[key]
    data = total - term
    # δw^k is the gradient descended, as every view and the trace write it: the layer's own
    # formula gives its data term, named so
    named = f"\\delta w^{{{k}}}_{{\\text{{data}}}}"
    general, substituted = (t.replace(f"\\delta w^{{{k}}}", named) for t in (general, substituted))
    what = "\\sum_{\\text{batch}} " + named if graph.batch_size > 1 else named
    general += (" \\quad " + tex.boxed(f"\\delta w^{{{k}}} = {what}"
                                        f" + \\underbrace{{{penalties.gradient_formula(graph.model.penalty, k)}}}"
                                        "_{\\text{penalty term}}"))
    substituted += (f", \\quad \\delta w^{{{k}}} = {tex.matrix(data)} + {tex.matrix(term)}"
                    f"_{{\\text{{penalty}}}} = {tex.matrix(total)}")
    return Explanation(title, general, substituted)


def _fused(graph: Graph, k: int, sample: int, title: str) -> Explanation:
    """δ at the last layer when the loss does that layer's backward too (a Sigmoid before
    binary cross-entropy): (o − y) over the outputs and the batch, what the passes use."""
    o, y = graph.o(k)[sample], graph.y[sample]
    scale = o.shape[-1] * graph.batch_size
    over = "" if scale == 1 else f" \\cdot \\frac{{1}}{{{scale}}}"
    general = tex.boxed(f"{tex.delta(k)} = ({tex.output(k)} - y^{{truth}}){over}")
    return Explanation(title, general,
                       f"{tex.delta(k)} = ({tex.vector(o)} - {tex.vector(y)}){over} = {tex.vector(graph.delta(k)[sample])}")


def step_texts(graph: Graph, sample: int = 0) -> list[dict]:
    """Every step's explanation as JSON-ready text, for a player that shows each step's
    formulas in the browser with no server round trip: title, general formula,
    substituted lines (δ^k and the like one per line), the fan-out sum, and notes in words."""
    out = []
    for step in range(len(graph.timeline) + 1):
        ex = explain(graph, step, sample)
        notes = []
        if ex.impacts:
            notes.append("A fan-out: the first input component could impact every output of the layer (the "
                         "article's way to see it), so its learning flow is the sum of those impacts; an output "
                         "it does not reach adds 0.")
        if step and graph.timeline[step - 1].phase == "backward" and graph.timeline[step - 1].k == graph.model.K \
                and graph.model.loss.fuses_with == graph.model.layer(graph.model.K).kind:
            notes.append(f"{graph.model.layer(graph.model.K).kind} and {graph.model.loss.title} together: δ is o − y "
                         "(as PyTorch's BCEWithLogitsLoss): no clip and no division by the sigmoid's slope o(1 − o), "
                         "which nears 0 where the sigmoid saturates, so it stays accurate there.")
        if step and graph.model.penalty.active and graph.timeline[step - 1].phase in ("penalty", "weight_grad") \
                and (graph.timeline[step - 1].phase == "penalty" or graph.timeline[step - 1].edge in graph.penalty_grads):
            notes.append(f"The penalty ({graph.model.penalty.describe()}) adds its own term to the gradient of each "
                         "weight matrix, λ₂·W + λ₁·sign(W) (sign(0) = 0), not to the biases.")
        if graph.batch_size > 1:
            notes.append(f"Batch of {graph.batch_size}: the loss is the mean, so every δ carries the factor "
                         f"1/{graph.batch_size}, and δw is the sum of the samples' δw.")
        out.append({"title": ex.title, "general": ex.general,
                    "lines": ex.substituted.split(r", \quad "),  # a batch's loss and its mean: two lines
                    "impacts": ex.impacts, "notes": notes})
    return out


def sum_of_impacts(graph: Graph, k: int, sample: int, i: int = 0, shown: int = 4) -> str:
    """δ^k_i = Σ_j δ^{k+1}_j · ∂L^k_j/∂X^k_i: X^k_i impacts every output of L^k, and the
    learning flow adds those impacts (the article's fan-out). Empty when L^k has no fan-out."""
    layer = graph.model.layer(k)
    if layer.size_out < 2 or isinstance(layer, Elementwise):  # a diagonal Jacobian: no fan-out
        return ""
    jac = layer.jacobian(graph.o(k - 1)[sample], graph.o(k)[sample])  # (out, in)
    d_out = graph.delta(k + 1)[sample]
    terms = [f"{tex.wrapped(d_out[j])} \\cdot {tex.wrapped(jac[j, i])}"
             for j in range(min(shown, layer.size_out))]
    if layer.size_out > shown:
        terms.append(f"\\dots_{{({layer.size_out} \\text{{ impacts}})}}")
    general = " + ".join(
        f"\\delta^{{{k + 1}}}_{{{j + 1}}} \\frac{{\\partial L^{{{k}}}_{{{j + 1}}}}}{{\\partial X^{{{k}}}_{{{i + 1}}}}}"
        for j in range(min(2, layer.size_out)))
    dots = " + \\dots" if layer.size_out > 2 else ""
    return (f"\\delta^{{{k}}}_{{{i + 1}}} = {general}{dots} = " + " + ".join(terms)
            + f" = {tex.number(graph.delta(k)[sample][i])}")


def tex_name(k: int) -> str:
    return "x" if k == 0 else f"o{k}"
