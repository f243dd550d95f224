"""The lobby wall (案场大屏): dark, readable from five metres, a smoothly scrolling stream of live
alerts coloured by level, today's figures and the grab pool, always masked, visibly stale when the
hub is out of reach. It paints its rows itself on a precise timer and keeps no per-frame objects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QElapsedTimer, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from models.clock import business_time
from models.desk_state import AlertRow, DeskChange, LeadRow
from views.format import hhmm

LEVEL_COLORS = {"red": QColor("#ff5252"), "yellow": QColor("#ffca28"), "blue": QColor("#40c4ff")}
BACKGROUND = QColor("#101418")
TEXT = QColor("#eceff1")
DIM = QColor("#90a4ae")
MAX_ROWS = 200
FIVE_MINUTES = 300


@dataclass(frozen=True)
class WallFigures:
    """Today's numbers as the wall shows them."""

    new_leads: int
    visits: int
    answered_in_5: int
    counted: int
    in_grab_pool: int

    @property
    def rate(self) -> float | None:
        """Share of leads first followed up within five minutes (unanswered ones past 5 min count against)."""
        return self.answered_in_5 / self.counted if self.counted else None


def today_figures(rows: list[LeadRow], now: datetime) -> WallFigures:
    """Figures for the business day of `now` from the leads the wall knows."""
    today = business_time(now).date()
    mine = [r for r in rows if r.lead_id > 0 and business_time(r.received_at).date() == today]
    leads = [r for r in mine if r.kind != "report"]
    answered_in_5 = counted = 0
    for r in leads:
        if r.first_follow_up_at is not None:
            counted += 1
            answered_in_5 += (r.first_follow_up_at - r.received_at).total_seconds() <= FIVE_MINUTES
        elif (now - r.received_at).total_seconds() > FIVE_MINUTES:
            counted += 1
    visits = sum(1 for r in mine if r.kind in ("walk_in", "accompanied_visit"))
    pool = sum(1 for r in leads if r.state == "offered")
    return WallFigures(len(leads), visits, answered_in_5, counted, pool)


