"""Export: the graph as files — one frame, the final picture, the whole pass — and the model file."""
import streamlit as st

from engine.model import Dataset
from engine.numbers import NotExactError
from engine.render.frames import captions
from engine.spec import dump_spec
from ui import explore_parts as parts, exports as ex
from ui.code_export import code_downloads
from ui.explore_data import graph_key, record_sample  # Explore's: one frame cache key for both pages
from ui.player import player
from ui.state import EXPLORE_GRAPH, workspace
from ui.text import md
from pages import in_app

in_app()  # first: Streamlit may have run this file without app.py (pages/__init__.py)

READY = "export_ready"  # session key: the animations this user has prepared

spec = workspace(training_graph=True)  # as Explore: the address bar says graph=training while it exports one
override = st.session_state.get(EXPLORE_GRAPH)
st.title("Export")


def _ignore() -> None:
    """The preview has one picture: there is no step for it to report."""


def init(key: str, value) -> None:
    """Start a widget at Explore's choice (or the default) when the page opens."""
    if key not in st.session_state:
        st.session_state[key] = value


controls = st.columns([1.3, 1, 1, 1, 1.2, 1])
if override:
    # every file's name says which training step and epoch it is from (pictures, animations, model, code)
    graph, stem = override["graph"], ex.training_stem(spec.name, override.get("training"))
    weights = "the weights after its update" if (override.get("training") or {}).get("after") else \
        "the weights before its update"
    shown = "batch" if graph.batch_size > 1 else None  # a training step's batch, not a workspace sample
    st.caption(f"**{override['label']}** from training, as Explore shows it · a link cannot carry it (the "
               f"address bar reopens the workspace model, **{md(spec.name)}**), its files can · go back to the "
               "workspace model in Explore to export that instead")
    row = 0
    if graph.batch_size > 1:
        init("export_row", min(st.session_state.get("row", 1), graph.batch_size))
        row = controls[0].number_input("Row of the batch", 1, graph.batch_size, key="export_row") - 1
    model_json = dump_spec(graph.model, Dataset(x=graph.x, y=graph.y), name=stem,
                           description=f"{override['label']}: {weights}, and its batch")
else:
    n = len(spec.data)
    explore_sample = st.session_state.get("sample")
    init("export_sample", explore_sample if explore_sample in range(0, n + 1)
         else (3 if spec.name == "article" and n >= 3 else 1))
    sample = controls[0].selectbox("Sample", [0, *range(1, n + 1)], key="export_sample",
                                   format_func=lambda i: f"whole batch (n = {n})" if i == 0 else f"sample {i}")
    init("export_arithmetic", st.session_state.get("arithmetic", spec.arithmetic))
    arithmetic = controls[1].radio("Arithmetic", ["exact", "float"], key="export_arithmetic", horizontal=True,
                                   on_change=parts.refuse_exact, args=(spec, "export_arithmetic"))
    parts.say_refused()
    try:
        graph = record_sample(spec, sample, arithmetic)
    except (NotExactError, ValueError) as e:
        st.error(f"{e}. Choose float arithmetic to export this model.")
        st.stop()
    row = 0
    if graph.batch_size > 1:  # the views draw one row's values; Explore's row picker
        row = min(st.session_state.get("row", 1), graph.batch_size) - 1
    where = f"whole batch, row {row + 1}" if sample == 0 else f"sample {sample}"
    shown = "batch" if sample == 0 else sample
    stem = spec.name
    st.caption(f"**{md(spec.name)}** · {where} · {arithmetic} arithmetic · the graph Explore draws")
    model_json = dump_spec(spec)

init("export_view", st.session_state.get("view", "layer"))
init("export_theme", st.session_state.get("theme", "light"))
init("export_rankdir", st.session_state.get("rankdir", "LR"))
view = controls[2].radio("View", ["layer", "neuron"], key="export_view", horizontal=True)
theme = controls[3].radio("Theme", ["light", "dark"], key="export_theme", horizontal=True)
rankdir = controls[4].radio("Direction", ["LR", "TB"], key="export_rankdir", horizontal=True,
                            format_func={"LR": "left → right", "TB": "top → bottom"}.get)
scale = controls[5].select_slider("PNG scale", [1.0, 2.0, 3.0, 4.0], value=2.0, key="export_scale",
                                  format_func=lambda s: f"{s:g}×")
