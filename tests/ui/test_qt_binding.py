"""The Qt binding itself: PySide6 6.12.0 on Python 3.11 dropped a reference to None at every
call of a Qt method that returns nothing, and a tray app running for half an hour aborted
("none_dealloc"). pyproject.toml keeps that release out; this keeps it out."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel


def test_calling_qt_keeps_nones_references(qtbot):
    label = QLabel("x")
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for i in range(2000):
        label.setText(str(i))
        label.update()
    # Python 3.12+ has an immortal None (a constant count); 3.11 counts: none may be lost.
    assert sys.getrefcount(None) >= before - 50
