"""Colours, fonts and line widths of the editor, and presentation mode.

One ``Theme`` object is current at a time; presentation mode scales fonts and lines
for projectors. Items read the theme when they paint, so switching it and calling
``scene.update()`` is enough.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont

from engine.graph.registry import COST, FUNCTION, MODULE, OBSERVED, PARAMETER


@dataclass
class Theme:
    presentation: bool = False

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
