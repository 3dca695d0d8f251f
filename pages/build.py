"""Build: start from a preset, from scratch or from a file; edit layers, weights and data; Apply.

Edits go into a draft kept in session_state (ui/draft.py; its tables in ui/build_forms.py, the
weight and data grids, a layer and a window at a time, in ui/build_grids.py); a table's change set
is folded into the draft at the start of the next run, then the table is shown anew
under a fresh key (never its own output fed back as input). Apply validates the draft
through engine.spec: a valid model replaces the workspace, an invalid one leaves the
workspace alone and shows the error under the part concerned, the draft kept as typed.

The draft outlives page changes (a session key, not a widget value). A preset, a new
model or a file loaded over unapplied edits asks first (ui/state.py: replace_workspace);
so does any other page replacing the model (the draft is then started again from it).
"""
import pandas as pd
import streamlit as st

from engine.spec_json import SpecError
from engine.losses import LOSSES
from engine.numbers import ARITHMETICS
from engine.presets import PRESETS, load_preset
from ui import build_forms as bf
from ui import build_grids
from ui.draft_words import follow_structure, generated_description, loss_hint, loss_label
from ui.draft import build_spec, copy_draft, draft_from_spec, export_model, import_model, same_model, scratch_spec
from ui import share
from ui.exports import file_name
from ui.penalty_fields import penalty_fields
from ui import state
from ui.state import set_workspace, workspace
from ui.text import md
from ui.text import message as safe_message  # "message" names a local of this page
from pages import in_app

in_app()  # first: Streamlit may have run this file without app.py (pages/__init__.py)

ss = st.session_state


@st.cache_data(show_spinner=False)
def preset_descriptions() -> dict[str, str]:
    return {name: load_preset(name).description for name in PRESETS}


def use(spec, message: str, *, ask: bool = True) -> None:
    """Make a validated spec the workspace and start a fresh draft from it; with ``ask``,
    unapplied edits are not thrown away without a question (Apply does not ask: the
    edits are what it applies)."""
    if not ask:
        set_workspace(spec)
    elif not state.replace_workspace(spec, message, "build"):
        return  # asked: state.ask_replace shows the question below
    reset_draft(spec)
    ss["build_flash"] = ("success", message)


def reset_draft(spec) -> None:
    ss["build_draft"] = draft_from_spec(spec)
    # What the draft is compared with on every rerun (pending edits?): the model in use as a
    # draft, made once here, not once per rerun (seconds for a 784-256-128-10 model).
    ss["build_base"] = (ss.get("workspace"), copy_draft(ss["build_draft"]))
    ss["build_gen"] = ss.get("build_gen", 0) + 1
    ss["build_errors"], ss["build_notes"] = [], []


def key(name: str) -> str:
    return f"build_{name}_{ss['build_gen']}"


def commit_pending(draft: dict) -> None:
    """Fold the tables' and fields' edits of the last interaction into the draft."""
    changed, notes = False, []
    before = generated_description(draft["layers"], draft["loss"])  # the structure before this run's edits
    for row in draft["layers"]:
        name = f"w{row['id']}"
        changes = ss.get(build_grids.grid_key(key, name))
        if row["type"] == "linear" and row["id"] in draft["params"] and bf.has_changes(changes):
            bf.commit_weights(draft, row["id"], changes, first_row=build_grids.shown(name)[0])
            changed = True
    changes = ss.get(build_grids.grid_key(key, "data"))
    if bf.has_changes(changes):
        bf.commit_data(draft, changes, first_row=build_grids.shown("data")[0])
        changed = True
    for field in ("name", "description", "arithmetic", "loss", "l2", "l1"):
        value = ss.get(key(field))
        if value is not None and value != draft.get(field):
            draft[field], changed = value, True
    if bf.has_changes(ss.get(key("layers"))):
        notes = bf.commit_layers(draft, ss[key("layers")])
        changed = True
    # a generated (or a preset's) description follows new layers or a new loss; a typed one stays
    changed = follow_structure(draft, before, preset_descriptions().values()) or changed
    if changed:
        ss["build_gen"] += 1  # fresh tables showing the draft; the old change sets are spent
        ss["build_errors"], ss["build_notes"] = [], notes


def show_errors(where: str) -> None:
    for place, message in ss.get("build_errors", []):
        if place == where:
            st.error(safe_message(message), icon=":material/error:")


