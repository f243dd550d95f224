"""Chart images for emailed reports: simple bar charts painted on a QImage (no window needed)."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter


def bar_chart_png(
    title: str,
    labels: list[str],
    values: list[float],
    color: str = "#1e88e5",
    percent: bool = False,
    target: float | None = None,
    size: tuple[int, int] = (640, 320),
) -> bytes:
    """A titled bar chart as PNG bytes; `target` draws a dashed line (e.g. the 95% goal)."""
    width, height = size
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont()
    font.setPixelSize(18)
    painter.setFont(font)
    painter.setPen(QColor("#263238"))
    painter.drawText(QRectF(0, 6, width, 28), Qt.AlignmentFlag.AlignHCenter, title)
    top, bottom, left, right = 48.0, height - 48.0, 24.0, width - 24.0
    peak = max([*values, target or 0, 1e-9]) * 1.1
    n = max(1, len(values))
    slot = (right - left) / n
    small = QFont()
    small.setPixelSize(13)
    painter.setFont(small)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = (bottom - top) * value / peak
        x = left + i * slot + slot * 0.15
        painter.fillRect(QRectF(x, bottom - h, slot * 0.7, h), QColor(color))
        painter.setPen(QColor("#263238"))
        text = f"{value:.0%}" if percent else f"{value:g}"
        painter.drawText(QRectF(x - 10, bottom - h - 20, slot * 0.7 + 20, 18), Qt.AlignmentFlag.AlignHCenter, text)
        painter.drawText(QRectF(left + i * slot, bottom + 6, slot, 36), Qt.AlignmentFlag.AlignHCenter, label)
    if target is not None:
        y = bottom - (bottom - top) * target / peak
        pen = painter.pen()
        pen.setColor(QColor("#d32f2f"))
        pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawLine(int(left), int(y), int(right), int(y))
    painter.setPen(QColor("#90a4ae"))
    painter.drawLine(int(left), int(bottom), int(right), int(bottom))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())
