"""The Data page: your own CSV (upload, target, options, preview, use it) or a generated
set with its noise. The reading is engine code (engine/csv_data.py, data_split.py,
mlp.py); this module holds only the widgets and the session keys.

A file that cannot be used shows one error and changes nothing: the last good file
(its bytes and its Table, in ``data_good``) stays previewed and usable. "Use this
data" goes through ui/state.replace_workspace, so unapplied Build edits are asked about.
"""
from __future__ import annotations

import dataclasses
import re

import pandas as pd
import streamlit as st

from engine.csv_data import MAX_CSV_BYTES, CsvError, header_of, read_csv
from engine.data_split import table_dataset
from engine.mlp import ACTIVATIONS, mlp_spec, parse_hidden
from engine.presets import NOISE_DEFAULTS, PRESETS
from . import state
from .boundary_chart import data_figure
from .draft import penalty_entry
from .penalty_fields import penalty_fields
from .text import md, message, plain

ss = st.session_state
GOOD = "data_good"  # {"name", "raw", "target", "table"}: the last file read without error
TASKS = {"binary": "binary classification: sigmoid output, binary cross-entropy",
         "classes": "classification: softmax output, cross-entropy on one-hot targets",
         "regression": "regression: linear output, mean squared error"}


def show(ws) -> None:
    """The page, under the name of ``ws``, the model in use (what "Use this data" replaces)."""
    st.title("Data")
    st.caption(f"Model in use: **{md(ws.name)}**" + (f" · {md(ws.description)}" if ws.description else ""))
    st.caption("Train on your own data: a CSV file with a header row, numeric feature columns and a target "
               "column. Or a generated set with more or less noise.")
    state.ask_replace("data")
    kind, text = ss.pop("data_flash", (None, None))
    if kind:
        st.success(text, icon=":material/check:")
    csv_section()
    generated_section()


def csv_section() -> None:
    with st.container(border=True):
        st.subheader("Your own data (CSV)")
        upload = st.file_uploader("CSV file", type="csv", key="data_upload",
                                  help=f"At most {MAX_CSV_BYTES // 2**20} MB, 10,000 rows and 4,096 feature columns. "
                                       "The first row names the columns; numbers as 0.5, -3, 1e-3 or 1/200.")
        if upload is not None and ss.get("data_file_id") != upload.file_id:
            ss["data_file_id"] = upload.file_id
            _read(upload.name, upload.getvalue(), None)
        good = ss.get(GOOD)
        refused = ss.get("data_failed") if ss.get("data_error") else None
        if ss.get("data_error"):
            st.error(message(ss["data_error"]), icon=":material/error:")
            retarget()  # the refused file's own selector: read with another target, it may do
        if good is None:
            return
        table = good["table"]
        if ss.get("data_error"):
            again = (f" Choose another target for **{md(refused['name'])}** above to read it again."
                     if refused else "")
            st.info(f"Still showing the last good file, **{md(good['name'])}** (target **{md(table.target)}**)."
                    + again, icon=":material/history:")
        # One target selector on the page: while a refused file can be read again, its own
        # (two "Target column" boxes looked like two choices for the same data).
        if not refused:
            columns = list(table.columns)
            key = f"data_target_{ss['data_file_id']}"
            if ss.get(key) != table.target:  # a first showing, or a file read with another target since
                ss[key] = table.target
            st.selectbox("Target column", columns, format_func=plain, key=key, on_change=_target_changed,
                         args=(key,), help="What the model learns to predict; the other columns are its inputs")
        st.caption(f"{len(table.x):,} rows · {len(table.features)} features · target {md(table.target)}: "
                   f"{TASKS[table.task]}" + (f" ({len(table.classes)} classes)" if table.task == "classes" else ""))
        preview(table)
        options(good, table)


def _read(name: str, raw: bytes, target: str | None) -> None:
    try:
        table = read_csv(raw, target)
    except CsvError as e:
        ss["data_error"] = f"{name}: {e}"
        columns = header_of(raw)
        ss["data_failed"] = {"name": name, "raw": raw, "columns": columns, "target": target} if columns else None
        return
    ss["data_error"] = ss["data_failed"] = None
    ss[GOOD] = {"name": name, "raw": raw, "target": target, "table": table}


def _target_changed(key: str) -> None:
    """Another target for the good file (a callback: it runs before the page, which then
    shows the result). If the file cannot be read so, the error says why and the choice
    goes back to the target in use."""
    good = ss[GOOD]
    _read(good["name"], good["raw"], ss[key])
    if ss.get("data_error"):
        ss["data_failed"] = None  # the good file is still the one shown; its selector is enough
        ss[key] = ss[GOOD]["table"].target


