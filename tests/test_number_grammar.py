"""The one grammar of a number as text (engine/numbers.py, docs/model-format.md "Numbers"):
bounded before any big-number arithmetic, through every way a number comes in; JSON
numbers mean the decimal as typed in exact arithmetic; float never turns 1e-400 into 0."""
from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from engine import numbers
from engine.cli import main
from engine.spec_json import SpecError, json_exact, json_float, read_number
from engine.numbers import (MAX_EXACT_DIGITS, MAX_EXPONENT, float_number, is_decimal, parse_number,
                            parse_whole)
from engine.presets import load_preset
from engine.spec import FORMAT, load_spec

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = "1e10_000_000"  # Fraction(HOSTILE) builds a 10-million-digit integer


@pytest.fixture
def big_work(monkeypatch):
    """Records every Fraction and int() built inside engine.numbers: a text refused before
    any big-number arithmetic builds no Fraction, and at most the int() of an exponent's
    three digits (see :func:`no_big_number`)."""
    calls = []
    real_fraction = F  # fractions.Fraction, the class engine.numbers uses

    class Fraction(real_fraction):  # a subclass: isinstance(x, numbers.Fraction) still works
        def __new__(cls, *a, **kw):
            calls.append(("Fraction", a))
            return real_fraction(*a, **kw)

    def integer(*a):
        calls.append(("int", a))
        return int(*a)
    monkeypatch.setattr(numbers, "Fraction", Fraction)
    monkeypatch.setattr(numbers, "int", integer, raising=False)  # shadows the builtin in that module
    return calls


def no_big_number(calls) -> bool:
    return all(name == "int" and len(str(args[0])) <= len(str(MAX_EXPONENT)) for name, args in calls)


# the grammar ------------------------------------------------------------------------

@pytest.mark.parametrize("text,value", [
    ("3", F(3)), ("-0.5", F(-1, 2)), ("+.5", F(1, 2)), ("5.", F(5)), ("  7  ", F(7)),
    ("1/200", F(1, 200)), ("-3000/11600000", F(-3, 11600)), ("007/0014", F(1, 2)),
    ("1e-7", F(1, 10 ** 7)), ("2.5E+3", F(2500)), ("1e400", F(10 ** 400)), ("1e-400", F(1, 10 ** 400)),
    ("0e-400", F(0)), ("-0", F(0)), ("0.10000000000000000001", F(10 ** 19 + 1, 10 ** 20)),
    ("1e0000000400", F(10 ** 400)),  # leading zeros of an exponent do not count
])
def test_accepted_texts_mean_the_decimal_or_fraction_written(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text,message", [
    (HOSTILE, "is not a number (use 0.5, -3 or 1/200; no underscores or spaces inside a number)"),
    ("1_000", "no underscores"), ("1e-10_000_000", "no underscores"), ("1 / 2", "no underscores or spaces"),
    ("inf", "is not a number"), ("-Infinity", "is not a number"), ("nan", "is not a number"),
    ("0x10", "is not a number"), ("0x1p3", "is not a number"), ("١٢", "is not a number"),
    ("1/-2", "is not a number"), ("0.5/2", "is not a number"), (".", "is not a number"), ("e5", "is not a number"),
    ("", "is not a number"), ("1/0", "divides by zero"), ("0/0", "divides by zero"),
    ("1e401", "has an exponent past 400"), ("1e-99999999", "has an exponent past 400"),
    ("0e-401", "has an exponent past 400"), ("1e00000000401", "has an exponent past 400"),
    ("9" * 2001, f"more than {MAX_EXACT_DIGITS} digits"), ("1/" + "7" * 2001, f"more than {MAX_EXACT_DIGITS} digits"),
    ("0." + "0" * 2500 + "1", f"more than {MAX_EXACT_DIGITS} digits"),
    ("1" * 5000, "a number of 5000 characters; at most 4010"),
])
def test_refused_texts_say_why_before_any_big_number_is_built(text, message, big_work):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_number(text)
    if "divides" not in message and "more than" not in message:  # those count the parts first
        assert no_big_number(big_work), big_work


def test_the_issue_text_is_refused_without_building_a_single_number(big_work):
    for text in (HOSTILE, f'"{HOSTILE}"'[1:-1], "1e10000000", "-1E+10_000_000"):
        with pytest.raises(ValueError):
            parse_number(text)
    assert no_big_number(big_work), big_work


