"""The panels of the Explore page: legend, inspector (the step control and the chain
rule are the player's, ui/player.py; float versus exact is ui/float_view.py)."""
from __future__ import annotations

import re

import numpy as np
import streamlit as st

from engine.numbers import NotExactError, format_number
from engine.render.path_view import clicked_weight

from .explore_data import check, vector_table
from .float_view import no_exact


def linked_arithmetic(spec, asked: str | None) -> tuple[str, str | None]:
    """The arithmetic a link opens in, and a sentence when it asked for one the model
    cannot use: the link falls back to the model's own (float when exact is impossible)
    rather than stopping on an error; switching to exact by hand still says why not."""
    if asked is None:
        return spec.arithmetic, None
    if asked not in ("exact", "float"):
        return spec.arithmetic, (f"The link asks for arithmetic {asked[:20]!r}, but the arithmetic is "
                                 f"'exact' or 'float'; showing {spec.arithmetic}.")
    why = no_exact(spec) if asked == "exact" else None
    if why:
        return "float", f"The link asks for exact arithmetic, but this model has none ({why}); showing float."
    return asked, None


REFUSED = "_exact_refused"  # session key: why the Arithmetic radio went back to float, shown once


def refuse_exact(spec, key: str = "arithmetic") -> None:
    """An Arithmetic radio's callback (Explore's, Export's ``key``): exact on a model that
    has none (tanh, sigmoid, a layer too wide) goes back to float, and the page says why,
    as a link asking for it does, instead of leaving the page with an error and no graph."""
    if st.session_state.get(key) == "exact":
        why = no_exact(spec)
        if why:
            st.session_state[key] = "float"
            st.session_state[REFUSED] = f"This model has no exact arithmetic ({why}); showing float."


def say_refused() -> None:
    """The sentence :func:`refuse_exact` left, once, under the radio."""
    if refused := st.session_state.pop(REFUSED, None):
        st.warning(refused, icon=":material/info:")


def from_player() -> None:
    """The browser reported a step (the player stopped or was stepped); its clicks are
    read by the panels that take them (:func:`inspector`, ui/paths_panel.py)."""
    state = st.session_state["player"]
    if state.get("step") is not None:
        st.session_state["step"] = int(state["step"])


def legend(view: str, first_look: bool) -> None:
    """What the colours and widths mean (the exports carry the same legend in the picture)."""
    hint = "Press **Play**: the information flow runs forward to the loss, then the learning flow runs back. " \
        if first_look else ""
    extra = " · an edge: its forward contribution, then its impact δⱼ·∂Lⱼ/∂Xᵢ; a neuron's δ sums the " \
        "impacts leaving it" if view == "neuron" else ""
    st.caption(f"{hint}:blue[**forward**: o, the information flow] · :orange[**backward**: δ and δw, the "
               f"learning flow] · :orange-background[the current step] · edge width grows with log |δ| "
               f"(thin: vanishing, thick: exploding) · dashed: no learning flow passes{extra}")


def _targets(graph) -> dict[str, str]:
    out = {}
    for e in graph.edges:
        what = "weights" if e.forward[0] in "Wb" else "variable"
        out[e.id] = f"{e.id} · {what}: {e.forward} forward, {e.backward} backward"
    for nd in graph.nodes:
        if nd.kind == "layer":
            out[nd.id] = f"{nd.id} · {graph.model.layer(nd.k).describe()}"
    return out


