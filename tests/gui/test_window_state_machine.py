"""A model-based test of the whole editor window (issue 12: never lose the user's work).

Hypothesis drives the real MainWindow, offscreen, through random sequences of what users
do (palette, links, selection, delete, undo/redo, clipboard, modules, inspector edits,
New, examples, corrupt files, Save / Save As / reopen, training controls), each through
the same actions, signals and widgets the menus, palette and inspector use. After every
step the window must be consistent: the canvas shows exactly the document's graph of the
level on screen, the inspector shows a node that exists (or nothing), the title and the
dirty flag tell the truth, a saved file reloads equal to the document, and after New /
Open / Reset no panel holds data from the previous document.

`make test` runs a few short sequences; `make fuzz` (NNPG_FUZZ=1) runs thousands of steps
and prints its figures.
"""
from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from hypothesis import HealthCheck, Phase, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test  # noqa: E402
from PySide6.QtCore import QCoreApplication, QEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QLineEdit, QSpinBox  # noqa: E402

from engine.graph import fileformat  # noqa: E402
from playground.editor import model  # noqa: E402
from playground.editor.dialogs import ScriptedDialogs  # noqa: E402
from playground.editor.inspector import FloatSpin  # noqa: E402
from playground.editor.invariants import check_window  # noqa: E402
from playground.editor.palette import TYPE_ROLE  # noqa: E402
from playground.main_window import MainWindow, lessons_dir  # noqa: E402
from tests.fuzzing import FUZZ, examples, report  # noqa: E402
from tests.gui._panel_support import worker_step  # noqa: E402

#: node types offered to the machine: data, layers with parameters, several inputs,
#: dynamic outputs, losses, and a ready-made block (its inside opens read-only)
NODE_TYPES = ("Input", "Target", "Linear", "ReLU", "Tanh", "Add", "Split", "Concat",
              "MSELoss", "BCEWithLogitsLoss", "Dropout", "MixtureOfExperts")
EXAMPLES = sorted(p.name for p in (lessons_dir() or Path("/nonexistent")).glob("*.nnpg"))
#: files that must be refused with a message, leaving the window as it was
CORRUPT_FILES = {
    "not_json.nnpg": b"{this is not json",
    "binary.nnpg": bytes(range(256)),
    "empty.nnpg": b"",
    "wrong_format.nnpg": json.dumps({"format": "something-else", "version": 1}).encode(),
    "future.nnpg": json.dumps({"format": "nnpg", "version": 999, "nodes": []}).encode(),
    "edge_to_nowhere.nnpg": json.dumps({"format": "nnpg", "version": 1, "nodes": [],
                                        "edges": [{"src": "a", "src_port": "out",
                                                   "dst": "b", "dst_port": "input"}]}).encode(),
}
#: what a user does, each as often as it appears (editing more often than files)
ACTIONS = (("add_from_palette",) * 2 + ("connect",) * 3 + ("select",) * 2 + ("change_parameter",) * 2
           + ("enter_module",) * 2 + ("delete", "undo", "redo", "copy", "paste", "group", "leave_module",
              "rename", "new", "open_example", "open_corrupt_file", "save", "save_as", "reopen",
              "autosave", "step", "run_then_pause", "reset_training"))
#: how long training controls may take to be shown (generous: they are not timed)
SETTLE_MS = 8000


def _close(win):
    """Close a window for good, now (its training thread included)."""
    win.dialogs.answers["unsaved_changes"] = "discard"
    win.close()
    runner = getattr(win, "runner", None)
    if runner is not None:
        runner.shutdown()
    win.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)


