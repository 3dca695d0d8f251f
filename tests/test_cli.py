"""The command line: trace and train from a preset or a model file; one-line errors, status 2."""
import json
import subprocess
import sys
from fractions import Fraction as F

import pytest

from engine.cli import main
from engine.presets import load_preset
from engine.spec import dump_spec


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_presets_lists_name_tab_description(capsys):
    status, out, _ = run(capsys, "presets")
    lines = out.splitlines()
    assert status == 0 and lines[0].startswith("article\t")
    assert {line.split("\t")[0] for line in lines} >= {"article", "xor", "moons", "circles", "spiral"}


def test_trace_json_of_the_articles_third_sample_exact(capsys):
    status, out, _ = run(capsys, "trace", "--preset", "article", "--sample", "3", "--arithmetic", "exact", "--json")
    t = json.loads(out)
    assert status == 0 and t["loss"] == "1/2"  # exact values as exact strings
    assert t["deltas"]["delta4"] == [-1]
    assert t["weight_grads"]["W2"] == [[0, -2000, -3000]]
    assert [F(v) for v in t["deltas"]["delta2"]] == [F(-1, 200), F(3, 11600), F(-1, 5800)]


def test_trace_json_in_float_falls_into_the_trap(capsys):
    _, out, _ = run(capsys, "trace", "--preset", "article", "--sample", "3", "--arithmetic", "float", "--json")
    t = json.loads(out)
    assert t["deltas"]["delta3"] == [0]
    assert t["outputs"]["o2"][0] < 0


def test_trace_reads_a_model_file(tmp_path, capsys):
    path = tmp_path / "article.json"
    path.write_text(dump_spec(load_preset("article")))
    status, out, _ = run(capsys, "trace", "--model", str(path), "--sample", "3", "--json")
    assert status == 0 and json.loads(out)["weight_grads"]["W2"] == [[0, -2000, -3000]]


def test_trace_text_shows_exact_fractions(capsys):
    status, out, _ = run(capsys, "trace", "--preset", "article", "--sample", "3")
    assert status == 0 and "loss   = 1/2" in out
    assert "δ2     = (-1/200, 3/11600, -1/5800)" in out and "δw2    = (0, -2000, -3000)" in out


@pytest.mark.parametrize("argv,message", [
    (["trace", "--preset", "article", "--sample", "9"], "sample 9 does not exist"),
    (["trace", "--preset", "nope"], "unknown preset 'nope'"),
    (["trace"], "one of the arguments --preset --model is required"),
    (["trace", "--preset", "article", "--model", "a.json"], "not allowed with argument --preset"),
    (["trace", "--model", "/nonexistent/model.json"], "cannot read /nonexistent/model.json"),
    (["train", "--preset", "article", "--lr", "abc"], "'abc' is not a number"),
    (["train", "--preset", "xor", "--lr", "0.1", "--arithmetic", "exact"], "switch the arithmetic to float"),
])
def test_user_mistakes_exit_2_with_one_line(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert message in err and err.count("\n") == 1


def test_a_broken_model_file_is_one_line_naming_the_file_and_place(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "backprop-explorer/1", "layers": [{"type": "input", "size": 2}, '
                   '{"type": "linear", "size": 1, "weights": [[1, 2, 3]]}], "loss": "mse", '
                   '"data": {"x": [[1, 2]], "y": [[1]]}}')
    status, _, err = run(capsys, "trace", "--model", str(bad))
    assert status == 2 and "bad.json: layer 2: weights have shape (1, 3), expected (1, 2)" in err
    bad.write_text("{not json")
    status, _, err = run(capsys, "trace", "--model", str(bad))
    assert status == 2 and "not valid JSON" in err and err.count("\n") == 1


def test_train_json_gives_final_weights_and_history(capsys):
    status, out, _ = run(capsys, "train", "--preset", "article", "--lr", "1/1000", "--epochs", "1",
                         "--batch-size", "3", "--json")
    t = json.loads(out)
    assert status == 0 and len(t["history"]["steps"]) == 1
    # One full-batch step: W2 − α·δw2 with δw2 = (1/3)·(0, −2000, −3000) from sample 3 alone.
    w = [F(1, 200), F(-3, 11600) + F(2, 3), F(1, 5800) + 1]
    assert t["weights_exact"]["W2"] == [[str(v) for v in w]]
    assert t["weights"]["W2"][0] == pytest.approx([float(v) for v in w])


def test_train_text_on_xor_reports_a_falling_loss(capsys):
    status, out, _ = run(capsys, "train", "--preset", "xor", "--lr", "1", "--epochs", "200", "--batch-size", "4",
                         "--shuffle", "--seed", "1")
    assert status == 0 and "W2 =" in out and "W4 =" in out
    line = next(l for l in out.splitlines() if "loss:" in l)
    first, last = (float(part.split()[-1]) for part in line.split(","))
    assert last < first


def test_python_dash_m_engine_works_as_a_program(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(dump_spec(load_preset("article")))
    done = subprocess.run([sys.executable, "-m", "engine", "trace", "--model", str(path), "--sample", "3",
                           "--arithmetic", "float", "--json"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and json.loads(done.stdout)["deltas"]["delta3"] == [0]
    done = subprocess.run([sys.executable, "-m", "engine", "trace", "--preset", "article", "--sample", "0"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.startswith("error: ") and done.stdout == ""