class AlertTicker(QWidget):
    """Alert rows scrolling upwards at a steady speed, drawn straight onto the widget."""

    def __init__(self, parent: QWidget | None = None, speed_px_s: float = 40.0):
        """A precise 60 Hz timer advances the offset; rows are plain data."""
        super().__init__(parent)
        self._rows: list[AlertRow] = []
        self._offset = 0.0
        self.speed = speed_px_s
        self.row_height = 96
        self._font = QFont()
        self._font.setPixelSize(38)
        self._small = QFont()
        self._small.setPixelSize(24)
        self._clock = QElapsedTimer()
        self._clock.start()
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(16)
        self.timer.timeout.connect(self._advance)
        self.timer.start()
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def set_rows(self, rows: list[AlertRow]) -> None:
        """Replace the rows shown (red first, then yellow, then blue; newest first within a level)."""
        order = {"red": 0, "yellow": 1, "blue": 2}
        ranked = sorted(rows, key=lambda a: (order.get(a.level, 3), -a.since.timestamp()))
        self._rows = ranked[:MAX_ROWS]
        self.update()

    def rows(self) -> list[AlertRow]:
        """What is on the ticker."""
        return list(self._rows)

    def _advance(self) -> None:
        elapsed = self._clock.restart() / 1000.0
        content = len(self._rows) * self.row_height
        if content > self.height():  # scroll only when the rows do not fit
            self._offset = (self._offset + self.speed * elapsed) % content
            self.update()
        elif self._offset:
            self._offset = 0.0
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw the visible rows (wrapping around when scrolling)."""
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        if not self._rows:
            painter.setPen(DIM)
            painter.setFont(self._font)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("No open alerts"))
            return
        content = len(self._rows) * self.row_height
        loops = content > self.height()
        first = int(self._offset // self.row_height)
        y = first * self.row_height - self._offset
        i = first
        width = self.width()
        while y < self.height() and (loops or i < len(self._rows)):
            row = self._rows[i % len(self._rows)]
            self._draw_row(painter, row, QRectF(0, y, width, self.row_height))
            y += self.row_height
            i += 1
        painter.end()

    def _draw_row(self, painter: QPainter, row: AlertRow, box: QRectF) -> None:
        color = LEVEL_COLORS.get(row.level, DIM)
        painter.fillRect(QRectF(box.left(), box.top() + 8, 14, box.height() - 16), color)
        painter.setPen(color if row.level == "red" else TEXT)
        painter.setFont(self._font)
        text_box = box.adjusted(36, 4, -200, -36)
        painter.drawText(text_box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, row.suggestion)
        painter.setFont(self._small)
        painter.setPen(DIM)
        state = self.tr("acknowledged by %s") % row.by if row.state == "acknowledged" else ""
        painter.drawText(box.adjusted(36, box.height() - 40, -200, -6), Qt.AlignmentFlag.AlignLeft, state)
        painter.drawText(
            box.adjusted(0, 0, -24, 0), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, hhmm(row.since)
        )


class Figure(QWidget):
    """One big number with its caption."""

    def __init__(self, caption: str, parent: QWidget | None = None):
        """Caption under a large value."""
        super().__init__(parent)
        self.value = QLabel("—")
        self.value.setStyleSheet("color: #eceff1; font-size: 72px; font-weight: bold")
        self.value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption = QLabel(caption)
        self.caption.setStyleSheet("color: #90a4ae; font-size: 28px")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)


class WallWindow(QWidget):
    """The whole wall: header with clock and connection, figures, the alert stream."""

    leave_requested = Signal()
    """Esc was pressed: the app asks before leaving full screen mode."""

    def __init__(self, now: Callable[[], datetime], parent: QWidget | None = None):
        """Dark theme, large type; `now` is the injected clock."""
        super().__init__(parent)
        self._now = now
        self._leads: dict[int, LeadRow] = {}
        self._alerts: dict[int, AlertRow] = {}
        self.setWindowTitle(self.tr("Lobby wall"))
        self.setStyleSheet("background: #101418")
        self.title = QLabel(self.tr("Sales floor today"))
        self.title.setStyleSheet("color: #eceff1; font-size: 44px; font-weight: bold")
        self.clock = QLabel()
        self.clock.setStyleSheet("color: #eceff1; font-size: 44px")
        self.stale = QLabel()
        self.stale.setStyleSheet("color: #101418; background: #ffca28; font-size: 30px; padding: 6px 16px")
        self.stale.hide()
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.stale)
        header.addWidget(self.clock)
        self.new_leads = Figure(self.tr("New leads"))
        self.visits = Figure(self.tr("Visits"))
        self.rate = Figure(self.tr("Answered within 5 min"))
        self.pool = Figure(self.tr("In grab pool"))
        figures = QHBoxLayout()
        for f in (self.new_leads, self.visits, self.rate, self.pool):
            figures.addWidget(f)
        self.ticker = AlertTicker()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 24, 40, 24)
        layout.addLayout(header)
        layout.addLayout(figures)
        layout.addWidget(self.ticker, 1)
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._refresh)
        self._tick.start()
        self._refresh()

    def apply(self, change: DeskChange) -> None:
        """Take a change set: leads for the figures, alerts for the stream, connection for staleness."""
        if change.reset:
            self._leads.clear()
            self._alerts.clear()
        for lead_id in change.removed_leads:
            self._leads.pop(lead_id, None)
        for row in change.leads:
            self._leads[row.lead_id] = row
        for alert in change.alerts:
            if alert.state == "resolved":
                self._alerts.pop(alert.alert_id, None)
            else:
                self._alerts[alert.alert_id] = alert
        if change.alerts or change.reset:
            self.ticker.set_rows(list(self._alerts.values()))
        if change.connection is not None:
            if change.connection.online:
                self.stale.hide()
            else:
                self.stale.setText(self.tr("Not updating since %s") % hhmm(change.connection.since))
                self.stale.show()
        self._refresh()

    def _refresh(self) -> None:
        now = self._now()
        self.clock.setText(business_time(now).strftime("%H:%M"))
        figures = today_figures(list(self._leads.values()), now)
        self.new_leads.value.setText(str(figures.new_leads))
        self.visits.value.setText(str(figures.visits))
        self.rate.value.setText(f"{figures.rate:.0%}" if figures.rate is not None else "—")
        self.pool.value.setText(str(figures.in_grab_pool))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """F11 toggles full screen; Esc asks (through the app) before leaving."""
        if event.key() == Qt.Key.Key_F11:
            self.showNormal() if self.isFullScreen() else self.showFullScreen()
        elif event.key() == Qt.Key.Key_Escape:
            self.leave_requested.emit()
        else:
            super().keyPressEvent(event)
