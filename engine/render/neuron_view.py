"""The neuron view: every component X^k_i is a node; an edge joins X^k_i to
X^{k+1}_j wherever the local Jacobian ∂L^k_j/∂X^k_i is not zero.

Forward, an edge carries its contribution (w_ji·o_i for a linear layer, the local
derivative ∂L_j/∂X_i for the others); backward, its impact δ^{k+1}_j · ∂L^k_j/∂X^k_i.
A node shows o and δ, and δ^k_i is the sum of the impacts leaving it: the
article's "sum over the fan-out" is there to check by eye.

Legibility rule, so a big network never becomes a hairball: a column with more than
``max_neurons`` components shows the ``max_neurons`` carrying the largest |δ|
(ties: largest |o|) and one "+ N more neurons" box; a layer keeps its
``max_edges`` strongest edges (by |impact|, then |contribution|) and says how many
weaker ones it hides; past ``LABELLED_EDGES`` edges a layer's numbers move into
the edges' tooltips. The choice uses the final values, never the step, so every
frame of an animation draws the same nodes and edges in the same places.
"""
from __future__ import annotations

import numpy as np

from ..layers import Elementwise
from ..graph import Graph
from ..layers import Linear
from ..numbers import format_number
from . import style
from .picture import HIDDEN, Label, Line, Markup, Picture, bold, escaped, stacked, sub, sup, table, text
from .progress import Progress, check_sample, progress

DEFAULT_MAX_NEURONS = 12
DEFAULT_MAX_EDGES = 40
LABELLED_EDGES = 12


def _mags(a) -> np.ndarray:
    a = np.asarray(a)
    if a.dtype == object:
        return np.vectorize(style.magnitude, otypes=[float])(a) if a.size else np.zeros(a.shape)
    return np.abs(a.astype(float))


def _pick(size: int, delta_row, o_row, max_neurons: int) -> np.ndarray:
    """Indices (0-based, ascending) of the components a column shows."""
    if size <= max_neurons:
        return np.arange(size)
    order = np.lexsort((np.arange(size), -_mags(o_row), -_mags(delta_row)))
    return np.sort(order[:max_neurons])


def _num(v) -> str:
    return format_number(v, 4)


