"""`playground data FILE -o OUT.csv`: the graph's dataset as CSV (x1..xn flattened, y or
y1..ym, split), rows train then test in the dataset's order, numbers read back exactly."""
import csv
import io

import numpy as np

from engine.data import Dataset, from_settings, load_dataset
from engine.graph import fileformat
from playground.cli import main
from playground.interop_commands import dataset_csv


def _rows(text):
    return list(csv.reader(io.StringIO(text)))


def test_images_flatten_and_several_targets_number_their_columns():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 1, 2, 3)).astype(np.float32)
    y = rng.standard_normal((5, 2)).astype(np.float32)
    rows = _rows(dataset_csv(Dataset("t", "regression", x[:3], y[:3], x[3:], y[3:])))
    assert rows[0] == [f"x{i}" for i in range(1, 7)] + ["y1", "y2", "split"]
    got = np.array([[float(v) for v in r[:-1]] for r in rows[1:]], dtype=np.float32)
    np.testing.assert_array_equal(got, np.hstack([x.reshape(5, -1), y]))   # exact round trip
    assert [r[-1] for r in rows[1:]] == ["train"] * 3 + ["test"] * 2


def test_classes_are_one_column_of_class_indices():
    ds = load_dataset("spiral", n_samples=40, seed=2)
    rows = _rows(dataset_csv(ds))
    assert rows[0] == ["x1", "x2", "y", "split"] and len(rows) == 41
    assert [int(r[2]) for r in rows[1:]] == list(ds.y_train) + list(ds.y_test)


def test_the_command_writes_the_file_and_refuses_bad_input(tmp_path, capsys):
    out = tmp_path / "points.csv"
    assert main(["data", "assets/lessons/xor_mlp.nnpg", "-o", str(out)]) == 0
    ds = from_settings(fileformat.load("assets/lessons/xor_mlp.nnpg").settings["dataset"])
    assert out.read_text() == dataset_csv(ds)
    assert main(["data", str(tmp_path / "missing.nnpg"), "-o", str(out)]) == 2
    assert "missing.nnpg" in capsys.readouterr().err
