"""The panels of the Explore page: legend, inspector (the step control and the chain
rule are the player's, ui/player.py; float versus exact is ui/float_view.py)."""
from __future__ import annotations

import numpy as np
import streamlit as st

from engine.numbers import NotExactError, format_number

from .explore_data import check, vector_table


def from_player() -> None:
    """The browser reported a step (the player stopped or was stepped) or a click."""
    state = st.session_state["player"]
    if state.get("step") is not None:
        st.session_state["step"] = int(state["step"])
    if state.get("selected") and state["selected"] != st.session_state.get("_clicked"):
        st.session_state["inspect"] = st.session_state["_clicked"] = state["selected"]
        st.session_state["_open_inspector"] = True


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


def inspector(graph, key: str, row: int) -> None:
    """Full values, local derivative and gradient check of a selected edge or layer."""
    targets = _targets(graph)
    if st.session_state.get("inspect") not in targets:
        st.session_state["inspect"] = next(iter(targets))
    opened = st.session_state.pop("_open_inspector", False)  # a click in the graph opens it
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
        if edge.target.startswith("L"):
            _layer_details(graph, int(edge.target[1:]), row)


def _layer_details(graph, k: int, row: int) -> None:
    layer = graph.model.layer(k)
    st.markdown(f"**Local derivative ∂L{k}/∂X{k}** at this sample ({layer.describe()}), "
                "rows: outputs, columns: inputs")
    j = layer.jacobian(graph.o(k - 1)[row], graph.o(k)[row])
    st.dataframe([[format_number(v) for v in r] for r in np.asarray(j)[:50, :50]])