# state --------------------------------------------------------------------------
ws = workspace(later=True)
if "build_draft" not in ss:  # a first visit, or another page replaced the model: start from it
    reset_draft(ws)
draft = ss["build_draft"]
commit_pending(draft)

if ss.get("build_apply"):
    spec, errors = build_spec(draft)
    if errors:
        ss["build_errors"] = errors
        build_grids.focus(draft, errors)
        ss["build_flash"] = ("error", "Not applied: the model in use is unchanged. Fix the problem shown below.")
    else:
        spec = share.unpreset_name(spec)  # an edited "article" is no longer the article
        use(spec, f"Applied: **{md(spec.name)}** is now the model in use.", ask=False)
        draft, ws = ss["build_draft"], spec

st.title("Build")
st.caption("Start from a preset, from scratch or from a model file; edit the layers, weights and data; "
           "**Apply** makes the model the one every page uses.")

main, side = st.columns([5, 2], gap="large")

# start --------------------------------------------------------------------------
with main:
    with st.expander("Start from …", expanded=False, icon=":material/add_circle:"):
        c1, c2, c3 = st.columns(3, gap="medium")
        with c1:
            st.markdown("**A preset**")
            descriptions = preset_descriptions()
            name = st.selectbox("Preset", list(PRESETS), format_func=lambda n: f"{n} — {descriptions[n]}",
                                key="build_preset", label_visibility="collapsed")
            if st.button("Load preset", icon=":material/download:", help="Replaces the draft and the model in use"):
                use(load_preset(name), f"Loaded the **{name}** preset.")
        with c2:
            st.markdown("**From scratch**: input → linear → loss")
            a, b = st.columns(2)
            n_in = a.number_input("Inputs", 1, 64, 2, key="build_scratch_in")
            n_out = b.number_input("Outputs", 1, 64, 1, key="build_scratch_out")
            if st.button("Create", icon=":material/construction:"):
                use(scratch_spec(int(n_in), int(n_out)), f"Started from scratch: input {n_in} → linear {n_out}.")
        with c3:
            st.markdown("**A model file** (JSON)")
            upload = st.file_uploader("Model file", type="json", key="build_upload", label_visibility="collapsed")
            if upload is not None and ss.get("build_uploaded") != upload.file_id:
                ss["build_uploaded"] = upload.file_id
                try:
                    use(import_model(upload.getvalue()), f"Imported **{md(upload.name)}**.")
                    ss.pop("build_import_error", None)
                except SpecError as e:
                    ss["build_import_error"] = f"{upload.name}: {e}"
            if upload is None:
                ss.pop("build_import_error", None)
            if ss.get("build_import_error"):
                st.error(safe_message(ss["build_import_error"]), icon=":material/error:")
    draft = ss["build_draft"]
    ws = workspace(later=True)  # a preset, scratch model or file loaded just above is now the model in use

    state.ask_replace("build")
    kind, message = ss.pop("build_flash", (None, None))
    if kind:
        (st.success if kind == "success" else st.error)(message)
    for note in ss.get("build_notes", []):
        st.info(note, icon=":material/straighten:")

    # edit -----------------------------------------------------------------------
    if ss.get("build_base", (None,))[0] is not ws:  # a safety net: every new model in use resets the draft
        ss["build_base"] = (ws, draft_from_spec(ws))
    pending = not same_model(draft, ss["build_base"][1])
    ss[state.PENDING] = pending  # read by the other pages: replacing the model asks, leaving warns
    state.settle(ws, note=False)  # Build's own note on a too-big model is in the panel on the right
    with st.container(border=True):
        # "Discard edits" needs ~165 px: cut to "Discard ed…" at 1.4 of 5.4 on a laptop
        a, b, c = st.columns([1, 1.7, 2.7], vertical_alignment="center")
        a.button("Apply", key="build_apply", type="primary", icon=":material/check:", width="stretch",
                 disabled=not pending and not ss.get("build_errors"),
                 help="Check the draft and, if it is a valid model, use it on every page")
        if b.button("Discard edits", icon=":material/undo:", width="stretch", disabled=not pending):
            reset_draft(ws)
            st.rerun()
        c.markdown(":orange[:material/edit_note: Unapplied edits: the model in use is still the one on the right.]"
                   if pending else ":gray[:material/check_circle: The draft is the model in use.]")
    show_errors("general")

    # name and description get a row of their own: beside the other fields they were
    # ~15 characters wide at 1280 px, too narrow to read a preset's description
    c1, c2 = st.columns([1, 2.6])
    c1.text_input("Name", draft["name"], key=key("name"), max_chars=100)
    c2.text_input("Description", draft["description"], key=key("description"), max_chars=1000)
    for place in ("name", "description"):  # each error under its own row
        show_errors(place)
    c3, c4, c5, c6 = st.columns([1, 1.6, 1, 1])
    c3.radio("Arithmetic", ARITHMETICS, index=ARITHMETICS.index(draft["arithmetic"]), key=key("arithmetic"),
             help=f"exact: fractions, no rounding (no exp/log: no {', '.join(bf.FLOAT_ONLY)})")
    losses = list(LOSSES)
    c4.selectbox("Loss", losses, index=losses.index(draft["loss"]) if draft["loss"] in losses else 0,
                 format_func=loss_label, key=key("loss"))
    penalty_fields({"l2": key("l2"), "l1": key("l1")}, draft, columns=(c5, c6))
    for place in ("arithmetic", "loss", "penalty"):
        show_errors(place)
    hint = loss_hint(draft)
    if hint:
        st.info(hint, icon=":material/lightbulb:")

    st.subheader("Layers")
    st.data_editor(
        pd.DataFrame(bf.layer_table(draft), columns=["order", "type", "size", "bias", "option", "shape"]),
        key=key("layers"), num_rows="dynamic", hide_index=True, width="stretch",
        column_config={
            "order": st.column_config.NumberColumn("#", help=bf.ORDER_HELP, format="plain", width="small"),
            "type": st.column_config.SelectboxColumn("type", options=bf.LAYER_KINDS, required=True,
                                                     default="linear"),
            "size": st.column_config.NumberColumn("size", min_value=1, step=1, format="%d",
                                                  help="Neurons out (input and linear; activations keep their input's)"),
            "bias": st.column_config.CheckboxColumn("bias", help="linear layers only", default=True),
            "option": st.column_config.TextColumn("option", help=bf.OPTION_HELP),
            "shape": st.column_config.TextColumn("in → out", disabled=True),
        })
    show_errors("layers")

    build_grids.weights(draft, key, show_errors)
    build_grids.data(draft, key, show_errors)

