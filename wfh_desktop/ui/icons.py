"""The tray icon, drawn in code so that it tells the timer's state at 16 px.

Idle: a grey ring. Running: the ring fills clockwise with the share of the target used — green
under 80 %, amber from 80 %, red over target (a full red disc). Paused: two bars. Every shape has
a dark outline inside a light one, so it reads on light and on dark panels.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap

SIZES = (16, 22, 24, 32, 48, 64)
NEAR = 0.8  # from this share of the target on, the icon turns amber

GREY = QColor("#8a8f98")
GREEN = QColor("#1e9e4a")
AMBER = QColor("#e8a317")
RED = QColor("#d93025")
DARK = QColor(20, 20, 20, 230)
LIGHT = QColor(255, 255, 255, 230)


class IconState(Enum):
    IDLE = "idle"
    UNDER = "under"
    NEAR = "near"
    OVER = "over"
    PAUSED = "paused"


def state_for(running: bool, paused: bool, fraction: float) -> IconState:
    if running:
        if fraction > 1.0:
            return IconState.OVER
        return IconState.NEAR if fraction >= NEAR else IconState.UNDER
    return IconState.PAUSED if paused else IconState.IDLE


def draw(state: IconState, fraction: float, size: int) -> QPixmap:
    """One picture of the icon; ``fraction`` is the share of the target used (0 when idle)."""
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    ring = max(3.0, size / 5)  # ring width: thick enough to read at 16 px
    outer = QRectF(1, 1, size - 2, size - 2)
    mid = outer.adjusted(ring / 2, ring / 2, -ring / 2, -ring / 2)

    def stroke(color: QColor, width: float) -> QPen:
        pen = QPen(color, width)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        return pen

    # The outlines: light outside, dark inside the light, then the track.
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(stroke(LIGHT, ring + 2))
    p.drawEllipse(mid)
    p.setPen(stroke(DARK, ring + 1))
    p.drawEllipse(mid)
    p.setPen(stroke(GREY.darker(160) if state is not IconState.IDLE else GREY, ring - 0.5))
    p.drawEllipse(mid)
    if state is IconState.OVER:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(RED)
        p.drawEllipse(outer.adjusted(1, 1, -1, -1))
    elif state in (IconState.UNDER, IconState.NEAR):
        color = AMBER if state is IconState.NEAR else GREEN
        span = int(-360 * 16 * min(max(fraction, 0.04), 1.0))
        p.setPen(stroke(color, ring - 0.5))
        p.drawArc(mid, 90 * 16, span)
    if state is IconState.PAUSED:
        bar_w, bar_h = max(1.5, size / 8), size * 0.4
        top = (size - bar_h) / 2
        p.setPen(stroke(DARK, 1))
        p.setBrush(LIGHT)
        for x in (size / 2 - bar_w * 1.4, size / 2 + bar_w * 0.4):
            p.drawRect(QRectF(x, top, bar_w, bar_h))
    p.end()
    return pix


def make_icon(state: IconState, fraction: float) -> QIcon:
    icon = QIcon()
    for size in SIZES:
        icon.addPixmap(draw(state, fraction, size))
    return icon