def retarget() -> None:
    """A file refused for its target (text in what was taken for a feature, one class): another try."""
    failed = ss.get("data_failed")
    if not failed:
        return
    columns = list(failed["columns"])
    chosen = failed["target"] or columns[-1]
    key = f"data_retarget_{ss['data_file_id']}_{chosen}"
    st.selectbox(f"Target column of {plain(failed['name'])}", columns, index=columns.index(chosen),
                 format_func=plain, key=key, on_change=lambda: _read(failed["name"], failed["raw"], ss[key]),
                 help="If a text column is the target, choose it here: the file is read again")


def preview(table) -> None:
    frame = pd.DataFrame(table.x, columns=[plain(f) for f in table.features])
    frame.insert(len(frame.columns), f"target: {plain(table.target)}", list(table.labels))
    frame.index = list(table.rows)  # the file's row numbers, as the error messages count them
    st.dataframe(frame, height=240)
    if len(table.features) == 2:
        # plotly in Train's colours (ui/chart_style.CLASS_COLORS): class 0 blue, class 1 orange, as
        # the boundary and the film draw them after "Use this data" (the classes keep their order)
        st.plotly_chart(data_figure(table.x, table.y, table.task, feature_names=table.features, target=table.target,
                                    class_names=table.classes if table.task == "classes" else ()),
                        key="data_scatter")


def options(good, table) -> None:
    c = st.columns([1, 1, 1, 1.2, 1.2], vertical_alignment="bottom")
    standardize = c[0].toggle("Standardise", value=True, key="data_standardize",
                              help="Each feature as (x − mean) / std, with the training rows' statistics, "
                                   "which the model file stores")
    fraction = c[1].slider("Test fraction", 0.0, 0.5, 0.2, 0.05, key="data_test_fraction",
                           help="Rows held out, never trained on, drawn with the seed")
    seed = c[2].number_input("Seed", 0, 2**32 - 1, 0, key="data_seed", help="Of the test split and the initial weights")
    hidden_text = c[3].text_input("Hidden layers", "8,8", key="data_hidden", help="Sizes, comma-separated; empty: none")
    activation = c[4].selectbox("Activation", ACTIVATIONS, key="data_activation")
    lambdas = penalty_fields({"l2": "data_l2", "l1": "data_l1"})  # as on Build: judged with the model
    if st.button("Use this data", type="primary", icon=":material/check:", key="data_use",
                 help="Builds the model for this data and makes it the one every page uses"):
        try:
            hidden = parse_hidden(hidden_text)
            data = table_dataset(table, test_fraction=float(fraction), seed=int(seed), standardize=standardize)
            spec = mlp_spec(data, table.task, hidden=hidden, activation=activation, seed=int(seed),
                            name=_model_name(good["name"]), penalty=penalty_entry(**lambdas))
        except ValueError as e:
            st.error(message(str(e)), icon=":material/error:")
            return
        penalty = f" With the penalty {spec.model.penalty.describe()}." if spec.model.penalty.active else ""
        done = f"**{md(spec.name)}** is now the model in use: {md(spec.description)}.{penalty}"
        if state.replace_workspace(spec, done, "data"):
            ss["data_flash"] = ("success", done)
            st.rerun()
        st.rerun()  # the question is shown at the top of the page


def _model_name(file_name: str) -> str:
    stem = re.sub(r"\.csv$", "", file_name, flags=re.IGNORECASE)
    return re.sub(r"[\x00-\x1f\x7f\ud800-\udfff]", "", stem)[:100] or "csv"


def generated_section() -> None:
    with st.container(border=True):
        st.subheader("Generated data")
        c = st.columns([1, 2, 1], vertical_alignment="bottom")
        name = c[0].selectbox("Set", list(NOISE_DEFAULTS), key="data_generated")
        noise = c[1].slider("Noise", 0.0, 0.5, NOISE_DEFAULTS[name], 0.01, key=f"data_noise_{name}",
                            help="The spread of the points around their shape (the set's own default to start)")
        if c[2].button("Use this set", icon=":material/scatter_plot:", key="data_use_generated", width="stretch"):
            spec = PRESETS[name](None if noise == NOISE_DEFAULTS[name] else noise)
            if noise != NOISE_DEFAULTS[name]:  # not the preset any more: the name says how
                spec = dataclasses.replace(spec, name=f"{name} (noise {noise:g})")
            done = f"**{name}** with noise {noise:g} is now the model in use."
            if state.replace_workspace(spec, done, "data"):
                ss["data_flash"] = ("success", done)
            st.rerun()