class WindowMachine(RuleBasedStateMachine):
    """The window as a user sees it; ``clean`` models what the last save/open/new holds."""

    qtbot = None
    tmp = None
    figures = {"sequences": 0, "steps": 0}

    def __init__(self):
        super().__init__()
        WindowMachine.figures["sequences"] += 1
        QApplication.clipboard().clear()  # each sequence starts as a fresh session would
        self.files = 0
        self.win = MainWindow(dialogs=ScriptedDialogs(unsaved_changes="discard"),
                              data_dir=self._new_path("data"), autosave=True)
        self.win.resize(1200, 800)
        self.win.show()
        QApplication.processEvents()
        self.trace = []
        # An exception in a Qt slot never reaches the caller: PySide hands it to
        # sys.excepthook. Collected here, it fails the step that caused it (pytest-qt would
        # report it only after the whole test, with no sequence to replay).
        self.slot_errors = []
        self._excepthook, sys.excepthook = sys.excepthook, self._slot_error
        self.path = None          # the file the window should be editing
        self.clean = self.win.document.to_dict()  # the content the last save/open/new left

    def _new_path(self, stem, suffix="") -> Path:
        self.files += 1
        return self.tmp / f"{WindowMachine.figures['sequences']}-{self.files}-{stem}{suffix}"

    def _slot_error(self, kind, error, tb):
        self.slot_errors.append("".join(traceback.format_exception(kind, error, tb)[-3:]).strip())

    def teardown(self):
        sys.excepthook = self._excepthook
        _close(self.win)

    # ----- helpers ------------------------------------------------------------------
    @property
    def scene(self):
        return self.win.scene

    def count(self, what):
        WindowMachine.figures[what] = WindowMachine.figures.get(what, 0) + 1

    def step_done(self):
        WindowMachine.figures["steps"] += 1
        # the steps so far, for failures that depend on timing (hypothesis cannot replay those)
        caller = sys._getframe(1)
        args = {k: v for k, v in caller.f_locals.items()
                if k in ("type_name", "name", "label", "ms", "n", "src", "dst", "chosen", "nid")}
        self.trace.append(f"{caller.f_code.co_name}({', '.join(f'{k}={v!r}' for k, v in args.items())})")

    def answer_unsaved(self, data):
        """How the user will answer "Save changes?" (asked only when there are some)."""
        answer = data.draw(st.sampled_from(["discard", "cancel", "save"]), label="save changes?")
        self.win.dialogs.answers["unsaved_changes"] = answer
        self.trace.append(f"  (Save changes? {answer})")
        self.asked = (answer, self.win.is_dirty(), self.win.path, self.win.document.to_dict())
        if answer == "save" and self.win.is_dirty() and not self.win.path:
            self.win.dialogs.answers["save_file"] = str(self._new_path("saved", ".nnpg"))
        return answer

    def went_ahead(self) -> bool:
        """After New / Open: whether the window could drop its document (and did what
        the answer said to the old one)."""
        answer, was_dirty, old_path, old_content = self.asked
        if not was_dirty or answer == "discard":
            return True
        if answer == "save":
            path = old_path or self.win.dialogs.answers["save_file"]
            assert fileformat.load(path).to_dict() == old_content, "Save changes? > Save wrote another graph"
            self.path, self.clean = str(path), old_content
            return True
        return False

    def saved(self, path):
        """The document was written to ``path``: it reloads equal, and is now clean."""
        assert path, "a save reported success without a file"
        assert fileformat.load(path) == self.win.document, f"{path} does not reload as the document"
        self.path, self.clean = str(path), self.win.document.to_dict()
        self.count("saves reloaded")

    def replaced(self, path):
        self.path, self.clean = path, self.win.document.to_dict()

    def wait_until(self, condition, what):
        """Wait (bounded) for the training thread to show something; fail saying what."""
        try:
            self.qtbot.waitUntil(condition, timeout=SETTLE_MS)
        except Exception:  # noqa: BLE001 - pytest-qt's TimeoutError: report the invariant instead
            raise AssertionError(what) from None

    def panels_follow_the_document(self):
        """After New / Open / Reset: the panels show nothing of an earlier document."""
        runner = self.win.runner
        doc = self.win.document
        if not doc.nodes:
            self.wait_until(lambda: runner.snapshot is None and len(runner.history) == 0,
                            f"after New the panels still show step "
                            f"{getattr(runner.snapshot, 'step', None)} of the previous document")
            return
        ids = set(doc.nodes)

        def fresh():  # (activations inside a module instance are named "instance/inner")
            snap = runner.snapshot
            return snap is None or (snap.step == 0 and {k.split("/")[0] for k in snap.activations} <= ids)
        self.wait_until(fresh, f"the panels show step {getattr(runner.snapshot, 'step', None)} of "
                               "another document (or of the model before the reset)")

    # ----- what the user does -------------------------------------------------------------
    @rule(data=st.data())
    def act(self, data):
        """One user action, drawn from ACTIONS (one rule rather than one per action:
        hypothesis picks among many rules with a strong bias towards the first ones)."""
        getattr(self, data.draw(st.sampled_from(ACTIONS), label="action"))(data)

    # ----- editing --------------------------------------------------------------------
    def add_from_palette(self, data):
        type_name = data.draw(st.sampled_from(NODE_TYPES), label="type")
        palette = self.win.palette
        (item,) = [i for i in palette.type_items() if i.data(0, TYPE_ROLE) == type_name]
        before = set(self.scene.graph.nodes)
        palette.tree.setCurrentItem(item)
        palette.tree.itemActivated.emit(item, 0)
        added = set(self.scene.graph.nodes) - before
        assert len(added) == (0 if self.scene.read_only else 1)
        self.step_done()

    def connect(self, data):
        """Drag from an output port to an input port (valid or not: the scene decides)."""
        items = self.scene.node_items
        outs = [(n, p) for n, it in items.items() for p in it.outputs]
        ins = [(n, p) for n, it in items.items() for p in it.inputs]
        if not outs or not ins:
            return
        pairs = [(o, i) for o in sorted(outs) for i in sorted(ins)]
        valid = [p for p in pairs if model.link_problem(self.scene.graph, *p[0], *p[1]) is None]
        # half the drags onto a port that accepts them (most random pairs are refused)
        if valid and data.draw(st.booleans(), label="a valid link"):
            src, dst = data.draw(st.sampled_from(valid), label="link")
        else:
            src, dst = data.draw(st.sampled_from(pairs), label="link")
        before = len(self.scene.graph.edges)
        ok = self.scene.connect_ports(src[0], src[1], dst[0], dst[1])
        assert len(self.scene.graph.edges) == before + (1 if ok else 0)
        self.count("links made" if ok else "links refused")
        self.step_done()

    def select(self, data):
        nodes = sorted(self.scene.node_items)
        edges = list(self.scene.edge_items)
        chosen = data.draw(st.lists(st.sampled_from(nodes), unique=True, max_size=4), label="nodes") if nodes else []
        self.scene.select_nodes(chosen)
        if edges and data.draw(st.booleans(), label="and a link"):
            e = data.draw(st.sampled_from(range(len(edges))), label="link")
            self.scene.edge_items[edges[e]].setSelected(True)
        self.step_done()

    def delete(self, data):
        self.win.view.setFocus()
        self.win.actions["delete"].trigger()
        self.step_done()

    def undo(self, data):
        n = data.draw(st.integers(1, 3), label="times")
        for _ in range(n):
            self.win.actions["undo"].trigger()
        self.step_done()

    def redo(self, data):
        n = data.draw(st.integers(1, 3), label="times")
        for _ in range(n):
            self.win.actions["redo"].trigger()
        self.step_done()

    def copy(self, data):
        self.win.actions["copy"].trigger()
        self.step_done()

    def paste(self, data):
        self.win.actions["paste"].trigger()
        self.step_done()

    def group(self, data):
        modules = len(self.win.document.modules)
        self.win.actions["group"].trigger()
        if len(self.win.document.modules) > modules:
            self.count("modules made")
        self.step_done()

    def enter_module(self, data):
        """Open a module's or a ready-made block's inside (Edit > Open Module Inside)."""
        openable = [n for n, node in self.scene.graph.nodes.items()
                    if node.type in ("Module", "MixtureOfExperts")]
        if not openable:
            return
        self.scene.select_nodes([data.draw(st.sampled_from(sorted(openable)), label="module")])
        self.win.actions["open_module"].trigger()
        if len(self.scene.nav) > 1:
            self.count("module insides shown")
        self.step_done()

    def leave_module(self, data):
        self.win.actions["up"].trigger()
        self.step_done()

    def _inspect_one(self, data):
        nodes = sorted(self.scene.node_items)
        if not nodes:
            return None
        nid = data.draw(st.sampled_from(nodes), label="inspect")
        self.scene.select_nodes([nid])
        assert self.win.inspector.node_id == nid
        return nid

    def rename(self, data):
        """Type a label in the inspector and leave the field."""
        if self._inspect_one(data) is None or self.win.inspector.label_edit.isReadOnly():
            return  # (a ready-made block's inside: its fields take no typing)
        label = data.draw(st.sampled_from(["hidden", "", "x", "très long nom", "Loss"]), label="label")
        edit = self.win.inspector.label_edit
        edit.setText(label)
        edit.editingFinished.emit()
        self.step_done()

    def change_parameter(self, data):
        """Edit one of the selected node's parameters with its inspector widget."""
        if self._inspect_one(data) is None:
            return
        form = self.win.inspector.form
        if form is None or not form.editors or not form.isEnabled():
            return
        name = data.draw(st.sampled_from(sorted(form.editors)), label="parameter")
        w = form.editors[name]
        if isinstance(w, QCheckBox):
            w.setChecked(not w.isChecked())
        elif isinstance(w, QComboBox):
            w.setCurrentIndex(data.draw(st.integers(0, w.count() - 1), label="choice"))
        elif isinstance(w, QSpinBox):
            w.setValue(data.draw(st.integers(max(w.minimum(), -3), min(w.maximum(), 64)), label="int"))
        elif isinstance(w, FloatSpin):
            w.setValue(data.draw(st.floats(max(w.minimum(), -2.0), min(w.maximum(), 2.0)), label="float"))
        elif isinstance(w, QLineEdit):
            w.setText(data.draw(st.sampled_from(["", "2", "1, 8", "4", "-1", "x", "3, 0"]), label="text"))
            w.editingFinished.emit()
        self.step_done()

    # ----- files ------------------------------------------------------------------------
    def new(self, data):
        self.answer_unsaved(data)
        before = self.win.document.to_dict()
        self.win.actions["new"].trigger()
        if self.went_ahead():
            assert not self.win.document.nodes and not self.win.document.modules
            self.replaced(None)
            self.panels_follow_the_document()
        else:
            assert self.win.document.to_dict() == before
        self.step_done()

    def open_example(self, data):
        if not EXAMPLES:
            return
        name = data.draw(st.sampled_from(EXAMPLES), label="example")
        """File > Examples > (one of them)."""
        self.answer_unsaved(data)
        (action,) = [a for a in self.win.lesson_actions() if Path(a.toolTip()).name == name]
        action.trigger()
        if self.went_ahead():
            assert self.win.document == fileformat.load(lessons_dir() / name), f"{name} opened as another graph"
            assert self.win.example == name  # a copy of the example: Save asks where
            self.replaced(None)
            self.panels_follow_the_document()
        self.step_done()

    def open_corrupt_file(self, data):
        name = data.draw(st.sampled_from(sorted(CORRUPT_FILES)), label="file")
        """File > Open on a file that cannot be read: a message, nothing else changes."""
        path = self._new_path(name)
        path.write_bytes(CORRUPT_FILES[name])
        self.answer_unsaved(data)
        shown = len(self.win.dialogs.shown)
        before = self.win.document.to_dict()
        self.win.dialogs.answers["open_file"] = str(path)
        self.win.actions["open"].trigger()
        if self.went_ahead():
            assert len(self.win.dialogs.shown) == shown + 1, f"opening {name} said nothing"
            kind, _title, message = self.win.dialogs.shown[-1]
            assert kind == "error" and "\n" not in message.strip(), message
            self.count("bad files refused")
        assert self.win.path == self.path and self.win.document.to_dict() == before
        self.step_done()

    def save(self, data):
        had_path = self.win.path
        if not had_path:
            self.win.dialogs.answers["save_file"] = str(self._new_path("untitled", ".nnpg"))
        self.win.actions["save"].trigger()
        assert not self.win.is_dirty()
        self.saved(self.win.path)
        self.step_done()

    def save_as(self, data):
        path = self._new_path("copy", data.draw(st.sampled_from([".nnpg", ""]), label="suffix"))
        self.win.dialogs.answers["save_file"] = str(path)
        self.win.actions["save_as"].trigger()
        assert self.win.path == str(path) + ("" if path.suffix else ".nnpg")
        self.saved(self.win.path)
        self.step_done()

    def autosave(self, data):
        """The autosave timer fires: what it writes is the document."""
        if self.win.autosave_now():
            assert fileformat.load(self.win.autosaver.file) == self.win.document, \
                "the autosave does not reload as the document"
            self.count("autosaves checked")
        self.step_done()

    def reopen(self, data):
        """File > Open on the file being edited (saved): the same document comes back."""
        if not (self.path and Path(self.path).exists() and not self.win.is_dirty()):
            return
        before = self.win.document.to_dict()
        self.win.dialogs.answers["open_file"] = self.path
        self.win.actions["open"].trigger()
        assert self.win.document.to_dict() == before == fileformat.load(self.path).to_dict()
        self.replaced(self.path)
        self.panels_follow_the_document()
        self.step_done()

    # ----- training ------------------------------------------------------------------------
    def _trainable(self):
        runner = self.win.runner
        return runner.snapshot is not None and not self.win._panels_link._edit_timer.isActive()

    def _paused_at_the_models_step(self, what):
        """Paused: the panels show the step the session is at (not an older probe's)."""
        runner = self.win.runner
        self.wait_until(lambda: not runner.running, f"training still runs after {what}")
        at = []   # the step the worker's session is at (None: no session), each time asked

        def shown():
            at.append(worker_step(runner))
            return at[-1] is None or runner.snapshot is None or runner.snapshot.step == at[-1]
        try:
            self.qtbot.waitUntil(shown, timeout=SETTLE_MS)
        except Exception:  # noqa: BLE001 - pytest-qt's TimeoutError: report the invariant instead
            raise AssertionError(f"after {what} the panels show step {getattr(runner.snapshot, 'step', None)}, "
                                 f"the model is at {at[-1] if at else None}") from None
        if runner.snapshot is not None and runner.snapshot.step > 0:
            self.count("pauses on a trained model")

    def step(self, data):
        self.win.actions["step"].trigger()
        if self._trainable():
            self._paused_at_the_models_step("Step")
        self.step_done()

    def run_then_pause(self, data):
        ms = data.draw(st.integers(0, 150), label="ms")
        self.win.actions["run"].trigger()
        self.qtbot.wait(ms)
        self.win.actions["pause"].trigger()
        self._paused_at_the_models_step("Pause")
        self.step_done()

    def reset_training(self, data):
        self.win.actions["reset"].trigger()
        self.panels_follow_the_document()
        self.step_done()

    # ----- after every step ----------------------------------------------------------------
    @invariant()
    def window_shows_the_document(self):
        # what the action set in motion is on screen: queued events run, the panels redrawn
        QApplication.processEvents()
        runner = self.win.runner
        self.wait_until(lambda: not runner._dirty, "the panels never redrew")
        problems = [f"exception in a Qt slot: {e}" for e in self.slot_errors] + check_window(self.win)
        assert not problems, "\n".join(problems + ["after:"] + self.trace)

    @invariant()
    def dirty_flag_and_file_tell_the_truth(self):
        assert self.win.path == self.path, f"editing {self.win.path}, expected {self.path}"
        if not self.win.is_dirty():
            assert self.win.document.to_dict() == self.clean, \
                "the window says 'no unsaved changes' but the document differs from the file"


