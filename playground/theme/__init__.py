"""Colours, fonts and line widths of the editor and the plots, and presentation mode.

One ``Theme`` object is current at a time; presentation mode scales fonts and lines
for projectors. Items read the theme when they paint, so switching it and calling
``scene.update()`` is enough; the panels restyle their plots from it
(``playground.panels.base.Panel.apply_theme``).

``scheme`` names the plots' colour scheme (``SCHEMES``): "standard", TensorFlow Playground's
colours, or "projector", saturated Okabe-Ito colours that stay apart on a washed-out
projector and for colour-blind viewers, and cividis for heat.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont

from engine.graph.registry import COST, FUNCTION, MODULE, OBSERVED, PARAMETER


#: per scheme: the series and extra class colours (RGB) and the heat map (a pyqtgraph colormap).
#: Orange / blue for negative / positive stay in both: that pair is told apart by every common
#: colour blindness, and the lessons' text names them.
SCHEMES = {
    "standard": {
        "series": [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
                   (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)],
        "classes": [(60, 170, 80), (200, 60, 60), (150, 90, 200), (140, 86, 75), (227, 119, 194),
                    (127, 127, 127), (188, 189, 34), (23, 190, 207)],
        "heat": "viridis",
    },
    # Okabe & Ito (2008), the pale yellow last: it vanishes on a projected white background
    "projector": {
        "series": [(0, 114, 178), (213, 94, 0), (0, 158, 115), (204, 121, 167), (86, 180, 233),
                   (230, 159, 0), (0, 0, 0), (120, 120, 120), (240, 228, 66), (150, 90, 40)],
        "classes": [(0, 158, 115), (204, 121, 167), (86, 180, 233), (213, 94, 0), (0, 0, 0),
                    (120, 120, 120), (240, 228, 66), (150, 90, 40)],
        "heat": "cividis",
    },
}


@dataclass
class Theme:
    presentation: bool = False
    scheme: str = "standard"
    #: the application's font size outside presentation mode (which scales the app's font)
    base_point_size: float | None = None

    @property
    def plot_scale(self) -> float:
        """How much the plots' text, lines and markers grow (and the window's fonts): more
        than the canvas, whose node spacing is fixed by the files."""
        return 1.8 if self.presentation else 1.0

    # --- scale --------------------------------------------------------
    @property
    def font_scale(self) -> float:
        return 1.5 if self.presentation else 1.0

    @property
    def line_scale(self) -> float:
        return 2.0 if self.presentation else 1.0

    def font(self, size: float = 9.0, bold: bool = False) -> QFont:
        f = QFont()
        f.setPointSizeF(size * self.font_scale)
        f.setBold(bold)
        return f

    def pen_width(self, width: float = 1.5) -> float:
        return width * self.line_scale

    # --- colours (Figure 6 of the course notes: shaded observed variables,
    #     open computed variables, boxes for functions, a distinct colour for costs)
    canvas = QColor("#fbfbf8")
    grid = QColor("#ecebe4")
    grid_major = QColor("#dedcd2")
    text = QColor("#1d1d1f")
    muted_text = QColor("#6b6b70")
    outline = QColor("#3b3b40")
    selection = QColor("#2f7be5")
    edge = QColor("#59606b")
    edge_hover = QColor("#2f7be5")
    port = QColor("#ffffff")
    error = QColor("#d93025")
    warning = QColor("#e69500")

    fills = {
        OBSERVED: QColor("#b9c3cf"),     # shaded circle
        PARAMETER: QColor("#d9c8ef"),
        FUNCTION: QColor("#ffffff"),     # open rounded box
        COST: QColor("#f7c8b5"),
        MODULE: QColor("#e3efe0"),
    }
    outlines = {
        OBSERVED: QColor("#3b4a5c"),
        PARAMETER: QColor("#5c3b8a"),
        FUNCTION: QColor("#3b3b40"),
        COST: QColor("#b8431d"),
        MODULE: QColor("#2f6b3a"),
    }

    def fill_for(self, category: str) -> QColor:
        return self.fills.get(category, self.fills[FUNCTION])

    def outline_for(self, category: str) -> QColor:
        return self.outlines.get(category, self.outline)


_PALETTE = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6",
            "#9a6324", "#469990", "#808000", "#000075", "#bfef45")


def tie_color(tie: str) -> QColor:
    """A stable colour for a weight-sharing group, the same in every session."""
    digest = hashlib.md5(tie.encode("utf-8")).digest()
    return QColor(_PALETTE[digest[0] % len(_PALETTE)])


_current = Theme()


def current() -> Theme:
    return _current


def set_presentation(on: bool) -> Theme:
    _current.presentation = bool(on)
    return _current


def set_scheme(name: str) -> Theme:
    if name not in SCHEMES:
        raise ValueError(f"unknown colour scheme {name!r}: one of {', '.join(SCHEMES)}")
    _current.scheme = name
    return _current


#: the widget classes whose font a platform theme may set apart from the app's (a smaller
#: dock title, a menu font): presentation mode scales each
FONT_CLASSES = ("QDockWidgetTitle", "QMenu", "QMenuBar", "QToolButton", "QTipLabel", "QHeaderView",
                "QMessageBox", "QLabel", "QTabBar", "QGroupBox", "QComboMenuItem", "QStatusBar")
_base_fonts: dict = {}


def scale_app_fonts(theme: Theme):
    """The application's fonts (the default and each of ``FONT_CLASSES``) times the theme's
    ``plot_scale``, from the sizes they had before the first scaling."""
    from PySide6.QtWidgets import QApplication  # noqa: PLC0415

    if not _base_fonts:
        _base_fonts[None] = QApplication.font()
        _base_fonts.update({name: QApplication.font(name) for name in FONT_CLASSES})
        theme.base_point_size = _base_fonts[None].pointSizeF()
    for name, base in _base_fonts.items():
        font = QFont(base)
        font.setPointSizeF(base.pointSizeF() * theme.plot_scale)
        QApplication.setFont(font) if name is None else QApplication.setFont(font, name)


_POINTS = re.compile(r"font-size:\s*([\d.]+)pt")


def scale_style_sheets(widgets, factor: float):
    """Scale the ``font-size: Npt`` of the widgets' own style sheets by ``factor`` (of the
    sheet the widget had at factor 1), and make every widget with a style sheet take the
    application's font again: Qt keeps the font a style sheet was polished with."""
    for w in widgets:
        current = w.styleSheet()
        if not current:
            continue
        own = w.property("nnpg_sheet")
        if own is None or current != w.property("nnpg_scaled"):
            own = current   # the widget set a new sheet since
        scaled = _POINTS.sub(lambda m: f"font-size: {float(m.group(1)) * factor:.1f}pt", own)
        w.setProperty("nnpg_sheet", own)
        w.setProperty("nnpg_scaled", scaled)
        w.setStyleSheet(scaled)