class _View:
    """Builds the Picture; one instance per call, nothing kept afterwards."""

    def __init__(self, graph: Graph, p: Progress, sample: int, t: style.Theme,
                 max_neurons: int, max_edges: int, feature_names):
        self.g, self.p, self.s, self.t = graph, p, sample, t
        self.max_neurons, self.max_edges = max_neurons, max_edges
        self.features = tuple(feature_names or ())
        K = graph.K
        # column c (1 … K+1) holds X^c = o^{c-1}, the input of layer c (or of the loss)
        self.o = {c: graph.o(c - 1)[sample] for c in range(1, K + 2)}
        self.d = {c: graph.delta(c)[sample] for c in range(1, K + 2)}
        self.cols = {c: _pick(len(self.o[c]), self.d[c], self.o[c], max_neurons) for c in self.o}
        # the one δw per weight every view shows (the layer view's): with a penalty, its term too
        self.grads = graph.shown_weight_grads(sample)
        self.terms = graph.penalty_grads if graph.batch_size == 1 and graph.penalty_grads else {}
        self.cur = p.current

    # what the current event lights up -------------------------------------
    def _hot_column(self, c: int) -> bool:
        e = self.cur
        if e is None:
            return False
        K = self.g.K
        return ((e.phase == "forward" and c == e.k + 1)
                or (e.phase == "backward" and c == e.k)
                or (e.phase == "weight_grad" and e.name.startswith("δb") and c == e.k + 1)
                or (e.phase == "backward" and e.k == K + 1 and c == K + 1))

    def _hot_layer(self, k: int) -> bool:
        e = self.cur
        if e is None:
            return False
        if k == self.g.K + 1:
            return e.phase == "backward" and e.k == k
        return (e.phase in ("forward", "backward") and e.k == k) or \
               (e.phase == "weight_grad" and e.name.startswith("δw") and e.k == k)

    def _shown(self, name: str, color: str) -> str:
        return color if self.p.has(name) else HIDDEN

    # nodes ---------------------------------------------------------------
    def _name(self, c: int, i: int) -> Markup:
        if c == 1:
            if i < len(self.features):
                return bold(self.features[i])
            return bold("x" + sub(i + 1))
        return bold("o" + sup(c - 1) + sub(i + 1))

    def column(self, pic: Picture, c: int) -> None:
        t, idx = self.t, self.cols[c]
        hot = self._hot_column(c)
        o_color = t.forward if c == 1 else self._shown(f"o{c - 1}", t.forward)
        d_color = self._shown(f"δ{c}", t.backward)
        with pic.subgraph(f"cluster_X{c}") as cluster:
            cluster.attr(self._column_title(c), id=f"cluster_X{c}", labeljust="c", style="rounded,dashed",
                         color=t.border, fontcolor=t.fg, margin="10")
            cluster.attr(rank="same")
            for i in idx:
                label = table([Line(self._name(c, i), t.fg),
                               Line(text(f"o = {_num(self.o[c][i])}"), o_color),
                               Line(text(f"δ = {_num(self.d[c][i])}"), d_color)])
                attrs = {"margin": "0.08,0.04"}
                if hot:  # colours only: a thicker outline grows the node and moves the layout
                    attrs.update(color=t.current, fillcolor=t.current_bg)
                cluster.node(f"X{c}_{i + 1}", label, **attrs)
            hidden = len(self.o[c]) - len(idx)
            names = [f"X{c}_{i + 1}" for i in idx]
            if hidden:
                cluster.node(f"X{c}_more", f"+ {hidden:,} more neurons", style="rounded,dashed",
                             fontcolor=t.muted, color=t.muted, fillcolor=t.bg)
                names.append(f"X{c}_more")
            # Graphviz orders a rank to shorten edges, which shuffled the neurons (o₃ above
            # o₁). An edge inside a rank puts its tail first: left of its head top to
            # bottom, *below* it left to right (the layout is turned), so the invisible
            # edges between neighbours point down the index there, up it in TB.
            for a, b in zip(names, names[1:]):
                tail, head = (b, a) if self.rankdir == "LR" else (a, b)
                cluster.edge(tail, head, id=f"order_{a}", style="invis")

    def _column_title(self, c: int) -> Label:
        t = self.t
        if c == 1:
            return stacked([Line(bold("x") + "  input")])
        layer = self.g.model.layer(c - 1)
        name = getattr(layer, "name", None)
        lines = [Line(bold("o" + sup(c - 1)) + " = L" + sup(c - 1) + "(o" + sup(c - 2) + ")"),
                 Line(text(layer.describe() + (f" · {name}" if name else "")), t.muted, "10")]
        hidden = self.hidden_edges.get(c - 1, 0)
        if hidden:
            lines.append(Line(text(f"{hidden:,} weaker edges hidden"), t.muted, "10"))
        return stacked(lines)

    def loss(self, pic: Picture) -> None:
        t, g = self.t, self.g
        color = self._shown("loss", t.fg)
        y = ", ".join(format_number(v, 4) for v in g.y[self.s][:4]) + (", …" if g.y.shape[1] > 4 else "")
        lines = [Line(bold("Loss"), t.fg),
                 Line(text(g.model.loss.title), t.muted, "10"),
                 Line(text(f"y = ({y})"), t.muted),
                 Line(text(f"loss = {_num(g.sample_losses[self.s])}"), color)]
        if g.model.penalty.active:  # the objective, as the layer view's Loss node writes it
            lines.append(Line(text(f"mean loss + P = {_num(g.loss)}"), color))
        label = table(lines)
        attrs = {"shape": "box", "style": "rounded,filled"}
        if self.cur is not None and self.cur.phase == "loss":
            attrs.update(color=t.current, fillcolor=t.current_bg)
        pic.node("Loss", label, **attrs)
        if g.model.penalty.active:
            self.penalty(pic)

    def penalty(self, pic: Picture) -> None:
        """The L2/L1 penalty on the weight matrices (engine/penalty.py): its own node, whose
        value P joins the batch loss; its term of each δw is in the chain-rule panel."""
        t, g = self.t, self.g
        label = table([Line(bold("Penalty"), t.fg),
                       Line(text("λ₂·½Σw² + λ₁·Σ|w|"), t.muted, "10"),
                       Line(text(g.model.penalty.describe()), t.muted, "10"),
                       Line(text(f"P = {_num(g.penalty)}"), self._shown("P", t.fg))])
        attrs = {"shape": "box", "style": "rounded,filled"}
        if self.cur is not None and self.cur.phase == "penalty":
            attrs.update(color=t.current, fillcolor=t.current_bg)
        pic.node("Penalty", label, **attrs)
        on = self.p.has("P")
        pic.edge("Penalty", "Loss", None, id="P", tooltip=escaped(f"P = {_num(g.penalty)}: added to the batch loss"),
                 color=t.forward if on else t.muted, style=style.stroke(2 if on else 0.8))

    # edges ---------------------------------------------------------------
    def layer_edges(self, k: int) -> list[dict]:
        """The kept edges of layer k (column k → k+1), strongest first by |impact|."""
        layer = self.g.model.layer(k)
        ins, outs = self.cols[k], self.cols[k + 1]
        if isinstance(layer, Linear):  # its Jacobian is W: skip the copy of a big matrix
            jac = layer.params["W"]
        else:
            jac = np.asarray(layer.jacobian(self.o[k], self.o[k + 1]))
        joined = np.asarray(jac != 0, dtype=bool)
        if isinstance(layer, Elementwise):  # a closed gate (ReLU'(x) = 0) still joins X_i to L_i:
            joined |= np.eye(*joined.shape, dtype=bool)  # drawn dashed, the graph stays in one piece
        total = int(np.count_nonzero(joined))
        sub = jac[np.ix_(outs, ins)]  # (out, in)
        impact = self.d[k + 1][outs][:, None] * sub
        linear = isinstance(layer, Linear)
        forward = sub * self.o[k][ins][None, :] if linear else sub
        nz = np.argwhere(joined[np.ix_(outs, ins)])
        imp, fwd = _mags(impact), _mags(forward)
        order = sorted(range(len(nz)), key=lambda n: (-imp[tuple(nz[n])], -fwd[tuple(nz[n])], n))
        keep = sorted(order[:self.max_edges])
        self.hidden_edges[k] = total - len(keep)
        edges = []
        for n in keep:
            a, b = nz[n]
            j, i = outs[a], ins[b]
            e = {"k": k, "src": f"X{k}_{i + 1}", "dst": f"X{k + 1}_{j + 1}",
                 "id": f"L{k}_{j + 1}_{i + 1}", "fwd": forward[a, b], "imp": impact[a, b],
                 "fwd_name": "w·o" if linear else "∂", "imp_name": "δ·w" if linear else "δ·∂"}
            if linear:
                e["dw"] = self.grads[f"W{k}"][j, i]
                if f"W{k}" in self.terms:  # δw = δ·o (this edge's data term) + the penalty's term
                    e["dw_parts"] = (self.d[k + 1][j] * self.o[k][i], self.terms[f"W{k}"][j, i])
            edges.append(e)
        return edges

    def loss_edges(self) -> list[dict]:
        c = self.g.K + 1
        return [{"k": c, "src": f"X{c}_{i + 1}", "dst": "Loss", "id": f"Loss_{i + 1}",
                 "fwd": self.o[c][i], "imp": self.d[c][i], "fwd_name": "o", "imp_name": "δ"}
                for i in self.cols[c]]

    def edge(self, pic: Picture, e: dict, labelled: bool) -> None:
        t, k = self.t, e["k"]
        fwd_on = self.p.has(f"o{k}") if k <= self.g.K else self.p.has(f"o{k - 1}")
        bwd_on = self.p.has(f"δ{k}")
        dw_on = self.p.has(f"δw{k}")
        hot = self._hot_layer(k)
        texts = [(f"{e['fwd_name']} = {_num(e['fwd'])}", t.forward, fwd_on),
                 (f"{e['imp_name']} = {_num(e['imp'])}", t.backward, bwd_on)]
        if "dw" in e:
            texts.append((f"δw = {_num(e['dw'])}", t.backward, dw_on))
        tip = [s for s, _, _ in texts]
        if "dw_parts" in e:  # the label has room for one δw; the tooltip says what it adds up
            data, term = e["dw_parts"]
            tip[-1] += f" (δ·o = {_num(data)}, plus the penalty's term {_num(term)})"
        attrs = {"id": e["id"], "tooltip": escaped("\n".join(tip))}
        label = None
        if labelled:
            bg = t.current_bg if hot else None
            label = table([Line(text(s), c if on else HIDDEN, bg=bg) for s, c, on in texts])
        dashed = False
        if bwd_on:
            color, width = t.backward, style.penwidth(e["imp"])
            dashed = style.magnitude(e["imp"]) == 0
        elif fwd_on:
            color, width = t.forward, style.penwidth(e["fwd"])
        else:
            color, width = t.muted, 0.8
        if hot:
            color, width = t.current, width + 1.5
        attrs.update(color=color, style=style.stroke(width, dashed=dashed))
        pic.edge(e["src"], e["dst"], label, **attrs)

    def picture(self, rankdir: str, legend: bool = True) -> Picture:
        K = self.g.K
        self.hidden_edges: dict[int, int] = {}
        layers = {k: self.layer_edges(k) for k in range(1, K + 1)}
        layers[K + 1] = self.loss_edges()
        self.rankdir = rankdir
        # remincross=false: the second crossing pass, across clusters, ignored the
        # invisible edges that keep each column in index order
        pic = style.digraph("neurons", self.t, rankdir, newrank="true", ranksep="1.1",
                            nodesep="0.25", compound="true", remincross="false")
        for c in range(1, K + 2):
            self.column(pic, c)
        self.loss(pic)
        for k, edges in layers.items():
            labelled = len(edges) <= LABELLED_EDGES
            for e in edges:
                self.edge(pic, e, labelled)
        if legend:
            style.legend(pic, self.t, extra=(
                "edge: forward contribution, then its impact δⱼ · ∂Lⱼ/∂Xᵢ",
                "a node's δ is the sum of the impacts leaving it"))
        return pic


def neuron_view(graph: Graph, *, step: int | None = None, sample: int = 0, theme: str = "light",
                rankdir: str = "LR", max_neurons: int = DEFAULT_MAX_NEURONS,
                max_edges: int = DEFAULT_MAX_EDGES, feature_names=(), legend: bool = True) -> Picture:
    """The neuron view at ``step`` (None: the final picture; 0: nothing computed).
    ``legend=False`` leaves the legend out, for a host that draws its own."""
    if max_neurons < 1 or max_edges < 1:
        raise ValueError("max_neurons and max_edges must be at least 1")
    p = progress(graph, step)
    view = _View(graph, p, check_sample(graph, sample), style.theme(theme),
                 max_neurons, max_edges, feature_names)
    return view.picture(rankdir, legend)
