"""File > Import Data: the dialog previews a CSV (with or without a header), an NPZ and an
MNIST IDX pair, names a bad row and column in one line with OK off, and the chosen file
becomes the document's dataset through one undoable command. File > Export > ONNX Model
writes a model onnxruntime runs with the window's predictions."""
import gzip
import operator
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

pytest.importorskip("pytestqt")
from PySide6.QtWidgets import QApplication, QDialogButtonBox  # noqa: E402

from playground.editor.dialogs import ScriptedDialogs  # noqa: E402
from playground.editor.import_data import ImportDataDialog  # noqa: E402


def _dialog(qtbot, path=None, folder=None, **fields):
    dialog = ImportDataDialog(None, folder)
    qtbot.addWidget(dialog)
    for name, value in fields.items():
        getattr(dialog, name).setText(value)
    if path is not None:
        dialog.set_path(path)
    return dialog


def _ok(dialog):
    return dialog.buttons.button(QDialogButtonBox.Ok).isEnabled()


def _table(dialog):
    t = dialog.table
    header = [t.horizontalHeaderItem(c).text() for c in range(t.columnCount())]
    return header, [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


def test_csv_with_and_without_header(qtbot, tmp_path):
    rows = "\n".join(f"{i},{i / 4},{i % 3}" for i in range(30))
    (tmp_path / "h.csv").write_text("width,height,kind\n" + rows + "\n", encoding="utf-8")
    (tmp_path / "n.csv").write_text(rows + "\n", encoding="utf-8")
    dialog = _dialog(qtbot, tmp_path / "h.csv", folder=tmp_path)
    assert _ok(dialog)
    header, cells = _table(dialog)
    assert header == ["width", "height", "kind"] and cells[1] == ["1", "0.25", "1"] and len(cells) == 8
    text = dialog.summary.text()
    assert "30 samples (24 train, 6 test)" in text and "(2,)" in text and "3 classes" in text
    assert dialog.settings() == {"name": "file", "path": "h.csv", "task": "auto", "test_fraction": 0.2}

    dialog = _dialog(qtbot, tmp_path / "n.csv")
    header, cells = _table(dialog)
    assert header == ["column 1", "column 2", "y"] and cells[0] == ["0", "0", "0"]
    dialog.task_box.setCurrentIndex(dialog.task_box.findData("regression"))
    assert "regression" in dialog.summary.text()
    assert dialog.settings()["path"] == str((tmp_path / "n.csv").resolve())   # no folder: absolute


def test_npz_and_an_idx_pair(qtbot, tmp_path):
    x = np.arange(40, dtype=np.float32).reshape(20, 2)
    np.savez(tmp_path / "d.npz", x=x, y=x[:, 0] * 0.25)
    dialog = _dialog(qtbot, tmp_path / "d.npz", folder=tmp_path)
    assert _ok(dialog) and not dialog.target_edit.isEnabled()
    header, cells = _table(dialog)
    assert header == ["x1", "x2", "y"] and cells[1] == ["2", "3", "0.5"]
    assert "regression" in dialog.summary.text()

    images = np.arange(12 * 28 * 28, dtype=np.int64).reshape(12, 28, 28) % 256
    for name, array in (("t10k-images-idx3-ubyte.gz", images), ("t10k-labels-idx1-ubyte.gz", np.arange(12) % 2)):
        head = bytes([0, 0, 8, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
        (tmp_path / name).write_bytes(gzip.compress(head + array.astype(np.uint8).tobytes()))
    dialog = _dialog(qtbot, tmp_path / "t10k-images-idx3-ubyte.gz", folder=tmp_path)
    assert _ok(dialog), dialog.summary.text()
    assert dialog.labels_edit.isEnabled() and dialog.labels_edit.placeholderText() == "t10k-labels-idx1-ubyte.gz"
    header, cells = _table(dialog)
    assert header == [f"x{i}" for i in range(1, 9)] + ["…", "y"]   # 784 features: the first 8 shown
    assert cells[0][1] == f"{1 / 255:.6g}" and cells[1][-1] == "1"
    assert "(1, 28, 28)" in dialog.summary.text() and "2 classes" in dialog.summary.text()


@pytest.mark.parametrize("text, message", [
    ("a,b,c\n1,2,0\n3,x4,1\n", "bad.csv line 3, column 2: 'x4' is not a number"),
    ("1,2,0\n3,4\n", "bad.csv line 2: expected 3 columns, found 2"),
    ("a,b,split\n1,2,train\n3,4,later\n", "bad.csv line 3, column 3: 'later' is not 'train' or 'test'"),
])
def test_a_bad_row_is_named_in_one_line_and_ok_stays_off(qtbot, tmp_path, text, message):
    (tmp_path / "bad.csv").write_text(text, encoding="utf-8")
    dialog = _dialog(qtbot, tmp_path / "bad.csv")
    assert dialog.summary.text() == message and not _ok(dialog) and dialog.settings() is None
    assert dialog.table.rowCount() == 0


def _window(qtbot, tmp_path, **answers):
    from playground.main_window import MainWindow

    win = MainWindow(dialogs=ScriptedDialogs(unsaved_changes="discard", **answers),
                     data_dir=tmp_path / "data", autosave=False)
    qtbot.addWidget(win)
    win.show()
    QApplication.processEvents()
    return win


def test_file_menu_imports_through_the_dialog_as_one_undoable_command(qtbot, tmp_path):
    rows = "\n".join(f"{i % 5},{i % 7},{i % 3},{i % 2}" for i in range(40))
    (tmp_path / "mine.csv").write_text("p,q,r,label\n" + rows + "\n", encoding="utf-8")
    shown = []

    def answer():   # the user picks the file, looks at the preview and presses OK
        dialog = _dialog(qtbot, tmp_path / "mine.csv", folder=tmp_path)
        shown.append(dialog.summary.text())
        return dialog.settings()

    win = _window(qtbot, tmp_path, import_data=answer)
    win.document.folder = str(tmp_path)
    assert win.actions["import_data"] in win.menuBar().actions()[0].menu().actions()
    before = dict(win.document.settings.get("dataset") or {})
    win.actions["import_data"].trigger()
    assert shown and "40 samples" in shown[0]
    assert win.document.settings["dataset"] == {"name": "file", "path": "mine.csv", "task": "auto",
                                               "test_fraction": 0.2}
    assert before.get("name") != "file" and win.dataset_shapes()["x"] == (None, 3)   # what validation and the canvas now assume
    win.undo_stack.undo()
    assert dict(win.document.settings.get("dataset") or {}) == before
    win.undo_stack.redo()
    assert win.document.settings["dataset"]["path"] == "mine.csv"


def test_export_onnx_from_the_window_runs_with_its_predictions(qtbot, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    from engine.lessons import lesson_files

    lesson = next(p for p in lesson_files() if p.stem == "xor_mlp")
    out = tmp_path / "xor.onnx"
    win = _window(qtbot, tmp_path, save_file=str(out))
    assert win.open_file(str(lesson))
    assert win.actions["export_onnx"] in win.menuBar().actions()[0].menu().actions()
    runner = win.runner
    qtbot.waitUntil(lambda: runner.snapshot is not None, timeout=20000)
    win.actions["export_onnx"].trigger()
    assert out.exists(), win.dialogs.shown
    x = np.random.default_rng(0).normal(size=(16, 2)).astype(np.float32)
    ours = runner.call_in_worker(operator.methodcaller("predict", x))
    got = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    np.testing.assert_allclose(got, ours, atol=1e-5, rtol=1e-6)


def test_export_onnx_without_the_package_says_what_to_install(qtbot, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "onnx", None)   # `import onnx` now raises ImportError
    win = _window(qtbot, tmp_path, save_file=str(tmp_path / "m.onnx"))
    assert not win.export_onnx()
    assert [(kind, title) for kind, title, _m in win.dialogs.shown] == [("error", "Cannot export to ONNX")]
    assert "pip install onnx" in win.dialogs.shown[0][2] and not (tmp_path / "m.onnx").exists()
