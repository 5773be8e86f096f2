"""Keys for what panels paint on the canvas (issue 20: a projector audience must be able to
read them): the gradient heat of the Diagnostics panel, the edge colouring of the Weights panel.
Each key is a row under the checkbox that turns its colouring on, shown only while it is on."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QLinearGradient, QPainter, QPen
from PySide6.QtWidgets import QWidget

GAP, SAMPLE_W = 6.0, 26.0


class ColourKey(QWidget):
    """A row of samples with their words: ``("ramp", low colour, high colour, low text, high
    text)`` (a colour ramp between two words) or ``("line", colour, width, text)``."""

    def __init__(self, entries, tooltip: str = "", parent=None):
        super().__init__(parent)
        self.entries = list(entries)
        self.setToolTip(tooltip)

    def _text_w(self, text) -> float:
        return QFontMetricsF(self.font()).horizontalAdvance(text)

    def sizeHint(self):
        w = 0.0
        for e in self.entries:
            if e[0] == "ramp":
                w += self._text_w(e[3]) + SAMPLE_W * 2 + self._text_w(e[4]) + 4 * GAP
            else:
                w += SAMPLE_W + self._text_w(e[3]) + 3 * GAP
        return QSize(int(w) + 2, int(QFontMetricsF(self.font()).height()) + 4)

    def minimumSizeHint(self):   # a narrow dock clips the key rather than grow for it
        return QSize(40, self.sizeHint().height())

    def paintEvent(self, event):
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        h = float(self.height())
        mid = h / 2
        x = 0.0
        text_pen = self.palette().windowText().color()

        def word(text):
            nonlocal x
            w = self._text_w(text)
            p.setPen(text_pen)
            p.drawText(QRectF(x, 0, w + 1, h), Qt.AlignVCenter | Qt.AlignLeft, text)
            x += w + GAP

        for e in self.entries:
            if e[0] == "ramp":
                _kind, low, high, low_text, high_text = e
                word(low_text)
                bar = QRectF(x, mid - 5, SAMPLE_W * 2, 10)
                ramp = QLinearGradient(bar.topLeft(), bar.topRight())
                ramp.setColorAt(0.0, QColor(low))
                ramp.setColorAt(1.0, QColor(high))
                p.setPen(QPen(QColor(120, 120, 120), 1))
                p.setBrush(ramp)
                p.drawRoundedRect(bar, 3, 3)
                x += bar.width() + GAP
                word(high_text)
            else:
                _kind, colour, width, text = e
                p.setPen(QPen(QColor(colour), width, Qt.SolidLine, Qt.RoundCap))
                p.drawLine(QPointF(x + 2, mid), QPointF(x + SAMPLE_W - 2, mid))
                x += SAMPLE_W + GAP / 2
                word(text)
            x += GAP
        p.end()


def heat_key(cold: QColor, hot: QColor, parent=None) -> ColourKey:
    """Gradient heat: a node's fill goes from its own colour (the smallest gradient of the
    graph) to red (the largest), on a log scale over the nodes."""
    return ColourKey([("ramp", cold, hot, QCoreApplication.translate("ColourKey", "small |g|"),
                       QCoreApplication.translate("ColourKey", "large |g|"))],
                     QCoreApplication.translate("ColourKey", "Node colour: the size of its gradient, on a log "
                                                "scale from the smallest gradient in the graph (no red) "
                                                "to the largest (red)"), parent)


def edge_key(positive: QColor, negative: QColor, mixed: QColor, parent=None) -> ColourKey:
    """Edge colouring: the sign of a layer's weights (colour) and their size (width)."""
    return ColourKey([("line", positive, 3, QCoreApplication.translate("ColourKey", "weights > 0")),
                      ("line", negative, 3, QCoreApplication.translate("ColourKey", "< 0")),
                      ("line", mixed, 3, QCoreApplication.translate("ColourKey", "mixed")),
                      ("line", mixed, 6, QCoreApplication.translate("ColourKey", "thick: large"))],
                     QCoreApplication.translate("ColourKey", "Edges into small layers: colour = sign of the "
                                                "layer's weights (grey when signs are mixed), width = "
                                                "their size, relative to the largest layer"), parent)
