"""The main views beside the canvas, and the chooser that puts the right one in front.

A *view* is a panel that draws what the model does on its data: the decision boundary of a
2-D dataset, the fit of a 1-D function, classified images, sequences, predictions against
targets. Every view is a :class:`ViewPanel`, and they all share one tabbed dock (the LAYOUT
group "boundary" in panels/__init__.py), so the tabs are the user's choice of view.

Adding a view (e.g. the sequence view):

1. Subclass ``ViewPanel`` with ``name`` and ``title``, and a classmethod ``suits(dataset)``
   returning how well it fits the data: 1.0 for the view made for this kind of data
   (``engine.train.views.input_kind``: "plane", "line", "image", "sequence", "other"),
   0 for data it cannot draw; the generic "predictions" view answers 0.1 for anything.
2. Let the engine compute its numbers: a view function registered with
   ``@engine.train.views.view("name")`` (or any object with ``compute(session)``) put in
   ``needs()`` as ``self.request_view("name", **options)``; the worker computes it
   while the view is on screen and the panel finds the result in ``runner.views[self.name]``.
3. In ``refresh``, start with ``if self.explain_unsuited(runner.dataset): return`` (the
   body's place then says which view shows these data).
4. Add it to LAYOUT with the group "boundary" (after the existing views).

The chooser puts the best-suited view in front when a document's data arrive and whenever
the best view for the data changes (a new dataset of another kind); otherwise it leaves the
user's tab alone. A lesson (or any code) raises a view with ``panel.raise_()``: raised after
a new document was opened and before its data arrive, that choice is kept when the data come
(if the view suits them at all).
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QObject

from engine.train import views as engine_views

from .base import Panel


class ViewPanel(Panel):
    """A main view: a panel that says how well it suits a dataset."""

    #: the ViewChooser that listens for explicit raises (set by the chooser)
    chooser = None

    @classmethod
    def suits(cls, dataset) -> float:
        """How well this view draws ``dataset``: 0 (not at all) to 1 (made for it)."""
        return 0.0

    def suitability(self, dataset) -> float:
        """``suits(dataset)`` for the graph being trained: what the chooser compares. A view
        made for a kind of model (the latent view of autoencoders) reads the window's
        document here too; the rest go by the data alone."""
        return self.suits(dataset)

    def request_view(self, view: str, **options):
        """What ``needs()`` returns for the engine view ``view`` (with ``options``): the
        request while the data (and the graph: ``suitability``) suit this panel, else None
        (nothing to compute)."""
        ds = self.runner.dataset
        if ds is None or self.suitability(ds) <= 0:
            return None
        return {self.name: engine_views.ViewRequest.of(view, **options)}

    def add_body(self):
        """The view's drawing area, ``self.body`` (a GraphicsLayoutWidget filling the panel),
        and ``self.note``, shown in its place when the data do not suit (explain_unsuited)."""
        self.body = pg.GraphicsLayoutWidget()
        self.vbox.addWidget(self.body, 1)
        self.note = self.add_note()
        return self.body

    def add_plot_body(self):
        """``add_body`` holding one plot, without pyqtgraph's buttons and context menu."""
        plot = self.add_body().addPlot()
        plot.hideButtons()
        plot.setMenuEnabled(False)
        return plot

    def image_box(self, row, col, colspan=1):
        """A view box of ``self.body`` for an image: its aspect kept, row 0 at the top."""
        vb = self.body.addViewBox(row=row, col=col, colspan=colspan, lockAspect=True, enableMouse=False)
        vb.invertY(True)
        return vb

    def __init__(self, runner, window=None):
        super().__init__(runner, window)
        runner.reset_done.connect(self._forget_data)

    def _forget_data(self):
        if self.runner.dataset is None:   # a new document: no word about the old one's data
            self.note.setText("")
            self.note.hide()
            body = getattr(self, "body", None)
            if body is not None:
                body.show()

    def raise_(self):
        super().raise_()
        if self.chooser is not None:
            self.chooser.raised(self)

    def _on_redraw(self, runner):
        # what a view asks the worker for depends on the data: ask again when they change
        # (the view may have been shown before they arrived)
        if self.is_shown() and runner.data_version != getattr(self, "_needs_version", None):
            self._needs_version = runner.data_version
            self.update_needs()
        super()._on_redraw(runner)

    def explain_unsuited(self, dataset) -> bool:
        """When ``dataset`` does not suit this view: show the note in place of the body
        (``self.body``), saying which view does, and return True."""
        unsuited = dataset is not None and self.suitability(dataset) <= 0
        body = getattr(self, "body", None)
        if body is not None:
            body.setVisible(not unsuited)
        self.note.setVisible(unsuited)
        if unsuited:
            shape = "×".join(str(n) for n in dataset.x_train.shape[1:])
            best = self.chooser.best(dataset) if self.chooser is not None else None
            text = QCoreApplication.translate(
                "ViewPanel", "{what}\n{data} has inputs of shape {shape}.").format(
                what=self.made_for(), data=dataset.name, shape=shape)
            if best is not None and best is not self:
                text += "\n" + QCoreApplication.translate(
                    "ViewPanel", "The \u201c{view}\u201d view shows it.").format(view=best.windowTitle())
            self.note.setText(text)
        return unsuited

    def made_for(self) -> str:
        """One sentence: which data this view draws (shown when the data do not suit)."""
        return ""


class ViewChooser(QObject):
    """Raises the view that suits the data best; see the module docstring."""

    def __init__(self, runner, views):
        super().__init__(runner)
        self.runner = runner
        self.views = list(views)
        self._best = None      # name of the best view for the data shown (None: no data yet)
        self._choice = None    # a view raised explicitly while waiting for a new document's data
        self._version = None
        self._auto = False
        for v in self.views:
            v.chooser = self
        runner.redraw.connect(self._on_redraw)
        runner.reset_done.connect(self._on_reset)

    def best(self, dataset):
        """The view with the highest ``suitability(dataset)`` (the first in LAYOUT on a tie)."""
        scored = [(v.suitability(dataset), -i, v) for i, v in enumerate(self.views)]
        if not scored:
            return None
        score, _, view = max(scored, key=lambda t: t[:2])
        return view if score > 0 else None

    def raised(self, view):
        if not self._auto and self._best is None:
            self._choice = view.name

    def _on_reset(self):
        # a new document (Runner.clear: no run, no data): choose afresh for its data. Its
        # first frame says "reset" again, with the data: a view raised in between is kept.
        if self.runner.snapshot is None and self.runner.dataset is None:
            self._best, self._choice = None, None

    def _on_redraw(self, runner):
        if runner.dataset is None or runner.data_version == self._version:
            return
        self._version = runner.data_version
        best = self.best(runner.dataset)
        if best is None or best.name == self._best:
            return
        first = self._best is None
        self._best = best.name
        chosen = next((v for v in self.views if v.name == self._choice), None)
        self._choice = None
        if first and chosen is not None and chosen.suitability(runner.dataset) > 0:
            return   # raised for this document (a lesson's view): keep it
        self._auto = True
        try:
            best.raise_()
        finally:
            self._auto = False
