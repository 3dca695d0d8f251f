"""Explore: watch the information flow forward and the learning flow backward."""
import streamlit as st

from engine.explain import explain
from engine.record import record
from engine.render import layer_view
from ui.state import workspace

ws = workspace()
st.title("Explore")
st.caption(f"**{ws.name}** · {ws.description}")

left, mid, right = st.columns([1, 1, 2])
n = len(ws.data)
default_sample = min(3, n) if ws.name == "article" else 1
sample = left.selectbox("Sample", range(1, n + 1), index=default_sample - 1,
                        format_func=lambda i: f"sample {i}", key="sample")
arithmetic = mid.radio("Arithmetic", ["exact", "float"], horizontal=True, key="arithmetic",
                       index=0 if ws.model.arithmetic == "exact" else 1)

try:
    graph = record(ws.model.cast(arithmetic), *ws.data.sample(sample, arithmetic))
except ValueError as e:  # NotExactError included: say why and offer the other arithmetic
    st.error(str(e))
    st.stop()

total = len(graph.timeline)
st.session_state.setdefault("step", 0)
st.session_state["step"] = min(st.session_state["step"], total)


def move(delta: int) -> None:
    st.session_state["step"] = max(0, min(total, st.session_state["step"] + delta))


def jump(to: int) -> None:
    st.session_state["step"] = to


b1, b2, b3, b4, _ = right.columns([1, 1, 1, 1, 2])
b1.button("", icon=":material/first_page:", on_click=jump, args=(0,), help="back to the start", width="stretch")
b2.button("", icon=":material/chevron_left:", on_click=move, args=(-1,), help="previous step", width="stretch")
b3.button("", icon=":material/chevron_right:", on_click=move, args=(1,), help="next step", width="stretch")
b4.button("", icon=":material/last_page:", on_click=jump, args=(total,), help="everything has flowed", width="stretch")
step = st.slider("Step", 0, total, key="step",
                 help="Forward through the information flow, then back through the learning flow")

explanation = explain(graph, step, 0)
st.markdown(f"**{explanation.title}**")
st.graphviz_chart(layer_view(graph, step=step), width="stretch")
with st.container(border=True):
    st.markdown("**Chain rule**")
    st.latex(explanation.general)
    st.latex(explanation.substituted)