# Texts near the grammar: digits, signs, points, exponents, slashes, underscores, spaces.
near_texts = st.one_of(
    st.text(alphabet="0123456789+-./eE_ ", max_size=24),
    st.from_regex(r"\A[+-]?([0-9]{0,30}(\.[0-9]{0,30})?([eE][+-]?[0-9]{1,4})?|[0-9]{1,30}/[0-9]{1,30})\Z"),
)
_HUGE_EXPONENT = re.compile(r"[eE][+-]?[_0-9]*[0-9][_0-9]{3,}")


@settings(max_examples=1500, deadline=None)
@given(near_texts)
def test_any_text_is_read_within_the_bounds_or_refused_and_agrees_with_fraction(text):
    try:
        value = parse_number(text)
    except ValueError:
        value = None
    if value is not None:  # accepted: within the bounds, and what Python means by it
        assert abs(value.numerator) < 10 ** MAX_EXACT_DIGITS and value.denominator < 10 ** MAX_EXACT_DIGITS
        assert "_" not in text and " " not in text.strip()
        assert value == F(text)
    if _HUGE_EXPONENT.search(text):  # Fraction itself would take minutes: not asked
        return
    try:
        expected = F(text)
    except (ValueError, ZeroDivisionError):
        return
    clean = "_" not in text and " " not in text.strip()
    exponent = re.search(r"[eE]([+-]?[0-9]+)", text)
    if clean and (exponent is None or abs(int(exponent.group(1))) <= MAX_EXPONENT):
        assert value == expected  # everything Fraction reads without underscores, we read alike


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_float_means_its_shortest_repr(f):
    assert parse_number(f) == F(repr(f))


def test_whole_numbers_are_bounded_before_int_and_echoed_cut_short():
    assert parse_whole(" 42 ") == 42 and parse_whole("-5") == -5
    for text, words in (("5" * 5000, "has more than 18 digits"), ("1_0", "is not a whole number"),
                        ("1e3", "is not a whole number"), ("١٢", "is not a whole number")):
        with pytest.raises(ValueError, match=words) as e:
            parse_whole(text)
        assert len(str(e.value)) < 80  # the first 20 characters, then "…"
    assert "'55555555555555555555…'" in str(pytest.raises(ValueError, parse_whole, "5" * 5000).value)


# float arithmetic: never 0 from a nonzero number -------------------------------------

@pytest.mark.parametrize("text", ["1e-400", "2e-324", "-1e-330", "1/" + "1" + "0" * 330])
def test_float_refuses_numbers_it_would_make_zero(text):
    with pytest.raises(ValueError, match="too small for float arithmetic: it would be 0"):
        float_number(text)


def test_float_keeps_zero_subnormals_and_refuses_overflow():
    assert float_number("0e-400") == 0 and float_number("-0") == 0
    assert float_number("5e-324") > 0 and float_number("1e-320") > 0  # subnormal, not 0
    with pytest.raises(ValueError, match="too large for float arithmetic"):
        float_number("1e309")


# JSON numbers as typed ---------------------------------------------------------------

def _doc(arithmetic: str, weight, x=1) -> str:
    body = {"format": FORMAT, "arithmetic": arithmetic,
            "layers": [{"type": "input", "size": 1}, {"type": "linear", "size": 1, "weights": [["W"]]}],
            "loss": "half_squared_error", "data": {"x": [["X"]], "y": [[0]]}}
    return json.dumps(body).replace('"W"', str(weight)).replace('"X"', str(x))


@pytest.mark.parametrize("literal,exact", [
    ("0.10000000000000000001", F(10 ** 19 + 1, 10 ** 20)), ("1e-400", F(1, 10 ** 400)),
    ("0.1", F(1, 10)), ("1e-7", F(1, 10 ** 7)), ("0.6369616873214543", F("0.6369616873214543")),
    ("123456789012345678901234567890", F(123456789012345678901234567890)), ("-0.0", F(0)),
])
def test_in_exact_arithmetic_a_json_number_is_the_decimal_as_typed(literal, exact):
    spec = load_spec(_doc("exact", literal, literal))
    assert spec.model.layer(2).params["W"][0, 0] == exact
    assert spec.data.x[0, 0] == exact


