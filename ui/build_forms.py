"""The Build page's tables: the layers, weights and data editors over a draft
(ui/draft.py), and resizing weights and data when the layer sizes change.

Table edits arrive as Streamlit's data_editor change sets (``edited_rows``,
``added_rows``, ``deleted_rows``) and are folded into the draft by
:func:`apply_changes`; no Streamlit import here, so all of it is testable.
"""
from __future__ import annotations

import re
from fractions import Fraction

from engine.limits import MAX_PARAMETERS, neurons_limit
from engine.losses import LOSSES
from engine.layers import LAYER_TYPES, initial_weights
from ui.draft import SIZED, as_text, cell, option_keys

LAYER_KINDS = tuple(LAYER_TYPES)
# Each layer declares what its option column holds (ui.draft.option_keys): "relu: derivative at 0 (1 or 0) · …"
OPTION_HELP = " · ".join(f"{kind}: " + ", then ".join(key.help for _, key in option_keys(cls))
                         for kind, cls in LAYER_TYPES.items() if option_keys(cls))
# The hints' examples, kept here so that a test can type each one into its column.
ORDER_HELP = "Change to reorder (2.5 goes between 2 and 3)"
NUMBER_EXAMPLES = ("0.5", "-3", "1e-3", "1/200")  # a weight or data cell
# What exact arithmetic refuses: the layers and losses that declare exact_ok False.
FLOAT_ONLY = tuple(kind for kind, cls in (*LAYER_TYPES.items(), *LOSSES.items()) if not cls.exact_ok)


# sizes and resizing ----------------------------------------------------------

def _int(v) -> int | None:
    try:
        n = int(v)
    except (TypeError, ValueError, OverflowError):
        return None
    return n if n >= 1 and n == v else None


def layer_sizes(layers: list[dict]) -> list[tuple[int | None, int | None]]:
    """(in, out) of every layer row as far as it can be known; None where a size is missing."""
    out, prev = [], None
    for row in layers:
        size = _int(row.get("size")) if row.get("type") in SIZED else prev
        out.append((prev if row.get("type") != "input" else size, size))
        prev = size
    return out


def _resized(rows: list[list[str]], shape: tuple[int, int], fresh) -> list[list[str]]:
    return [[rows[i][j] if i < len(rows) and j < len(rows[i]) else fresh(i, j) for j in range(shape[1])]
            for i in range(shape[0])]


def _shape(rows: list[list]) -> tuple[int, int]:
    return len(rows), (len(rows[0]) if rows else 0)


def fit_to_layers(draft: dict) -> list[str]:
    """Resize weights, biases and data to the layer sizes; return a note for each change.

    The overlap is kept; new weights come from the seeded Xavier init (rounded to 4
    decimals in float, to 2 in exact so the fractions stay small), new biases and data are 0.
    """
    notes = []
    sizes = layer_sizes(draft["layers"])
    exact = draft["arithmetic"] == "exact"
    # A size past the limits is left for build_spec to refuse: drawing 10⁷ × 2 weights as
    # text first would stall this session's thread (and the server) for minutes.
    most, budget = neurons_limit(draft["arithmetic"]), MAX_PARAMETERS
    for k, (row, (n_in, n_out)) in enumerate(zip(draft["layers"], sizes), 1):
        if row.get("type") != "linear" or n_in is None or n_out is None:
            continue
        budget -= n_in * n_out
        if n_in > most or n_out > most or budget < 0:
            notes.append(f"layer {k} (linear): {n_out} × {n_in} weights are past the limits; not resized")
            continue
        p = draft["params"].setdefault(row["id"], {"W": [], "b": None})
        init = initial_weights(n_in, n_out, seed=0, layer=k)
        fresh = (lambda i, j: cell(Fraction(round(init[i, j], 2)).limit_denominator(100))) if exact \
            else (lambda i, j: cell(float(init[i, j])))
        old = _shape(p["W"])
        if old != (n_out, n_in):
            p["W"] = _resized(p["W"], (n_out, n_in), fresh)
            how = "new weights are small seeded fractions" if exact else "new weights from a seeded Xavier init"
            notes.append(f"layer {k} (linear): weights resized from {old} to {(n_out, n_in)}; "
                         f"kept the overlap, {how}" if old != (0, 0) else
                         f"layer {k} (linear): new weights {(n_out, n_in)} from a seeded init")
        if row.get("bias"):
            b = p.get("b") or []
            if len(b) != n_out:
                p["b"] = [b[i] if i < len(b) else "0" for i in range(n_out)]
    first, last = (sizes[0][1] if sizes else None), (sizes[-1][1] if sizes else None)
    for key, names, width, prefix in (("x", "feature_names", first, "x"), ("y", "target_names", last, "y")):
        if width is None or not draft[key] or width > most or width * len(draft[key]) > 2 * MAX_PARAMETERS:
            continue
        old = _shape(draft[key])
        if old[1] != width:
            draft[key] = _resized(draft[key], (old[0], width), lambda i, j: "0")
            notes.append(f"data: {key} now has {width} column{'s' * (width != 1)} (was {old[1]}); "
                         "kept the overlap, new entries are 0")
        if draft[names] and len(draft[names]) != width:
            draft[names] = [draft[names][j] if j < len(draft[names]) else f"{prefix}{j + 1}" for j in range(width)]
    return notes


