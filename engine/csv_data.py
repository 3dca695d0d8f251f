"""A CSV file of samples -> a :class:`Table` of numbers with named columns (no Streamlit).

The file may come from anyone (an upload, the command line), so reading it is bounded
before any work: at most :data:`MAX_CSV_BYTES`, 10,000 data rows (the model file's
sample limit), 4,096 feature columns (its neurons per layer) and 2,000,000 numbers.
Every problem is one :class:`CsvError` naming the row (a line of the file, the header
being row 1) and the column: "row 5, column 2 ('x2'): 'abc' is not a number ...".

The first row names the columns; the target is the last column unless another is
named. Features are numbers in engine.numbers' grammar (0.5, -3, 1e-3, 1/200). The
target decides the task (:func:`_task`): 0 and 1 only -> binary classification,
text labels or whole numbers with at most :data:`MAX_INTEGER_CLASSES` values -> classes
(softmax cross-entropy on one-hot rows), any other numbers -> regression.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import numpy as np

from . import limits
from .spec_json import SpecError, read_text
from .numbers import clip, float_number, format_number

MAX_CSV_BYTES = 5 * 1024 * 1024  # the app's upload limit (.streamlit/config.toml maxUploadSize)
MAX_INTEGER_CLASSES = 20         # whole-number targets with more values are a regression
MAX_CLASSES = 100                # text labels: one output neuron each
TASKS = ("binary", "classes", "regression")

# A plain decimal read with float() at once (the grammar's slow path reads the rest:
# fractions, and the refusals with their reasons); float() alone would accept inf, nan, 1_0.
_PLAIN = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
_MISSING = {"", "nan", "-nan", "+nan", "na", "n/a", "null", "none", "inf", "+inf", "-inf", "infinity",
            "+infinity", "-infinity"}


class CsvError(SpecError):
    """A CSV file that cannot be used; the message names the row and column."""


@dataclass(frozen=True)
class Table:
    """The file's numbers: ``x`` (n, features) float64, ``y`` the targets as the model
    trains on them ((n, 1) 0/1 or values, or (n, classes) one-hot), and the task."""

    features: tuple[str, ...]
    target: str
    x: np.ndarray
    y: np.ndarray
    task: str
    classes: tuple[str, ...]  # the class labels (binary: ("0", "1")); () for regression
    rows: tuple[int, ...]     # each sample's row in the file (the header is row 1)
    columns: tuple[str, ...] = ()  # the header, in the file's order
    labels: tuple[str, ...] = ()   # each sample's target cell as written

    @property
    def target_names(self) -> tuple[str, ...]:
        return (self.target,) if self.task != "classes" else self.classes


def read_csv(raw: bytes | str, target: str | None = None) -> Table:
    """Read a CSV file's bytes (or text); ``target`` names the target column (default: the last)."""
    size = len(raw) if isinstance(raw, (bytes, bytearray)) else len(raw.encode("utf-8", "surrogatepass"))
    if size > MAX_CSV_BYTES:
        raise CsvError(f"the file has {size:,} bytes; at most {MAX_CSV_BYTES:,} (5 MB) are accepted")
    if isinstance(raw, (bytes, bytearray)):
        try:
            text = bytes(raw).decode("utf-8-sig")
        except UnicodeDecodeError as e:
            row = bytes(raw[:e.start]).count(b"\n") + 1
            raise CsvError(f"row {row}: the file is not UTF-8 text (byte {e.start + 1}); save it as UTF-8") from None
    else:
        text = raw.removeprefix("\ufeff")
    if not text.strip():
        raise CsvError("the file is empty: expected a header row, then one row per sample")
    header, body = _rows(text)
    where = _target_column(header, target)
    features = tuple(name for j, name in enumerate(header) if j != where)
    if len(features) > limits.MAX_NEURONS:
        raise CsvError(f"row 1: {len(features):,} feature columns; at most {limits.MAX_NEURONS:,}")
    if not body:
        raise CsvError("the file has a header but no data rows")
    x = np.empty((len(body), len(features)))
    labels = []
    for i, (row_number, row) in enumerate(body):
        k = 0
        for j, cell in enumerate(row):
            if j == where:
                labels.append((row_number, cell.strip()))
            else:
                x[i, k] = _number(cell, row_number, j, header[j])
                k += 1
    task, y, classes = _task(labels, header[where], where)
    if len(body) * (len(features) + y.shape[1]) > limits.MAX_DATA_VALUES:
        raise CsvError(f"{len(body):,} rows × {len(features) + y.shape[1]:,} columns is more than "
                       f"{limits.MAX_DATA_VALUES:,} numbers")
    return Table(features, header[where], x, y, task, classes, tuple(n for n, _ in body), tuple(header),
                 tuple(text for _, text in labels))


def header_of(raw: bytes | str) -> tuple[str, ...] | None:
    """The column names of a file whose data could not be read, when its header is fine
    (so that another target column can be chosen), else None."""
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, (bytes, bytearray)) else raw
        if len(text) > MAX_CSV_BYTES:
            return None
        for row in csv.reader(io.StringIO(text, newline="")):
            if any(cell.strip() for cell in row):
                return tuple(_header(row))
    except (UnicodeDecodeError, csv.Error, CsvError):
        return None
    return None


