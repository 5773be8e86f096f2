"""Every question the editor asks the user, behind one small replaceable object, so
tests (and headless runs) never block on a modal dialog."""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import QFileDialog, QMessageBox

SAVE, DISCARD, CANCEL = "save", "discard", "cancel"
GRAPH_FILTER = QT_TRANSLATE_NOOP("Dialogs", "NN Playground graphs (*.nnpg);;All files (*)")


class Dialogs:
    def __init__(self, parent=None):
        self.parent = parent

    def open_file(self, directory: str = "") -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.parent, QCoreApplication.translate("Dialogs", "Open graph"),
                                              directory, QCoreApplication.translate("Dialogs", GRAPH_FILTER))
        return path or None

    def save_file(self, suggested: str = "", filters: str | None = None) -> str | None:
        """``filters``: translated already (None: NN Playground graphs)."""
        if filters is None:
            filters = QCoreApplication.translate("Dialogs", GRAPH_FILTER)
        path, _ = QFileDialog.getSaveFileName(self.parent, QCoreApplication.translate("Dialogs", "Save as"),
                                              suggested, filters)
        return path or None

    def unsaved_changes(self, name: str) -> str:
        """SAVE, DISCARD or CANCEL."""
        box = QMessageBox.question(self.parent, QCoreApplication.translate("Dialogs", "Unsaved changes"),
                                   QCoreApplication.translate("Dialogs", "Save the changes to {name} before closing?")
                                   .format(name=name),
                                   QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel,
                                   QMessageBox.Save)
        return {QMessageBox.Save: SAVE, QMessageBox.Discard: DISCARD}.get(box, CANCEL)

    def recover(self, when: str) -> bool:
        return QMessageBox.question(
            self.parent, QCoreApplication.translate("Dialogs", "Recover unsaved work"),
            QCoreApplication.translate("Dialogs", "NN Playground did not close normally. "
                                                  "Recover the work autosaved {when}?").format(when=when),
            QMessageBox.Yes | QMessageBox.No, QMessageBox.Yes) == QMessageBox.Yes

    def ask_text(self, title: str, label: str, text: str = "") -> str | None:
        from PySide6.QtWidgets import QInputDialog

        value, ok = QInputDialog.getText(self.parent, title, label, text=text)
        return value if ok else None

    def import_data(self, folder: str = "") -> dict | None:
        """File > Import Data: the dataset settings of the file chosen and previewed, or None."""
        from playground.editor.import_data import ImportDataDialog

        dialog = ImportDataDialog(self.parent, folder)
        return dialog.settings() if dialog.exec() == ImportDataDialog.Accepted else None

    def error(self, title: str, message: str):
        # Error text quotes the user's files (labels, paths, values): shown as plain text,
        # each line escaped and capped, so markup or a 100 KB value cannot garble the box.
        from PySide6.QtCore import Qt

        from playground.bugreport import user_message

        box = QMessageBox(QMessageBox.Warning, title,
                          "\n".join(user_message(line) if line.strip() else "" for line in str(message).split("\n")),
                          QMessageBox.Ok, self.parent)
        box.setTextFormat(Qt.PlainText)
        box.exec()

    def info(self, title: str, message: str):
        QMessageBox.information(self.parent, title, message)


class ScriptedDialogs(Dialogs):
    """Answers from a script, never showing a window: for tests and --screenshot runs.
    Unanswered questions get the safe default (cancel / no / None)."""

    def __init__(self, **answers):
        super().__init__(None)
        self.answers = answers
        self.shown: list = []   # (kind, title, message) of errors/infos "shown"

    def _answer(self, key, default):
        value = self.answers.get(key, default)
        return value() if callable(value) else value

    def open_file(self, directory=""):
        return self._answer("open_file", None)

    def save_file(self, suggested="", filters=GRAPH_FILTER):
        return self._answer("save_file", None)

    def unsaved_changes(self, name):
        return self._answer("unsaved_changes", CANCEL)

    def recover(self, when):
        return self._answer("recover", False)

    def ask_text(self, title, label, text=""):
        return self._answer("ask_text", text or None)

    def import_data(self, folder=""):
        return self._answer("import_data", None)

    def error(self, title, message):
        self.shown.append(("error", title, message))

    def info(self, title, message):
        self.shown.append(("info", title, message))
