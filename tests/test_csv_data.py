"""CSV data in the model file: the standardisation statistics and the test rows are
written out, read back and re-applied by the reader; the split is seeded."""
import json

import numpy as np
import pytest

from engine.csv_data import read_csv
from engine.data_split import split_rows, table_dataset
from engine.metrics import evaluate
from engine.mlp import mlp_spec
from engine.spec import FORMAT, dump_spec, load_spec
from engine.spec_json import SpecError
from engine.train import train

CSV = "height,weight,kind\n" + "".join(
    f"{150 + 7 * (i % 9)},{50 + 3 * (i % 11)},{['a', 'b', 'c'][i % 3]}\n" for i in range(45))


def csv_spec(**options):
    table = read_csv(CSV.encode())
    return mlp_spec(table_dataset(table, **options), table.task, hidden=(4,))


def test_the_file_keeps_the_rows_as_written_and_the_statistics_of_the_training_rows():
    spec = csv_spec()
    doc = json.loads(dump_spec(spec))
    data = doc["data"]
    assert len(data["x"]) == 36 and len(data["test"]["x"]) == 9  # 45 rows, ceil(0.2 × 45) = 9 held out
    raw = np.array(data["x"], dtype=float)
    assert raw.min() >= 50  # as in the CSV, not standardised
    assert data["standardize"]["mean"] == pytest.approx(raw.mean(axis=0).tolist())
    assert data["standardize"]["std"] == pytest.approx(raw.std(axis=0).tolist())
    assert data["target_names"] == ["a", "b", "c"] and data["feature_names"] == ["height", "weight"]
    assert doc["loss"] == "softmax_cross_entropy"


def test_reading_the_file_re_applies_the_statistics_to_training_and_test_rows():
    spec = csv_spec()
    back = load_spec(dump_spec(spec))
    assert np.array_equal(back.data.x, spec.data.x) and np.array_equal(back.data.test.x, spec.data.test.x)
    assert abs(back.data.x.mean(axis=0)).max() < 1e-12 and back.data.x.std(axis=0) == pytest.approx([1, 1])
    assert dump_spec(back) == dump_spec(spec)  # and writes the same file again


def test_a_hand_written_file_is_standardised_with_its_own_statistics():
    doc = {"format": FORMAT, "layers": [{"type": "input", "size": 2}, {"type": "linear", "size": 1}], "loss": "mse",
           "data": {"x": [[1, 10], [3, 30]], "y": [[0], [1]], "standardize": {"mean": [2, 20], "std": ["1/2", 5]},
                    "test": {"x": [[4, 0]], "y": [[1]]}}}
    spec = load_spec(json.dumps(doc))
    assert spec.data.x.tolist() == [[-2, -2], [2, 2]]
    assert spec.data.test.x.tolist() == [[4, -4]]
    assert spec.data.raw_x.tolist() == [[1, 10], [3, 30]]
    exact = load_spec(json.dumps({**doc, "arithmetic": "exact"}))  # fractions stay fractions
    assert exact.data.x.tolist() == [[-2, -2], [2, 2]] and str(exact.data.standardize.std[0]) == "1/2"


@pytest.mark.parametrize("change,message", [
    ({"standardize": {"mean": [0], "std": [1, 1]}}, "data.standardize.mean: expected 2 numbers (one per feature), got 1"),
    ({"standardize": {"mean": [0, 0], "std": [1, 0]}}, "data.standardize.std column 2: must be positive, got 0"),
    ({"standardize": {"mean": [0, "x"], "std": [1, 1]}}, "data.standardize.mean row 1, column 2: 'x' is not a number"),
    ({"standardize": {"mean": [0, 0]}}, "data.standardize: missing key 'std'"),
    ({"standardize": {"mean": [0, 0], "std": [1, 1], "n": 3}}, "data.standardize: unknown key 'n'"),
    ({"test": {"x": [[1, 2]], "y": []}}, "data.test.y: expected a non-empty list of rows"),
    ({"test": {"x": [[1, 2]], "y": [[1, 2]]}}, "data.test.y row 1: has 2 numbers, expected 1"),
    ({"test": {"x": [[1, 2]]}}, "data.test: missing key 'y'"),
    ({"split": 0.2}, "data: unknown key 'split'"),
])
def test_bad_additions_are_one_error_naming_the_place(change, message):
    doc = {"format": FORMAT, "layers": [{"type": "input", "size": 2}, {"type": "linear", "size": 1}], "loss": "mse",
           "data": {"x": [[1, 10], [3, 30]], "y": [[0], [1]], **change}}
    with pytest.raises(SpecError, match=None) as e:
        load_spec(json.dumps(doc))
    assert message in str(e.value)


def test_the_test_rows_count_towards_the_samples_limit():
    doc = {"format": FORMAT, "arithmetic": "exact", "layers": [{"type": "input", "size": 1}], "loss": "mse",
           "data": {"x": [[0]] * 600, "y": [[0]] * 600, "test": {"x": [[0]] * 401, "y": [[0]] * 401}}}
    with pytest.raises(SpecError, match="1,001 samples with the test rows; at most 1,000 in exact arithmetic"):
        load_spec(json.dumps(doc))


def test_the_split_is_seeded_and_keeps_the_file_order():
    train_rows, test_rows = split_rows(10, 0.2, 0)
    again = split_rows(10, 0.2, 0)
    assert (train_rows.tolist(), test_rows.tolist()) == (again[0].tolist(), again[1].tolist())
    assert len(test_rows) == 2 and sorted(train_rows.tolist() + test_rows.tolist()) == list(range(10))
    assert train_rows.tolist() == sorted(train_rows.tolist())
    assert split_rows(10, 0.2, 1)[1].tolist() != test_rows.tolist()
    assert len(split_rows(10, 0, 0)[1]) == 0


def test_without_standardising_the_file_has_no_statistics():
    spec = csv_spec(standardize=False, test_fraction=0)
    data = json.loads(dump_spec(spec))["data"]
    assert "standardize" not in data and "test" not in data and data["x"][0] == [150, 50]


def test_a_model_read_from_its_file_trains_and_scores_as_the_original():
    spec = csv_spec()
    back = load_spec(dump_spec(spec))
    runs = [train(s.model, s.data, lr="0.5", epochs=50, batch_size=8, shuffle=True, seed=1) for s in (spec, back)]
    scores = [evaluate(r.model, s.data) for r, s in zip(runs, (spec, back))]
    assert scores[0] == scores[1]
    assert set(scores[0]["accuracy"]) == {"train", "test"}


def test_a_small_csv_model_travels_in_a_link_with_its_statistics_and_test_rows():
    from ui import share
    table = read_csv("t,y\n1,0\n2,0\n3,1\n4,1\n5,1\n")
    spec = mlp_spec(table_dataset(table, test_fraction=0.4, seed=2), table.task, hidden=())
    code = share.encode_model(spec)
    assert code is not None
    back = share.decode_model(code)
    assert back.data.raw_x.tolist() == spec.data.raw_x.tolist() and len(back.data.test) == 2
    assert np.array_equal(back.data.x, spec.data.x) and np.array_equal(back.data.test.x, spec.data.test.x)
    big = read_csv("a,b,y\n" + "".join(f"{i},{i % 7},{i % 2}\n" for i in range(400)))
    assert share.encode_model(mlp_spec(table_dataset(big), big.task)) is None  # too big: shared as its file
