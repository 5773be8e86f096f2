"""File > Import Data: choose a data file, see what it holds, and make it the document's
dataset (the "file" dataset of engine.data.userdata, set through one undoable command).

The preview (engine.data.userdata.preview) shows the file's first rows, the shapes of
one sample and its target, the train/test counts and the task the targets imply; a file
that cannot be used shows its one-line message (file, row, column) instead and the OK
button stays off, so nothing in the document changes until the data reads."""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from engine.data.userdata import TASK_CHOICES, is_idx, labels_path, preview
from engine.errors import UserError

#: the file dataset's defaults (engine.data.userdata.file): keys left at them are not written
DEFAULT_TEST_FRACTION = 0.2


def _number(v: float) -> str:
    return f"{v:.6g}"


class ImportDataDialog(QDialog):
    """``settings()`` after ``exec()`` (or, in tests, after ``set_path``) is the dataset
    settings to store, or None while the chosen file cannot be read."""

    def __init__(self, parent=None, folder: str | os.PathLike | None = None, choose_file=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Import Data"))
        #: the document's folder: a file inside it is stored by its relative path
        self.folder = Path(folder) if folder else None
        self._choose_file = choose_file or self._file_dialog
        self.current = None      # the last good engine.data.userdata.Preview
        self.problem = None      # the last one-line message of a file that cannot be used

        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText(self.tr("a .csv, .npz or MNIST IDX file"))
        self.path_edit.editingFinished.connect(self.refresh)
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.target_edit = QLineEdit()
        self.target_edit.setPlaceholderText(self.tr("the last column, or y1…yk"))
        self.target_edit.setToolTip(self.tr("CSV: the target column, by header name or 1-based number"))
        self.labels_edit = QLineEdit()
        self.labels_edit.setToolTip(self.tr("IDX: the labels file beside the images"))
        self.task_box = QComboBox()
        words = {"auto": self.tr("automatic"), "classification": self.tr("classification"),
                 "regression": self.tr("regression")}
        for task in TASK_CHOICES:
            self.task_box.addItem(words[task], task)
        self.test_spin = QDoubleSpinBox()
        self.test_spin.setRange(0.05, 0.95)
        self.test_spin.setSingleStep(0.05)
        self.test_spin.setValue(DEFAULT_TEST_FRACTION)
        self.test_spin.setToolTip(self.tr("the share of samples kept for testing (unless the file says "
                                          "which rows test)"))
        for edit in (self.target_edit, self.labels_edit):
            edit.editingFinished.connect(self.refresh)
        self.task_box.currentIndexChanged.connect(self.refresh)
        self.test_spin.valueChanged.connect(self.refresh)

        form = QFormLayout()
        holder = QWidget()
        holder.setLayout(row)
        form.addRow(self.tr("File:"), holder)
        form.addRow(self.tr("Target column:"), self.target_edit)
        form.addRow(self.tr("Labels file:"), self.labels_edit)
        form.addRow(self.tr("Task:"), self.task_box)
        form.addRow(self.tr("Test fraction:"), self.test_spin)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.PlainText)   # messages quote the user's file
        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        self.resize(640, 420)
        self.refresh()

    # ----- choosing --------------------------------------------------------------------
    def _file_dialog(self) -> str | None:
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Import Data"), str(self.folder or ""),
            self.tr("Data files (*.csv *.tsv *.txt *.npz *-ubyte *-ubyte.gz *.idx *.gz);;All files (*)"))
        return path or None

    def browse(self):
        path = self._choose_file()
        if path:
            self.set_path(path)

    def set_path(self, path, labels: str = ""):
        self.path_edit.setText(str(path))
        self.labels_edit.setText(labels)
        self.refresh()

    # ----- the preview -------------------------------------------------------------------
    def _options(self) -> dict:
        return {"target": self.target_edit.text().strip(), "task": self.task_box.currentData(),
                "test_fraction": round(self.test_spin.value(), 4), "labels": self.labels_edit.text().strip()}

    def refresh(self):
        text = self.path_edit.text().strip()
        self.current, self.problem = None, None
        idx = bool(text) and is_idx(text)
        self.labels_edit.setEnabled(idx)
        self.target_edit.setEnabled(not idx and not text.lower().endswith(".npz"))
        if idx and not self.labels_edit.text().strip():
            try:
                self.labels_edit.setPlaceholderText(labels_path(text).name)
            except UserError:
                self.labels_edit.setPlaceholderText(self.tr("the labels file"))
        if text:
            try:
                self.current = preview(text, **self._options())
            except UserError as exc:   # bad data: its one line, naming file, row and column
                self.problem = str(exc)
        self._show()

    def _show(self):
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(self.current is not None)
        if self.current is None:
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            self.summary.setStyleSheet("color: #c0392b;" if self.problem else "")
            self.summary.setText(self.problem or self.tr("Choose a file to see what it holds."))
            return
        self.summary.setStyleSheet("")
        self.summary.setText(self.describe())
        p = self.current

        def marked(cells):   # the features beyond those shown: "…" before the targets
            return cells[:-p.targets] + ["…"] + cells[-p.targets:] if p.more_columns else cells

        columns = marked(list(p.columns))
        self.table.setColumnCount(len(columns))
        self.table.setHorizontalHeaderLabels(columns)
        self.table.setRowCount(len(p.rows))
        for r, values in enumerate(p.rows):
            for c, cell in enumerate(marked([_number(v) for v in values])):
                self.table.setItem(r, c, QTableWidgetItem(cell))

    def describe(self) -> str:
        """The shapes, the split and the task, in one paragraph."""
        ds = self.current.dataset
        shapes = ds.shapes()
        n_train, n_test = len(ds.x_train), len(ds.x_test)
        if ds.task == "classification":
            names = ", ".join((ds.class_names or ())[:10]) + (", …" if len(ds.class_names or ()) > 10 else "")
            task = self.tr("classification into {n} classes ({names})").format(n=ds.n_classes, names=names)
        else:
            task = self.tr("regression of {n} value(s)").format(n=int(shapes["y"][-1]) if shapes["y"] else 1)
        return self.tr("{total} samples ({train} train, {test} test); one sample's features: {x}; "
                       "task: {task}").format(total=n_train + n_test, train=n_train, test=n_test,
                                              x=tuple(shapes["x"][1:]), task=task)

    # ----- the answer --------------------------------------------------------------------
    def _stored(self, path: Path) -> str:
        """A file inside the document's folder by its relative path (the lesson travels
        with its data), any other by its absolute path."""
        path = path.resolve()
        if self.folder is not None:
            try:
                return path.relative_to(self.folder.resolve()).as_posix()
            except ValueError:
                pass
        return str(path)

    def settings(self) -> dict | None:
        """{"name": "file", "path": ..., ...} for the document, or None when the file cannot be used."""
        if self.current is None:
            return None
        path = Path(self.path_edit.text().strip())
        options = self._options()
        out = {"name": "file", "path": self._stored(path), "task": options["task"],
               "test_fraction": options["test_fraction"]}
        if options["target"] and self.target_edit.isEnabled():
            out["target"] = options["target"]
        if options["labels"] and self.labels_edit.isEnabled():
            labels = Path(options["labels"])
            # relative to the images' folder, as the loader reads it
            out["labels"] = labels.name if labels.is_absolute() and labels.parent == path.resolve().parent \
                else options["labels"]
        return out
