"""The Qt binding must not lose references to None: on Python < 3.12 that crashes a desk after a few
thousand calls ("deallocating None"), as PySide6 6.12.0 did for every method returning nothing."""

from __future__ import annotations

import sys

from PySide6.QtGui import QFont, QImage, QPainter
from PySide6.QtWidgets import QLabel


def test_void_qt_calls_keep_none_alive(qapp):
    label, image, font = QLabel(), QImage(8, 8, QImage.Format.Format_RGB32), QFont()
    before = sys.getrefcount(None)
    for _ in range(500):
        label.setText("x")
    painter = QPainter(image)
    for _ in range(500):
        painter.setFont(font)
    painter.end()
    assert sys.getrefcount(None) - before > -50  # a leaking binding would be about -1000