def _rows(text: str):
    """The header and the data rows (each with its row number), checked for shape and limits."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header, body = None, []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue  # blank lines (a trailing newline, a gap) carry nothing
            if header is None:
                header = _header(row)
                continue
            if len(row) != len(header):
                raise CsvError(f"row {reader.line_num} has {len(row)} fields, the header has {len(header)}")
            if len(body) >= limits.MAX_SAMPLES:
                raise CsvError(f"row {reader.line_num}: more than {limits.MAX_SAMPLES:,} data rows, the limit")
            body.append((reader.line_num, row))
    except csv.Error as e:
        raise CsvError(f"row {reader.line_num}: not a readable CSV row ({e})") from None
    if header is None:  # only commas and blanks
        raise CsvError("the file is empty: expected a header row, then one row per sample")
    return header, body


def _header(row: list[str]) -> list[str]:
    names = [cell.strip() for cell in row]
    if len(names) > limits.MAX_NEURONS + 1:
        raise CsvError(f"row 1: {len(names):,} columns; at most {limits.MAX_NEURONS + 1:,} "
                       f"({limits.MAX_NEURONS:,} features and the target)")
    if len(names) < 2:
        raise CsvError("row 1: the header names one column; a CSV needs at least one feature column and a "
                       "target column, separated by commas")
    if all(_is_number(name) for name in names):
        raise CsvError(f"row 1: the first row must be a header naming the columns, but it holds numbers "
                       f"({', '.join(clip(n) for n in names[:3])}{', …' if len(names) > 3 else ''})")
    seen = {}
    for j, name in enumerate(names, 1):
        if not name:
            raise CsvError(f"row 1, column {j}: the header leaves this column without a name")
        try:
            read_text(name, f"row 1, column {j}", limits.MAX_NAME_CHARS)
        except SpecError as e:
            raise CsvError(str(e)) from None
        if name in seen:
            raise CsvError(f"row 1: the column name {clip(name)} is used twice (columns {seen[name]} and {j})")
        seen[name] = j
    return names


def _target_column(header: list[str], target: str | None) -> int:
    if target is None:
        return len(header) - 1
    if target not in header:
        shown = ", ".join(clip(n) for n in header[:10]) + (", …" if len(header) > 10 else "")
        raise CsvError(f"the target column {clip(target)} is not in the header; the columns are {shown}")
    return header.index(target)


def _is_number(text: str) -> bool:
    try:
        float_number(text)
        return True
    except ValueError:
        return False


def _number(cell: str, row: int, j: int, name: str) -> float:
    text = cell.strip()
    if _PLAIN.fullmatch(text):
        value = float(text)
        if value - value == 0.0 and (value != 0.0 or not re.search("[1-9]", text.split("e")[0].split("E")[0])):
            return value  # finite, and 0 only when written as 0
    where = f"row {row}, column {j + 1} ({clip(name)})"
    if text.lower() in _MISSING:
        raise CsvError(f"{where}: {clip(text) if text else 'an empty cell'} is a missing or non-finite value; "
                       "every feature must be a finite number")
    try:
        return float_number(text)
    except ValueError as e:
        raise CsvError(f"{where}: {e}") from None


def _task(labels: list[tuple[int, str]], name: str, j: int):
    """(task, y, classes) from the target cells: see the module docstring."""
    where = f"column {j + 1} ({clip(name)})"
    for row, text in labels:
        if text.lower() in _MISSING:
            raise CsvError(f"row {row}, {where}: {clip(text) if text else 'an empty cell'} is a missing target; "
                           "every row needs one")
    values = []
    for _, text in labels:
        try:
            values.append(float_number(text))
        except ValueError:
            values = None
            break
    if values is None:  # text labels
        classes = tuple(sorted({text for _, text in labels}))
        if len(classes) > MAX_CLASSES:
            row, text = next((r, t) for r, t in labels if not _is_number(t))
            raise CsvError(f"{where}: {len(classes):,} different labels, at most {MAX_CLASSES} classes "
                           f"(row {row} holds {clip(text)}, which is not a number)")
        for c in classes:
            try:
                read_text(c, f"{where}: the label", limits.MAX_NAME_CHARS)
            except SpecError as e:
                raise CsvError(str(e)) from None
        return _classes(labels, classes, where)
    v = np.array(values)
    distinct = np.unique(v)
    if len(distinct) == 1:
        raise CsvError(f"{where}: the target has one value only ({format_number(distinct[0])}): "
                       "one class, nothing to learn")
    if set(distinct) == {0.0, 1.0}:
        return "binary", v[:, None], ("0", "1")
    if len(distinct) <= MAX_INTEGER_CLASSES and np.all(distinct == np.round(distinct)):
        classes = tuple(format_number(c) for c in distinct)
        index = {c: i for i, c in enumerate(distinct)}
        return "classes", np.eye(len(distinct))[[index[value] for value in v]], classes
    return "regression", v[:, None], ()


def _classes(labels, classes, where):
    if len(classes) == 1:
        raise CsvError(f"{where}: every row has the label {clip(classes[0])}: one class only, nothing to learn")
    index = {c: i for i, c in enumerate(classes)}
    return "classes", np.eye(len(classes))[[index[text] for _, text in labels]], classes
