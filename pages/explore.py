"""Explore: watch the information flow forward and the learning flow backward."""
import streamlit as st

from engine.numbers import NotExactError
from ui import explore_parts as parts, float_view
from ui.modes import forward_vs_reverse
from ui.explore_data import BATCH, fingerprint, frames, graph_key, record_sample
from ui.player import player
from ui.paths_panel import paths_panel
from ui.share import VIEWS, share_view, shared_arithmetic, shared_sample, shared_step, shared_view, warn_link
from ui.state import EXPLORE_GRAPH, back_to_workspace, remember_choices, workspace
from ui.text import md
from pages import in_app

in_app()  # first: Streamlit may have run this file without app.py (pages/__init__.py)

spec = workspace(training_graph=True)  # the address bar says graph=training while a graph from training is shown
st.title("Explore")

override = st.session_state.get(EXPLORE_GRAPH)
if override:
    st.info(f"Showing **{override['label']}** from training. A link cannot carry it: the address bar "
            f"reopens only the workspace model, **{md(spec.name)}**. To keep or share this graph, export it: "
            "its pictures, or a model file with the step's weights and batch (Build imports it).",
            icon=":material/link_off:")
    with st.container(horizontal=True):
        st.page_link("pages/export.py", label="Export this graph", icon=":material/file_download:")
        if st.button("Back to the workspace model", icon=":material/undo:"):
            back_to_workspace()
            st.rerun()
else:
    st.caption(f"**{md(spec.name)}** · {md(spec.description)}")

controls = st.columns([1.2, 1, 1, 1])
n = len(spec.data)
if override:
    graph = override["graph"]
    sample, arithmetic = None, graph.arithmetic
    key = "graph-" + graph_key(graph)  # by content: the frame cache is shared by every session
else:
    if "sample" not in st.session_state:  # a shared link's sample, else the article's third
        default = 3 if spec.name == "article" and n >= 3 else 1
        batch_link = st.query_params.get("sample") == "batch"
        st.session_state["sample"] = BATCH if batch_link else shared_sample(n) or default
        if "sample" in st.query_params and not batch_link and shared_sample(n) is None:
            warn_link(f"The link asks for sample {str(st.query_params['sample'])[:20]!r}, but this model has "
                      f"samples 1 to {n}; showing sample {default}.")
    if st.session_state["sample"] not in range(0, n + 1):
        st.session_state["sample"] = 1
    sample = controls[0].selectbox(
        "Sample", [BATCH, *range(1, n + 1)], key="sample",  # the batch first: spiral has 300 samples
        format_func=lambda i: f"whole batch (n = {n})" if i == BATCH else f"sample {i}",
        help="One sample, or the whole batch: then the loss is the mean and every δ carries 1/n")
    if "arithmetic" not in st.session_state:  # a shared link's arithmetic, else the model's own
        st.session_state["arithmetic"], warning = parts.linked_arithmetic(spec, shared_arithmetic())
        if warning:
            warn_link(warning)
    arithmetic = controls[1].radio("Arithmetic", ["exact", "float"], key="arithmetic", horizontal=True,
                                   help="Exact: rational numbers, as the article. Float: float64, as a computer.",
                                   on_change=parts.refuse_exact, args=(spec,))
    parts.say_refused()
    try:
        graph = record_sample(spec, sample, arithmetic)
    except NotExactError as e:
        st.error(f"{e}.")
        st.stop()
    key = f"{fingerprint(spec)}-{sample}-{arithmetic}"

if "view" not in st.session_state:  # a shared link's view (not kept from an earlier page)
    st.session_state["view"] = shared_view() or "layer"
    if "view" in st.query_params and shared_view() is None:
        warn_link(f"The link asks for view {str(st.query_params['view'])[:20]!r}, but the views are "
                  f"{' and '.join(repr(v) for v in VIEWS)}; showing the layer view.")
view = controls[0 if override else 2].radio("View", list(VIEWS), key="view", horizontal=True,
                         help="Layers with vectors on the edges, or every neuron with its own edges")
row = 0
if graph.batch_size > 1:
    row = controls[3].number_input("Row of the batch shown", 1, graph.batch_size, 1, key="row") - 1
with st.sidebar.expander("Display", icon=":material/palette:"):
    theme = st.radio("Theme", ["light", "dark"], key="theme", horizontal=True)
    rankdir = st.radio("Direction", ["LR", "TB"], key="rankdir", horizontal=True,
                       format_func={"LR": "left → right", "TB": "top → bottom"}.get)

remember_choices()

total = len(graph.timeline)
if "step" not in st.session_state:
    st.session_state["step"] = shared_step(total) or 0
    if not override and "step" in st.query_params and shared_step(total) is None:
        warn_link(f"The link asks for step {str(st.query_params['step'])[:20]!r}, but the steps go "
                  f"from 0 to {total}; showing step 0.")
st.session_state["step"] = min(st.session_state["step"], total)
names = tuple(spec.data.feature_names) if not override else ()
movie = frames(key, graph, view, row, theme, rankdir, names)
parts.legend(view, first_look=st.session_state["step"] == 0)
player(movie["frames"], movie["titles"], movie["active"], movie["explain"], step=st.session_state["step"],
       signature=f"{key}-{view}-{row}-{theme}-{rankdir}", key="player", on_change=parts.from_player,
       trace=movie.get("trace"))
if not override:  # the address bar reproduces this view
    share_view(sample="batch" if sample == BATCH else sample, step=st.session_state["step"],
               arithmetic=arithmetic, view=view)
parts.inspector(graph, key, row)
forward_vs_reverse(graph, key, row)
paths_panel(graph, key, view, row, theme, rankdir, names)
if not override:
    float_view.float_vs_exact(spec, fingerprint(spec), sample, row, theme, rankdir, view)