# table edits -----------------------------------------------------------------

def apply_changes(rows: list[dict], changes: dict, new_row=dict) -> list[dict]:
    """Fold a data_editor change set into the rows it was shown (positions refer to those rows)."""
    changes = changes or {}
    out = [dict(r) for r in rows]
    for pos, edit in (changes.get("edited_rows") or {}).items():
        pos = int(pos)
        if 0 <= pos < len(out):
            out[pos].update(edit)
    deleted = {int(p) for p in changes.get("deleted_rows") or []}
    out = [r for i, r in enumerate(out) if i not in deleted]
    for added in changes.get("added_rows") or []:
        row = new_row()
        row.update({k: v for k, v in added.items() if v is not None and not k.startswith("_")})
        out.append(row)
    return out


def has_changes(changes) -> bool:
    return isinstance(changes, dict) and any(changes.get(k) for k in ("edited_rows", "added_rows", "deleted_rows"))


def layer_table(draft: dict) -> list[dict]:
    """The rows the layers editor shows: order, kind, size, bias, option and the resulting shape."""
    rows = []
    for i, (row, (n_in, n_out)) in enumerate(zip(draft["layers"], layer_sizes(draft["layers"])), 1):
        kind = row.get("type")
        shape = "?" if n_in is None or n_out is None else f"{n_in} → {n_out}"
        if kind == "linear" and n_in and n_out:
            shape += f" · W {n_out}×{n_in}" + (" + b" if row.get("bias") else "")
        # a float column: an integer one refuses the "." (typing 1.5 gave 15), and the
        # hint says 2.5 goes between 2 and 3
        rows.append({"order": float(i), "type": kind, "size": n_out, "bias": bool(row.get("bias")) if kind == "linear" else None,
                     "option": row.get("option") or "", "shape": shape})
    return rows


def commit_layers(draft: dict, changes: dict) -> list[str]:
    """Apply the layers editor's changes to the draft (reorder by 'order', resize); return notes."""
    shown = layer_table(draft)
    for row, layer in zip(shown, draft["layers"]):
        row["id"] = layer["id"]
    resized = {shown[int(p)]["id"] for p, e in ((changes or {}).get("edited_rows") or {}).items()
               if "size" in e and int(p) < len(shown)}
    last = shown[-1]["size"] if shown else None

    def new_row():  # a new layer goes last, as a linear layer keeping the width
        draft["next_id"] += 1
        return {"id": draft["next_id"] - 1, "type": "linear", "size": last, "bias": True, "option": "",
                "order": len(shown) + draft["next_id"]}

    rows = apply_changes(shown, changes, new_row)
    rows.sort(key=lambda r: (r.get("order") is None, r.get("order") if r.get("order") is not None else 0))
    notes, layers, prev = [], [], None
    for k, r in enumerate(rows, 1):
        kind, size = r.get("type"), r.get("size")
        if kind not in SIZED and r["id"] in resized and prev is not None and _int(size) != prev:
            notes.append(f"layer {k}: a {kind} layer keeps the size of the layer before it ({prev}); "
                         "change a linear layer's size instead")
        layers.append({"id": r["id"], "type": kind, "size": _int(size) if kind in SIZED else None,
                       "bias": bool(r.get("bias")), "option": r.get("option") or ""})
        prev = _int(size) if kind in SIZED else prev
    draft["layers"] = layers
    return notes + fit_to_layers(draft)


