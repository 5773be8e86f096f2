"""Write the app icon: assets/icons/nn-playground.svg and a 256 px PNG rendered from it.

    .venv/bin/python packaging/make_icons.py

The SVG is the source (a tiny three-layer network on a rounded square); the PNG is
rendered from it with Qt's SVG renderer, so the two always agree. Both are committed;
run this again only after changing the drawing below.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parents[1] / "assets" / "icons"
NAME = "nn-playground"
PNG_SIZE = 256

# Node centres per layer (x, [y...]) on a 64x64 canvas; every node links to the next layer.
LAYERS = [(16, [20, 44]), (32, [14, 32, 50]), (48, [32])]
NODE_FILL = {0: "#f2c14e", 1: "#ffffff", 2: "#f78154"}  # observed, computed, output


def svg_text() -> str:
    lines, nodes = [], []
    for (x0, ys0), (x1, ys1) in zip(LAYERS, LAYERS[1:]):
        for y0 in ys0:
            for y1 in ys1:
                lines.append(f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}"/>')
    for i, (x, ys) in enumerate(LAYERS):
        for y in ys:
            nodes.append(f'<circle cx="{x}" cy="{y}" r="5.5" fill="{NODE_FILL[i]}"/>')
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">\n'
            '<rect x="2" y="2" width="60" height="60" rx="12" fill="#2b4c7e"/>\n'
            '<g stroke="#a9c4eb" stroke-width="2">' + "".join(lines) + "</g>\n"
            '<g stroke="#1b2f4f" stroke-width="1.5">' + "".join(nodes) + "</g>\n</svg>\n")


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QByteArray, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    ICONS.mkdir(parents=True, exist_ok=True)
    text = svg_text()
    (ICONS / f"{NAME}.svg").write_text(text, encoding="utf-8")
    image = QImage(PNG_SIZE, PNG_SIZE, QImage.Format_ARGB32)
    image.fill(Qt.transparent)
    painter = QPainter(image)
    QSvgRenderer(QByteArray(text.encode())).render(painter)
    painter.end()
    out = ICONS / f"{NAME}-{PNG_SIZE}.png"
    if not image.save(str(out)):
        print(f"make_icons: could not write {out}", file=sys.stderr)
        return 1
    print(f"wrote {ICONS / (NAME + '.svg')} and {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
