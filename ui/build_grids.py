"""The Build page's weight and data grids: one layer's weights at a time, and a big table a
window at a time (its neurons or samples, and its columns, chosen above the grid).

Why: a 784-256-128-10 model drawn as every layer's full matrix made each rerun of Build
take seconds on the server (235,000 cells converted and sent) and longer in the browser.
A grid shows at most WINDOW_ROWS × WINDOW_COLS cells; the window shown is remembered
(``build_shown``) so that the grid's change set, whose row positions count from the
window's first row, is folded into the right cells on the next run (ui/build_forms.py).
"""
from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from ui import build_forms as bf
from ui.text import md, plain

WINDOW_ROWS, WINDOW_COLS = 50, 20
PICK = "build_wpick"  # the linear layer whose weights are shown
SHOWN = "build_shown"  # grid name -> (first row, first column) of the window shown last run
ss = st.session_state


def shown(name: str) -> tuple[int, int]:
    return ss.get(SHOWN, {}).get(name, (0, 0))


def grid_key(key, name: str) -> str:
    """The grid's widget key: a window other than the first has keys of its own, so that
    a change set never meets another window's cells."""
    r0, c0 = shown(name)
    return key(name) + (f"_r{r0}_c{c0}" if (r0, c0) != (0, 0) else "")


def linear_layers(draft: dict) -> list[tuple[int, dict]]:
    """(position from 1, row) of the linear layers that have weights to edit."""
    return [(k, row) for k, row in enumerate(draft["layers"], 1)
            if row["type"] == "linear" and row["id"] in draft["params"] and draft["params"][row["id"]]["W"]]


def _window(label: str, what: str, n: int, size: int, key: str) -> tuple[int, int]:
    """[start, stop) of a table's ``n`` rows or columns: all of them when they fit, else
    the range chosen in a select box (its key holds n, so another size starts at the top)."""
    if n <= size:
        return 0, n
    ranges = bf.windows(n, size)
    start = st.selectbox(label, [a for a, _ in ranges], key=f"{key}_{n}",
                         format_func=lambda a: f"{what} {a + 1}–{min(n, a + size)} of {n:,}")
    return start, min(n, start + size)


def weights(draft: dict, key, show_errors) -> None:
    """The weights of one linear layer, chosen above its grid; every layer's errors shown."""
    linear = linear_layers(draft)
    if not linear:
        return
    st.subheader("Weights")
    st.caption("One row per neuron of the layer, one column per input (W is out × in, like PyTorch). "
               f"Numbers as {', '.join(bf.NUMBER_EXAMPLES[:-1])} or fractions like {bf.NUMBER_EXAMPLES[-1]}. "
               "One layer at a time: choose it here.")
    ids = [row["id"] for _, row in linear]
    if ss.get(PICK) not in ids:
        ss[PICK] = ids[0]
    labels = {row["id"]: f"W{k}" + (f", b{k}" if row["bias"] else "") for k, row in linear}  # as the graph names them
    if len(ids) > 1:
        st.radio("Layer", ids, format_func=labels.get, key=PICK, horizontal=True, label_visibility="collapsed")
    for lid in ids:  # another layer's error stays visible, not only the chosen one's
        if lid != ss[PICK]:
            show_errors(f"weights:{lid}")
    k, row = next((k, row) for k, row in linear if row["id"] == ss[PICK])
    n_out, n_in = len(draft["params"][row["id"]]["W"]), len(draft["params"][row["id"]]["W"][0])
    a, b = st.columns(2)
    with a:
        rows = _window("Neurons", "neurons", n_out, WINDOW_ROWS, f"build_wrows_{row['id']}")
    with b:
        cols = _window("Inputs", "inputs", n_in, WINDOW_COLS, f"build_wcols_{row['id']}")
    name = f"w{row['id']}"
    ss.setdefault(SHOWN, {})[name] = (rows[0], cols[0])
    table = bf.weights_table(draft, row["id"], rows, cols)
    named = k == 2 and draft["feature_names"]
    frame = pd.DataFrame(table, index=[f"neuron {i + 1}" for i in range(*rows)])
    st.data_editor(frame, key=grid_key(key, name), num_rows="fixed", width="content",
                   column_config={c: st.column_config.TextColumn(
                       "b" if c == "b" else plain(draft["feature_names"][int(c[1:])]) if named
                       else f"from {int(c[1:]) + 1}") for c in table})
    show_errors(f"weights:{row['id']}")


def data(draft: dict, key, show_errors) -> None:
    """The samples: inputs then y_truth, a window at a time when the table is big."""
    st.subheader("Data")
    names_x = draft["feature_names"] or [f"x{j + 1}" for j in range(len(draft["x"][0]) if draft["x"] else 0)]
    names_y = draft["target_names"] or [f"y{j + 1}" for j in range(len(draft["y"][0]) if draft["y"] else 0)]
    described = ", ".join(names_x) if len(names_x) <= 20 else f"{len(names_x):,} columns"
    st.caption(f"One row per sample: the inputs ({md(described)}) then y_truth ({md(', '.join(names_y[:20]))}"
               f"{', …' if len(names_y) > 20 else ''}). New samples go last.")
    a, b = st.columns(2)
    with a:
        rows = _window("Samples", "samples", len(draft["x"]), WINDOW_ROWS, "build_drows")
    with b:
        cols = _window("Columns", "columns", len(bf.data_columns(draft)), WINDOW_COLS, "build_dcols")
    ss.setdefault(SHOWN, {})["data"] = (rows[0], cols[0])
    table = bf.data_table(draft, rows, cols)
    st.data_editor(
        pd.DataFrame(table, index=pd.RangeIndex(rows[0], rows[0] + len(draft["x"][slice(*rows)]))),
        key=grid_key(key, "data"), num_rows="dynamic", width="stretch",
        column_config={c: st.column_config.TextColumn(
            plain(names_x[int(c[1:])]) if c[0] == "x" else f"y: {plain(names_y[int(c[1:])])}")
            for c in table})
    show_errors("data")


_CELL = re.compile(r"row (\d+), column (\d+)")


def focus(draft: dict, errors: list[tuple[str, str]]) -> None:
    """Show the cell of the first error in a grid: its layer chosen, its window opened."""
    for place, message in errors:
        cell = _CELL.search(message)
        if place.startswith("weights:"):
            lid = next((r["id"] for r in draft["layers"] if f"weights:{r['id']}" == place), None)
            if lid is None:
                return
            ss[PICK] = lid
            n_out, n_in = len(draft["params"][lid]["W"]), len(draft["params"][lid]["W"][0])
            if cell and ": bias row" in message:  # the bias is read as one row: its column is the neuron
                _open(f"build_wrows_{lid}", n_out, WINDOW_ROWS, int(cell[2]) - 1)
            elif cell:
                _open(f"build_wrows_{lid}", n_out, WINDOW_ROWS, int(cell[1]) - 1)
                _open(f"build_wcols_{lid}", n_in, WINDOW_COLS, int(cell[2]) - 1)
            return
        if place == "data" and cell:
            column = int(cell[2]) - 1 + (len(draft["x"][0]) if "data.y" in message and draft["x"] else 0)
            _open("build_drows", len(draft["x"]), WINDOW_ROWS, int(cell[1]) - 1)
            _open("build_dcols", len(bf.data_columns(draft)), WINDOW_COLS, column)
            return


def _open(key: str, n: int, size: int, index: int) -> None:
    if n > size and 0 <= index < n:
        ss[f"{key}_{n}"] = index - index % size