# the model in use -------------------------------------------------------------------
with side:
    with st.container(border=True):
        st.markdown(f"**In use: {md(ws.name)}**")
        if ws.description:
            st.caption(md(ws.description))
        # no-break spaces: a wrapped line keeps "+ b" with its layer ("linear 2→4 + b")
        lines = [f"{k}. {layer.describe()}" + ("\u00a0+\u00a0b" if getattr(layer, "has_bias", False) else "")
                 for k, layer in enumerate(ws.model.layers, 1)]
        loss = ws.model.loss
        lines.append(f"loss {loss.title or loss.kind}")
        if ws.model.penalty.active:
            lines.append(f"penalty {ws.model.penalty.describe()}")
        st.code("\n".join(lines), language=None, wrap_lines=True)  # a penalty line is wider than the box
        n_params = sum(p.size for p in ws.model.weights().values())
        st.caption(f"{ws.model.arithmetic} arithmetic · {n_params:,} weights · {len(ws.data):,} samples")
        st.page_link("pages/explore.py", label="Explore this model", icon=":material/arrow_forward:")
    state.link_note(ws)  # too big for a link: said above the file that shares it instead
    # the file is made on click: a big model's dump takes a while. No rerun on click: a rerun
    # that ends before the file is asked for drops the click's file (seen in CI: no download)
    st.download_button("Export JSON", lambda: export_model(ws), file_name=file_name(ws.name or "model", ext="json"),
                       mime="application/json", icon=":material/file_download:", width="stretch",
                       help="The model in use as a model file (docs/model-format.md)", on_click="ignore")
    params = state.link_params(ws)
    if "preset" in params:
        st.caption(f":material/link: The address bar links to this view (`?preset={params['preset']}`).")
    elif params["model"] != share.TOO_BIG:
        st.caption(f":material/link: The address bar links to this model ({len(params['model'])} characters).")