def run_machine(qtbot, tmp_path, max_examples, steps):
    WindowMachine.qtbot, WindowMachine.tmp = qtbot, tmp_path
    WindowMachine.figures = {"sequences": 0, "steps": 0}
    # Shrinking replays whole window sessions (a second or more each): only the long run
    # takes the time; a short run's failure prints its sequence and a seed to replay it.
    phases = [Phase.explicit, Phase.reuse, Phase.generate] + ([Phase.shrink] if FUZZ else [])
    run_state_machine_as_test(WindowMachine, settings=settings(
        max_examples=max_examples, stateful_step_count=steps, deadline=None, phases=phases,
        suppress_health_check=list(HealthCheck), print_blob=True))
    return WindowMachine.figures


@pytest.mark.fuzz
def test_window_state_machine(qtbot, tmp_path):
    figures = run_machine(qtbot, tmp_path, examples(6, 120), examples(25, 50))
    # (a failure raises above: reaching here means no step broke an invariant)
    sequences, steps = figures.pop("sequences"), figures.pop("steps")
    report("window state machine", sequences=sequences, steps=steps, invariant_failures=0,
           **dict(sorted(figures.items())))


# ----- what the machine found, kept as plain regression tests ------------------------------
@pytest.fixture
def window(qtbot, tmp_path):
    win = MainWindow(dialogs=ScriptedDialogs(unsaved_changes="discard"), data_dir=tmp_path / "data")
    win.show()
    yield win
    _close(win)


def test_paste_with_an_empty_clipboard_is_refused_not_a_crash(window):
    QApplication.clipboard().clear()
    errors = []
    hook, sys.excepthook = sys.excepthook, lambda *exc: errors.append(exc)
    try:
        window.actions["paste"].trigger()
    finally:
        sys.excepthook = hook
    assert not errors
    assert window.scene.last_refusal == "the clipboard holds no nodes to paste"


def test_reset_clears_the_panels_even_when_the_graph_no_longer_builds(window, qtbot):
    runner = window.runner
    assert window.open_file(str(lessons_dir() / "xor_mlp.nnpg"))
    qtbot.waitUntil(lambda: runner.snapshot is not None, timeout=SETTLE_MS)
    runner.step_n(30)
    qtbot.waitUntil(lambda: runner.snapshot.step == 30, timeout=SETTLE_MS)
    window.scene.select_nodes(["hidden"])
    window.actions["delete"].trigger()  # the graph no longer builds
    window.actions["reset"].trigger()
    qtbot.waitUntil(lambda: "not connected" in runner.last_message, timeout=SETTLE_MS)
    assert runner.snapshot is None and len(runner.history) == 0
    assert not check_window(window)
