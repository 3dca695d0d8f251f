"""`train --data FILE.csv` and the preset defaults of `train`: bad CSVs refused in one line
naming the row and column (exit 2), the task read from the target, the pinned JSON keys,
a reproducible seeded split, and presets solved by their suggested settings."""
import json
import os
import subprocess
import sys

import pytest

from engine.cli import main
from engine.csv_data import MAX_CSV_BYTES
from engine.limits import MAX_NEURONS, MAX_SAMPLES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def csv_file(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return str(path)


def two_blobs(n=40):
    """Two separable groups: x1 < 0 is class 0, x1 > 0 class 1."""
    rows = [f"{(-1) ** i * (1 + i % 5)},{i % 3},{int(i % 2 == 0)}" for i in range(n)]
    return "x1,x2,label\n" + "\n".join(rows) + "\n"


BAD = [
    ("", "the file is empty"),
    ("\n\n  \n", "the file is empty"),
    ("1,2,3\n4,5,6\n", "row 1: the first row must be a header naming the columns"),
    ("a,b,y\n1,2,0\n3,abc,1\n", "row 3, column 2 ('b'): 'abc' is not a number"),
    ("a,b,y\n1,2,0\n3,4\n", "row 3 has 2 fields, the header has 3"),
    ("a,b,y\n1,2,0\n3,4,1,5\n", "row 3 has 4 fields, the header has 3"),
    ("a,b,y\n1,NaN,0\n3,4,1\n", "row 2, column 2 ('b'): 'NaN' is a missing or non-finite value"),
    ("a,b,y\n1,,0\n3,4,1\n", "row 2, column 2 ('b'): an empty cell is a missing or non-finite value"),
    ("a,b,y\n1,inf,0\n3,4,1\n", "row 2, column 2 ('b'): 'inf' is a missing or non-finite value"),
    ("a,b,y\n1,1e999,0\n3,4,1\n", "row 2, column 2 ('b'): '1e999' has an exponent past 400"),
    ("a,b,y\n1,2,\n3,4,1\n", "row 2, column 3 ('y'): an empty cell is a missing target"),
    ("a,b,y\n1,2,1\n3,4,1\n", "column 3 ('y'): the target has one value only (1): one class"),
    ("a,b,y\n1,2,cat\n3,4,cat\n", "column 3 ('y'): every row has the label 'cat': one class only"),
    ("a,b,y\n", "the file has a header but no data rows"),
    ("y\n1\n0\n", "row 1: the header names one column"),
    ("a,,y\n1,2,0\n", "row 1, column 2: the header leaves this column without a name"),
    ("a,a,y\n1,2,0\n", "row 1: the column name 'a' is used twice (columns 1 and 2)"),
    (b"a,b,y\n1,\xff,0\n", "row 2: the file is not UTF-8 text (byte 9)"),
    ('a,b,y\n1,"2,0\n', "row 2 has 2 fields, the header has 3"),
    ("a,b,y\n1,2\x00,0\n", "row 2, column 2 ('b'): '2\\x00' is not a number"),
    ("a,b,y\n1,2,0\n3," + "4" * 140_000 + ",1\n", "row 3: not a readable CSV row (field larger than field limit"),
]


@pytest.mark.parametrize("text,message", BAD)
def test_a_bad_csv_is_one_line_naming_the_row_and_column(tmp_path, capsys, text, message):
    path = csv_file(tmp_path, text)
    status, out, err = run(capsys, "train", "--data", path, "--json")
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"error: {path}: "), err
    assert message in err, err