names = () if override else tuple(spec.data.feature_names)  # as Explore: "broccoli", not "x1"
opts = ex.Options(view=view, theme=theme, rankdir=rankdir, sample=row, scale=scale, feature_names=names)

total = len(graph.timeline)
explore_step = st.session_state.get("step")
# Explore's step 0 is its untouched start, an empty picture: start at the final one then.
init("export_step", explore_step if isinstance(explore_step, int) and 0 < explore_step <= total else total)
st.session_state["export_step"] = min(st.session_state["export_step"], total)
titles = captions(graph)
step = st.slider("Frame", 0, total, key="export_step",
                 help="Explore's current step when you came here; the last one is the final picture")
key = graph_key(graph)

with st.spinner("Drawing…"):
    svg = ex.cached_frame(key, graph, "svg", step, ex.for_format(opts, "svg")).decode("utf-8")
with st.container(border=True):
    st.markdown("**Preview**")
    # Explore's player with one picture: the same readable size (a scaled-down image drew
    # its labels ~6 px high), zoom, pan and full screen; nothing to play, no chain rule.
    player([svg], [titles[step]], [None], [], step=0, signature=f"{key}-{step}-{opts}",
           key="export_preview", on_change=_ignore)

this, final, anim, model = st.columns([1, 1, 1.2, 1])


def named(when, fmt: str) -> str:
    """The file's name says what it shows: "article-sample3-step6-float-neuron.svg"."""
    return ex.picture_name(stem, sample=shown, step=when, arithmetic=graph.arithmetic, view=view,
                           ext="gv" if fmt == "dot" else fmt)


def frame_buttons(col, title: str, at, tag: str, name) -> None:
    with col.container(border=True, height="stretch"):
        st.markdown(f"**{title}**")
        formats = ex.FRAME_FORMATS  # two buttons a row, as many rows as there are formats
        cells = [c for _ in range(0, len(formats), 2) for c in st.columns(2)]
        for c, fmt in zip(cells, formats):
            c.download_button(fmt.upper(), ex.cached_frame(key, graph, fmt, at, ex.for_format(opts, fmt)),
                              file_name=named(name, fmt),
                              mime=ex.MIME[fmt], key=f"dl-{tag}-{fmt}", width="stretch", on_click="ignore")


frame_buttons(this, f"This frame · step {step} of {total}", step, "current", step)
frame_buttons(final, "Final frame · everything has flowed", None, "final", "final")

with anim:
    with st.container(border=True, height="stretch"):
        st.markdown("**The whole pass, animated**")
        st.caption(f"{total + 1} frames: an animated GIF, or a single HTML file that plays offline with "
                   "step buttons. Made on request: a big network takes a while.")
        ready = st.session_state.setdefault(READY, set())
        for fmt, label in (("gif", "GIF"), ("html", "HTML player")):
            token = (key, fmt, opts.view, opts.theme, opts.rankdir, opts.sample)
            if token not in ready and st.button(f"Prepare {label}", key=f"prep-{fmt}", width="stretch",
                                                icon=":material/movie:"):
                with st.spinner(f"Making the {label}…"):
                    ex.cached_animation(key, graph, fmt, ex.for_format(opts, fmt))
                ready.add(token)
                st.rerun()  # draw the download in place of the button
            if token in ready:
                with st.spinner(f"Making the {label}…"):  # only if the cache let it go
                    data = ex.cached_animation(key, graph, fmt, ex.for_format(opts, fmt))
                st.download_button(f"{label} · {len(data) / 1024:,.0f} KB", data,
                                   file_name=named("pass", fmt), mime=ex.MIME[fmt],
                                   key=f"dl-{fmt}", width="stretch", type="primary", on_click="ignore")

with model:
    with st.container(border=True, height="stretch"):
        st.markdown("**Model file**")
        st.caption("The layers, weights and data as JSON: load it again, or run "
                   "`python -m engine trace --model FILE`.")
        st.download_button("Model JSON", model_json.encode("utf-8"), file_name=ex.file_name(stem, ext="json"),
                           mime=ex.MIME["json"], key="dl-json", width="stretch", on_click="ignore")

if override:  # the training step's weights and batch, as its model file holds them
    code_downloads(model_json, "all", stem)
else:
    code_downloads(spec, "all" if sample == 0 else sample, stem)
