"""The file dataset's formats beyond plain CSV and NPZ: MNIST's IDX files (gzipped or
not), the `split` and y1..yk columns `playground data` writes, and the preview File >
Import Data shows. Bad files get one line naming the file and the row and column."""
import gzip

import numpy as np
import pytest

from engine.data import DataError, load_dataset, load_file
from engine.data.userdata import preview, read_idx
from playground.interop_commands import dataset_csv


def write_idx(path, array, type_byte=0x08, gz=False):
    header = bytes([0, 0, type_byte, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    dtype = {0x08: ">u1", 0x0D: ">f4"}[type_byte]
    data = header + np.asarray(array).astype(dtype).tobytes()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


@pytest.fixture
def mnist_like(tmp_path):
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (30, 5, 4), dtype=np.uint8)
    labels = np.arange(30) % 3
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", images, gz=True)
    write_idx(tmp_path / "train-labels-idx1-ubyte", labels)
    return tmp_path, images, labels


def test_idx_pair_gzipped_or_not_becomes_images_with_classes(mnist_like):
    folder, images, labels = mnist_like
    np.testing.assert_array_equal(read_idx(folder / "train-images-idx3-ubyte.gz"), images)
    ds = load_dataset("file", path=str(folder / "train-images-idx3-ubyte.gz"), test_fraction=0.2)
    assert ds.task == "classification" and ds.n_classes == 3
    assert ds.x_train.shape == (24, 1, 5, 4) and ds.x_test.shape == (6, 1, 5, 4)
    # the bytes scaled to [0, 1], each image still with its own label
    x = np.concatenate([ds.x_train, ds.x_test])[:, 0]
    y = np.concatenate([ds.y_train, ds.y_test])
    for xi, yi in zip(x, y):
        match = np.flatnonzero((np.abs(images / 255.0 - xi) < 1e-6).all(axis=(1, 2)))
        assert len(match) == 1 and labels[match[0]] == yi


@pytest.mark.parametrize("damage, message", [
    (lambda b: b[:-3], r"^train-images-idx3-ubyte: holds 597 bytes of data, its header \(shape \(30, 5, 4\)\) says 600$"),
    (lambda b: b"\x01" + b[1:], r"^train-images-idx3-ubyte: not an IDX file"),
    (lambda b: b[:6], r"^train-images-idx3-ubyte: the IDX header is cut short$"),
])
def test_damaged_idx_files_are_named_in_one_line(mnist_like, damage, message):
    folder, images, _labels = mnist_like
    raw = write_idx(folder / "train-images-idx3-ubyte", images).read_bytes()
    (folder / "train-images-idx3-ubyte").write_bytes(damage(raw))
    with pytest.raises(DataError, match=message):
        load_file(folder / "train-images-idx3-ubyte")


def test_idx_labels_must_match_the_images(mnist_like):
    folder, images, labels = mnist_like
    write_idx(folder / "other-labels", labels[:-1])
    with pytest.raises(DataError, match=r"^train-images-idx3-ubyte.gz has 30 samples but other-labels has 29 labels$"):
        load_file(folder / "train-images-idx3-ubyte.gz", labels="other-labels")
    write_idx(folder / "digits.idx", images)
    with pytest.raises(DataError, match=r"^digits.idx: which file holds the labels\?"):
        load_file(folder / "digits.idx")


def test_what_playground_data_writes_reads_back_with_its_split_and_order(tmp_path):
    original = load_dataset("xor", n_samples=40)
    path = tmp_path / "points.csv"
    path.write_text(dataset_csv(original), encoding="utf-8")
    back = load_file(path)
    np.testing.assert_array_equal(back.x_train, original.x_train)
    np.testing.assert_array_equal(back.x_test, original.x_test)
    np.testing.assert_array_equal(back.y_test, original.y_test)


def test_several_target_columns_and_a_bad_split_word(tmp_path):
    (tmp_path / "m.csv").write_text("x1,y1,y2,split\n1,2,3,train\n4,5,6,test\n7,8,9,train\n", encoding="utf-8")
    ds = load_file(tmp_path / "m.csv")
    assert ds.task == "regression" and ds.y_train.shape == (2, 2)
    np.testing.assert_array_equal(ds.x_test, [[4.0]])
    (tmp_path / "b.csv").write_text("a,b,split\n1,2,train\n3,4,tset\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"^b.csv line 3, column 3: 'tset' is not 'train' or 'test'$"):
        load_file(tmp_path / "b.csv")


def test_preview_shows_the_first_rows_in_the_files_order(tmp_path):
    rows = "\n".join(f"{i},{i * 0.5},{i % 2}" for i in range(20))
    (tmp_path / "d.csv").write_text("a,b,label\n" + rows + "\n", encoding="utf-8")
    p = preview(tmp_path / "d.csv")
    assert p.columns == ["a", "b", "label"] and p.rows[:2] == [[0.0, 0.0, 0.0], [1.0, 0.5, 1.0]]
    assert len(p.rows) == 8 and p.dataset.task == "classification"


@pytest.mark.fuzz
def test_idx_reader_never_fails_with_anything_but_data_error(tmp_path):
    """Any bytes, and damaged variants of a valid IDX file (gzipped or not): an array or
    one DataError naming the file, never another exception."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from tests.fuzzing import examples, report

    valid = bytes([0, 0, 8, 2, 0, 0, 0, 3, 0, 0, 0, 2]) + bytes(range(6))
    seen = {"arrays": 0, "refused": 0}

    @settings(max_examples=examples(150, 20_000), deadline=None)
    @given(st.one_of(st.binary(max_size=64),
                     st.tuples(st.integers(0, len(valid) - 1), st.integers(0, 255), st.booleans())))
    def check(case):
        if isinstance(case, tuple):   # one byte of a valid file changed, perhaps gzipped
            i, value, gz = case
            raw = valid[:i] + bytes([value]) + valid[i + 1:]
            raw = gzip.compress(raw) if gz else raw
        else:
            raw = case
        path = tmp_path / "f-ubyte"
        path.write_bytes(raw)
        try:
            read_idx(path)
            seen["arrays"] += 1
        except DataError as exc:
            assert str(exc).startswith("f-ubyte") and "\n" not in str(exc)
            seen["refused"] += 1

    check()
    report("idx reader", **seen)