def test_in_float_arithmetic_a_json_number_is_its_float_and_never_silently_zero():
    spec = load_spec(_doc("float", "0.10000000000000000001"))
    assert float(spec.model.layer(2).params["W"][0, 0]) == 0.1
    for literal, words in (("1e-400", "1e-400 is too small for float arithmetic"),
                           ('"1e-400"', "'1e-400' is too small for float arithmetic"),
                           ("1e400", "1e400 is too large for float arithmetic")):
        with pytest.raises(SpecError, match=re.escape(f"data.x row 1, column 1: {words}")):
            load_spec(_doc("float", 1, literal))
    with pytest.raises(SpecError, match="layer 2: weights row 1, column 1: 1e-400 is too small"):
        load_spec(_doc("float", "1e-400"))
    assert load_spec(_doc("float", 1, "0e-400")).data.x[0, 0] == 0
    for constant in ("NaN", "Infinity", "-Infinity"):
        with pytest.raises(SpecError, match=f"{constant} is not allowed: every number must be finite"):
            load_spec(_doc("float", 1, constant))


def test_a_float_file_keeps_the_fast_float64_path():
    rng = np.random.default_rng(0)
    rows = rng.random((50, 1)).tolist()  # 16-17 digit reprs, as dump_spec writes them
    doc = json.loads(_doc("float", 1))
    doc["data"] = {"x": rows, "y": [[0]] * 50}
    spec = load_spec(json.dumps(doc))
    assert spec.data.x.dtype == np.float64 and spec.data.x[:, 0].tolist() == [r[0] for r in rows]


# Texts of JSON's number grammar, exponents kept small enough for Fraction to check.
json_decimals = st.from_regex(r"\A-?(0|[1-9][0-9]{0,25})(\.[0-9]{1,25})?([eE][+-]?[0-9]{1,3})?\Z")


@settings(max_examples=1500, deadline=None)
@given(json_decimals)
def test_any_json_decimal_reads_as_typed_in_exact_and_as_its_float_in_float(text):
    exponent = re.search(r"[eE]([+-]?[0-9]+)", text)
    if exponent and abs(int(exponent.group(1))) > MAX_EXPONENT:
        return
    expected = F(text)
    try:
        assert read_number(json_exact(text), "x", "exact") == expected
    except SpecError as e:  # only a number past float64's range, or too many digits
        assert "too large" in str(e) or "digits" in str(e)
        return
    try:
        got = float(read_number(json_float(text), "x", "float"))
    except SpecError as e:
        assert "too small" in str(e) and expected != 0 and float(expected) == 0
        return
    assert got == float(text)


# through each way in ------------------------------------------------------------------