def clicked_target(graph, element, targets) -> str | None:
    """The inspector's element a click in the graph stands for, or None. The layer view's
    ids are the inspector's own ("W2", "X3", "L2"; its weight node "L2.W" is W2); the
    neuron view's are parts of them: the edge L{k}_{j}_{i} is a component of W{k} in a
    linear layer, else of layer k's local derivative; the neuron X{k}_{i} a component of
    the edge X{k}; Loss_{i} of the edge into the loss."""
    if not isinstance(element, str):
        return None
    if element in targets:
        return element
    weight = clicked_weight(graph, element)  # "L2.W", and the neuron edges of a linear layer
    if weight and weight[0] in targets:
        return weight[0]
    if (edge := re.fullmatch(r"L(\d+)_\d+_\d+", element)) and f"L{edge[1]}" in targets:
        return f"L{edge[1]}"
    if (neuron := re.fullmatch(r"X(\d+)_(?:\d+|more)", element)) and f"X{neuron[1]}" in targets:
        return f"X{neuron[1]}"
    if re.fullmatch(r"Loss_\d+", element):
        return next((e.id for e in graph.edges if e.target == "Loss"), None)
    return None  # the loss node, the penalty: nothing the inspector shows


def _take_click(graph, targets) -> bool:
    """The player's last click, once: True when it names something the inspector shows
    (then it is selected and the panel opens); anything else leaves the panel as it was,
    never on an unrelated element."""
    selected = (st.session_state.get("player") or {}).get("selected")
    if not selected or selected == st.session_state.get("_clicked"):
        return False
    st.session_state["_clicked"] = selected
    target = clicked_target(graph, selected, targets)
    if target is None:
        return False
    st.session_state["inspect"] = target
    return True


def inspector(graph, key: str, row: int) -> None:
    """Full values, local derivative and gradient check of a selected edge or layer."""
    targets = _targets(graph)
    opened = _take_click(graph, targets)  # a click in the graph opens it
    if st.session_state.get("inspect") not in targets:
        st.session_state["inspect"] = next(iter(targets))
    with st.expander("Inspect an edge or a layer (or click one in the graph)", expanded=opened,
                     icon=":material/search:"):
        target = st.selectbox("Edge or layer", list(targets), key="inspect", format_func=targets.get)
        try:
            result = check(key, graph)
        except NotExactError as e:
            result = None
            st.caption(str(e))
        edge = next((e for e in graph.edges if e.id == target), None)
        if edge is None:
            k = int(target[1:])
            _layer_details(graph, k, row)
            return
        left, right = st.columns(2)
        fwd, bwd = graph.value(edge.forward), graph.value(edge.backward)
        if edge.forward[0] not in "Wb":
            fwd, bwd = fwd[row], bwd[row]
        left.markdown(f"**{edge.forward}** (forward)")
        left.dataframe(vector_table(fwd), hide_index=True)
        right.markdown(f"**{edge.backward}** (backward)")
        right.dataframe(vector_table(bwd), hide_index=True)
        if result is not None:
            err = {**result.edges, **result.weights}.get(edge.id)
            if err is not None:
                verdict = "agrees" if err < 1e-4 else "differs"  # gradcheck.GradCheck.ok's tolerance
                st.markdown(f"Gradient check (central finite differences, float64): relative error "
                            f"**{err:.2e}**, the recorded {edge.backward} {verdict}.")
            if edge.id in result.checked:  # a big tensor is checked on its largest components
                compared, size = result.checked[edge.id]
                st.caption(f"Checked {compared:,} of {size:,} components (the largest gradients), "
                           "within the gradient check's work budget.")
            elif err is None:
                st.caption("Not checked: past the gradient check's work budget.")
            if result.kinks:
                st.caption("Non-differentiable points met: " + "; ".join(result.kinks))
        if re.fullmatch(r"L\d+", edge.target):  # not "Loss": the last edge has no layer's derivative
            _layer_details(graph, int(edge.target[1:]), row)


def _layer_details(graph, k: int, row: int) -> None:
    layer = graph.model.layer(k)
    st.markdown(f"**Local derivative ∂L{k}/∂X{k}** at this sample ({layer.describe()}), "
                "rows: outputs, columns: inputs")
    j = layer.jacobian(graph.o(k - 1)[row], graph.o(k)[row])
    st.dataframe([[format_number(v) for v in r] for r in np.asarray(j)[:50, :50]])