def windows(n: int, size: int) -> list[tuple[int, int]]:
    """[start, stop) ranges of ``size`` covering 0..n: a big table is shown one range at a
    time (a grid of 200,000 cells took the server seconds per rerun, the browser more)."""
    return [(i, min(n, i + size)) for i in range(0, n, size)] or [(0, 0)]


def weights_table(draft: dict, layer_id, rows=(0, None), cols=(0, None)) -> dict[str, list[str]]:
    """Columns 'w<j>' (the weights from input j) and 'b' (if the layer has a bias); one row
    per output neuron; only the neurons ``rows`` and inputs ``cols`` ([start, stop)), b always."""
    p = draft["params"][layer_id]
    shown = p["W"][slice(*rows)]
    cols = {f"w{j}": [row[j] for row in shown] for j in range(*slice(*cols).indices(_shape(p["W"])[1]))}
    if _bias(draft, layer_id):
        cols["b"] = list(p["b"][slice(*rows)])
    return cols


def _bias(draft: dict, layer_id) -> bool:
    row = next(r for r in draft["layers"] if r["id"] == layer_id)
    return bool(row.get("bias")) and draft["params"][layer_id].get("b") is not None


def commit_weights(draft: dict, layer_id, changes: dict, first_row: int = 0) -> None:
    """Apply a weights editor's cell edits to the draft (fixed rows: no adds or deletes);
    its row positions count from ``first_row``, its columns name their input."""
    p = draft["params"][layer_id]
    n_out, n_in = _shape(p["W"])
    for pos, edit in ((changes or {}).get("edited_rows") or {}).items():
        i = first_row + int(pos)
        for col, value in edit.items():
            if col == "b" and _bias(draft, layer_id) and 0 <= i < n_out:
                p["b"][i] = as_text(value)
            elif re.fullmatch(r"w\d+", str(col)) and 0 <= i < n_out and int(col[1:]) < n_in:
                p["W"][i][int(col[1:])] = as_text(value)


def data_columns(draft: dict) -> list[str]:
    """The data table's columns: 'x<j>' then 'y<j>'."""
    return [f"x{j}" for j in range(_shape(draft["x"])[1])] + [f"y{j}" for j in range(_shape(draft["y"])[1])]


def data_table(draft: dict, rows=(0, None), cols=(0, None)) -> dict[str, list[str]]:
    """The samples ``rows`` of the data columns ``cols`` ([start, stop) of data_columns)."""
    shown = slice(*rows)
    return {c: [r[int(c[1:])] for r in draft[c[0]][shown]] for c in data_columns(draft)[slice(*cols)]}


def commit_data(draft: dict, changes: dict, first_row: int = 0) -> None:
    """Apply the data editor's changes: edited cells, added samples (blank cells are 0, and
    they go last), deleted samples; row positions count from ``first_row``. Only the rows
    named are touched: a 10,000-sample table is not rebuilt for one cell."""
    changes = changes or {}
    x, y = draft["x"], draft["y"]
    widths = {"x": _shape(x)[1], "y": _shape(y)[1]}

    def put(i, edit, keep_blank):
        for col, value in edit.items():
            m = re.fullmatch(r"([xy])(\d+)", str(col))
            if m and int(m[2]) < widths[m[1]] and (keep_blank or value is not None):
                draft[m[1]][i][int(m[2])] = as_text(value)

    for pos, edit in (changes.get("edited_rows") or {}).items():
        i = first_row + int(pos)
        if 0 <= i < len(x):
            put(i, edit, True)
    deleted = {first_row + int(p) for p in changes.get("deleted_rows") or []}
    if deleted:
        draft["x"] = x = [r for i, r in enumerate(x) if i not in deleted]
        draft["y"] = y = [r for i, r in enumerate(y) if i not in deleted]
    for added in changes.get("added_rows") or []:
        x.append(["0"] * widths["x"])
        y.append(["0"] * widths["y"])
        put(len(x) - 1, added, False)