def _cli(*args, timeout=120):
    """The CLI as a user runs it; the timeout only catches a hang (the bug took 6-120 s)."""
    return subprocess.run([sys.executable, "-m", "engine", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def test_the_cli_refuses_the_issue_learning_rate_in_one_line():
    done = _cli("train", "--preset", "xor", "--lr", HOSTILE)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "'1e10_000_000' is not a number" in done.stderr
    assert "no underscores" in done.stderr


def test_the_cli_refuses_a_model_file_with_the_issue_number_in_one_line(tmp_path):
    path = tmp_path / "hostile.json"
    path.write_text(_doc("exact", f'"{HOSTILE}"'))
    done = _cli("trace", "--model", str(path))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert f"{path}: layer 2: weights row 1, column 1: '1e10_000_000' is not a number" in done.stderr


@pytest.mark.parametrize("argv,words", [
    (["trace", "--preset", "xor", "--sample", "5" * 5000], "argument --sample: '55555555555555555555…' has more"),
    (["train", "--preset", "xor", "--lr", "0.1", "--epochs", "1_0"], "argument --epochs: '1_0' is not a whole"),
    (["train", "--preset", "xor", "--lr", "0.1", "--seed", "9" * 100], "argument --seed: '99999999999999999999…'"),
    (["train", "--preset", "xor", "--lr", "1e-400"], "'1e-400' is too small for float arithmetic"),
    (["render", "--preset", "xor", "--format", "svg", "-o", "x.svg", "--scale", "1e10_000"], "argument --scale"),
])
def test_cli_settings_are_bounded_and_echoed_cut_short(argv, words, capsys):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and words in err and len(err) < 200, err


def test_exact_training_keeps_a_tiny_learning_rate_exactly(capsys):
    assert main(["train", "--preset", "article", "--lr", "1e-400", "--json"]) == 0
    trained = [F(v) for v in json.loads(capsys.readouterr().out)["weights_exact"]["W2"][0]]
    before = load_preset("article").model.layer(2).params["W"][0].tolist()
    moved = [t - b for t, b in zip(trained, before)]
    assert any(moved) and all(abs(m) < F(1, 10 ** 390) for m in moved)  # by 10^-400 times δw, not 0


def _train_page(preset: str) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.query_params["preset"] = preset
    at.run()
    at.switch_page("pages/train.py").run()
    assert not at.exception
    return at


@pytest.mark.parametrize("preset,lr,words", [("xor", HOSTILE, "'1e10_000_000' is not a number"),
                                             ("xor", "1e-400", "too small for float arithmetic")])
def test_the_train_pages_alpha_field_refuses_with_a_message(preset, lr, words):
    at = _train_page(preset)
    at.text_input(key="train_lr").input(lr).run()
    at.number_input(key="train_epochs").set_value(1).run()
    next(b for b in at.button if b.label == "Train").click().run()
    assert not at.exception
    assert any(words in e.value for e in at.error), [e.value for e in at.error]
    assert "training" not in at.session_state


def _build_page(preset: str) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.query_params["preset"] = preset
    at.run()
    at.switch_page("pages/build.py").run()
    assert not at.exception
    return at


def _edit_weight(at: AppTest, text: str) -> AppTest:
    """What the browser sends when a weights cell changes, then Apply."""
    key = f"build_w1_{at.session_state['build_gen']}"
    at.session_state[key] = {"edited_rows": {0: {"w0": text}}, "added_rows": [], "deleted_rows": []}
    at.run()
    at.button(key="build_apply").click().run()
    assert not at.exception
    return at


@pytest.mark.parametrize("preset,text,words", [("article", HOSTILE, "'1e10_000_000' is not a number"),
                                               ("xor", "1e-400", "1e-400 is too small for float arithmetic"),
                                               ("xor", "١٢", "is not a number")])
def test_a_build_grid_cell_is_read_by_the_grammar(preset, text, words):
    at = _build_page(preset)
    before = at.session_state["workspace"]
    _edit_weight(at, text)
    assert at.session_state["workspace"] is before
    assert any(words in e.value and "layer 2: weights row 1, column 1" in e.value for e in at.error), \
        [e.value for e in at.error]


def test_a_build_grid_cell_keeps_a_tiny_exact_number():
    at = _build_page("article")
    _edit_weight(at, "1e-400")
    assert not at.error
    assert at.session_state["workspace"].model.layer(2).params["W"][0, 0] == F(1, 10 ** 400)


def _link(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def test_a_share_link_with_the_issue_number_warns_and_shows_the_article():
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.query_params["model"] = _link(_doc("exact", f'"{HOSTILE}"'))
    at.run()
    assert not at.exception
    assert any("could not be read" in w.value and "'1e10_000_000' is not a number" in w.value for w in at.warning)
    assert at.session_state["workspace"].name == "article"


def test_a_share_link_carries_an_exact_decimal_as_typed():
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.query_params["model"] = _link(_doc("exact", "0.10000000000000000001"))
    at.run()
    assert not at.exception and not at.warning
    assert at.session_state["workspace"].model.layer(2).params["W"][0, 0] == F(10 ** 19 + 1, 10 ** 20)


def test_is_decimal_follows_the_grammar():
    assert all(is_decimal(t) for t in ("0.5", "-3", "1e-7", ".5", "5."))
    assert not any(is_decimal(t) for t in ("1/2", "1_0", "inf", "", ".", "١٢", "1" * 5000))


def test_link_indexes_are_whole_numbers_of_the_grammar():
    from ui.share import read_index
    assert read_index({"step": " 3 "}, "step", 0, 9) == 3
    for bad in (None, "١", "3_0", "3.0", "1e1", "9" * 5000, "-1"):
        assert read_index({"step": bad}, "step", 0, 10 ** 30) is None