def test_more_rows_than_the_samples_limit_is_refused_at_the_first_row_past_it(tmp_path, capsys):
    text = "a,y\n" + "1,0\n0,1\n" * (MAX_SAMPLES // 2) + "1,1\n1,0\n"
    status, _, err = run(capsys, "train", "--data", csv_file(tmp_path, text))
    assert status == 2 and f"row {MAX_SAMPLES + 2}: more than {MAX_SAMPLES:,} data rows, the limit" in err


def test_more_columns_than_neurons_per_layer_is_refused_at_the_header(tmp_path, capsys):
    header = ",".join(f"c{j}" for j in range(MAX_NEURONS + 2))
    status, _, err = run(capsys, "train", "--data", csv_file(tmp_path, header + "\n" + "0," * (MAX_NEURONS + 1) + "1\n"))
    assert status == 2 and f"row 1: {MAX_NEURONS + 2:,} columns; at most {MAX_NEURONS + 1:,}" in err


def test_a_file_past_the_upload_limit_is_refused_before_reading(tmp_path, capsys):
    path = tmp_path / "big.csv"
    with open(path, "wb") as f:
        f.write(b"a,y\n" + b"1,0\n" * (MAX_CSV_BYTES // 4 + 1))
    status, _, err = run(capsys, "train", "--data", str(path))
    assert status == 2 and "bytes; at most 5,242,880 (5 MB) are accepted" in err


def test_an_unknown_target_column_names_the_columns(tmp_path, capsys):
    status, _, err = run(capsys, "train", "--data", csv_file(tmp_path, two_blobs()), "--target", "nope")
    assert status == 2 and "the target column 'nope' is not in the header; the columns are 'x1', 'x2', 'label'" in err


def test_the_exit_status_and_stderr_through_a_real_process(tmp_path):
    path = csv_file(tmp_path, "a,b,y\n1,2,0\n3,4\n")
    done = subprocess.run([sys.executable, "-m", "engine", "train", "--data", path], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [f"error: {path}: row 3 has 2 fields, the header has 3"]


@pytest.mark.parametrize("argv,message", [
    (["--preset", "xor", "--hidden", "4"], "--hidden applies to --data only"),
    (["--preset", "xor", "--target", "y"], "--target applies to --data only"),
    (["--preset", "xor", "--test-fraction", "0.5"], "--test-fraction applies to --data only"),
    (["--preset", "xor", "--no-standardize"], "--standardize applies to --data only"),
    (["--data", "DATA", "--hidden", "8,x"], "hidden layer 2: 'x' is not a whole number"),
    (["--data", "DATA", "--hidden", "0"], "hidden layer 1: 0 neurons; between 1 and 4,096"),
    (["--data", "DATA", "--test-fraction", "1"], "the test fraction must be at least 0 and below 1"),
    (["--data", "DATA", "--activation", "softmax"], "invalid choice: 'softmax'"),
    (["--data", "DATA", "--preset", "xor"], "not allowed with argument"),
])
def test_data_options_are_checked(tmp_path, capsys, argv, message):
    data = csv_file(tmp_path, two_blobs())
    status, _, err = run(capsys, "train", *[data if a == "DATA" else a for a in argv])
    assert status == 2 and err.count("\n") == 1 and message in err, err


# --- the task, the JSON ------------------------------------------------------------

def train_json(capsys, *argv):
    status, out, err = run(capsys, "train", *argv, "--json")
    assert status == 0, err
    return json.loads(out)


def test_a_binary_csv_trains_with_the_pinned_json_keys(tmp_path, capsys):
    out = train_json(capsys, "--data", csv_file(tmp_path, two_blobs()), "--lr", "0.5", "--epochs", "200")
    assert set(out) == {"weights", "history", "stopped", "loss", "accuracy"}
    assert set(out["loss"]) == set(out["accuracy"]) == {"train", "test"}
    assert out["stopped"] is None and out["accuracy"]["train"] == 1.0 and out["accuracy"]["test"] == 1.0
    assert set(out["weights"]) == {"W2", "b2", "W4", "b4", "W6", "b6"}  # 2-8-8-1: the default --hidden 8,8
    assert len(out["weights"]["W6"]) == 1  # one sigmoid output
    assert len(out["history"]["epoch_losses"]) == 200
    assert out["history"]["config"]["batch_size"] == 32  # full batch: the 32 training rows of 40


def test_text_labels_mean_softmax_and_integers_with_more_classes_too(tmp_path, capsys):
    text = "a,b,kind\n" + "".join(f"{i % 3},{i % 5},{['cat', 'dog', 'emu'][i % 3]}\n" for i in range(30))
    out = train_json(capsys, "--data", csv_file(tmp_path, text), "--hidden", "", "--epochs", "300", "--lr", "1")
    assert len(out["weights"]["W2"]) == 3 and out["accuracy"]["train"] == 1.0  # a = class: linear is enough
    text = "a,b,digit\n" + "".join(f"{i % 4},{i % 5},{i % 4 + 1}\n" for i in range(40))
    out = train_json(capsys, "--data", csv_file(tmp_path, text), "--activation", "relu")
    assert len(out["weights"]["W6"]) == 4 and "accuracy" in out


def test_other_numbers_mean_a_regression_without_accuracy(tmp_path, capsys):
    text = "a,b,price\n" + "".join(f"{i % 7},{i % 3},{0.5 * (i % 7) - (i % 3) + 0.25}\n" for i in range(50))
    out = train_json(capsys, "--data", csv_file(tmp_path, text), "--test-fraction", "0")
    assert set(out) == {"weights", "history", "stopped", "loss"} and set(out["loss"]) == {"train"}
    assert out["loss"]["train"] < out["history"]["epoch_losses"][0]


def test_the_target_may_be_any_column(tmp_path, capsys):
    text = "label,x1,x2\n" + "".join(f"{int(i % 2 == 0)},{(-1) ** i * 2},{i % 3}\n" for i in range(20))
    out = train_json(capsys, "--data", csv_file(tmp_path, text), "--target", "label", "--hidden", "4",
                     "--lr", "0.5", "--epochs", "100")
    assert len(out["weights"]["W2"][0]) == 2 and out["accuracy"]["train"] == 1.0


def test_the_seeded_split_is_reproducible(tmp_path, capsys):
    path = csv_file(tmp_path, two_blobs(60))
    first = train_json(capsys, "--data", path, "--seed", "3", "--epochs", "5")
    again = train_json(capsys, "--data", path, "--seed", "3", "--epochs", "5")
    other = train_json(capsys, "--data", path, "--seed", "4", "--epochs", "5")
    assert first == again
    assert first["loss"] != other["loss"]
    assert first["history"]["config"]["n_samples"] == 48  # 60 rows, ceil(0.2 × 60) = 12 held out


def test_standardising_can_be_turned_off(tmp_path, capsys):
    path = csv_file(tmp_path, two_blobs())
    on = train_json(capsys, "--data", path, "--epochs", "1")
    off = train_json(capsys, "--data", path, "--epochs", "1", "--no-standardize")
    assert on["history"]["epoch_losses"] != off["history"]["epoch_losses"]


# --- presets: their suggested settings solve them ------------------------------------

# ~2 s each on a quiet machine (1,000 epochs of 200 points in batches of 32), up to ~11 s
# each when the 2 cores are shared by other suites: marked slow, still in the default run.
@pytest.mark.slow
@pytest.mark.parametrize("preset,least", [("moons", 0.98), ("circles", 0.98), ("spiral", 0.95)])
def test_train_preset_defaults_solve_the_2d_sets(capsys, preset, least):
    out = train_json(capsys, "--preset", preset)
    config = out["history"]["config"]
    assert (config["lr"], config["epochs"], config["batch_size"], config["shuffle"]) == ("0.3", 1000, 32, True)
    assert out["stopped"] is None and set(out["accuracy"]) == {"train"}
    assert out["accuracy"]["train"] >= least


def test_flags_given_override_the_preset_defaults(capsys):
    out = train_json(capsys, "--preset", "xor", "--epochs", "3", "--no-shuffle")
    config = out["history"]["config"]
    assert (config["lr"], config["epochs"], config["batch_size"], config["shuffle"]) == ("0.5", 3, 4, False)


def test_a_model_file_without_suggestions_trains_full_batch_for_100_epochs(tmp_path, capsys):
    from engine.presets import load_preset
    from engine.spec import dump_spec
    path = tmp_path / "xor.json"
    path.write_text(dump_spec(load_preset("xor")))
    config = train_json(capsys, "--model", str(path))["history"]["config"]
    assert (config["lr"], config["epochs"], config["batch_size"]) == ("0.1", 100, 4)


def test_a_diverged_exact_run_reports_a_loss_past_float64_as_null(capsys):
    out = train_json(capsys, "--preset", "article", "--lr", "1e200", "--epochs", "3")
    assert out["stopped"].startswith("training stopped at step 4") and out["loss"] == {"train": None}
