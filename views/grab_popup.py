"""The weekend grab-pool popup (抢单): a countdown, one click or key to claim, and the outcome.

It never takes keyboard focus from whatever the consultant is typing: the window is shown without
activation and does not accept focus; the claim goes by mouse or by the application-wide F9 key.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from models.desk_state import GrabOfferState
from views.format import channel_label

CLAIM_KEY = "F9"
LINGER_MS = 4000


class GrabPopup(QWidget):
    """One offer at a time: who, from where, how long left; the result replaces the button."""

    claim_requested = Signal(int)
    """The consultant wants this round (round id)."""

    def __init__(self, now: Callable[[], datetime], parent: QWidget | None = None):
        """A small always-on-top window that does not steal focus."""
        super().__init__(parent, Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setWindowFlag(Qt.WindowType.WindowDoesNotAcceptFocus)
        self.setWindowTitle(self.tr("Grab pool"))
        self._now = now
        self._offer: GrabOfferState | None = None
        self._total_ms = 15000
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 18px; font-weight: bold")
        self.detail = QLabel()
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.button = QPushButton()
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.setMinimumHeight(44)
        self.button.setStyleSheet("font-size: 16px")
        self.button.clicked.connect(self._claim)
        layout = QVBoxLayout(self)
        for w in (self.title, self.detail, self.bar, self.button):
            layout.addWidget(w)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._count)
        self._linger = QTimer(self)
        self._linger.setSingleShot(True)
        self._linger.timeout.connect(self.hide)
        self.resize(340, 170)

    def offer(self) -> GrabOfferState | None:
        """The offer shown (or last shown)."""
        return self._offer

    def show_offer(self, offer: GrabOfferState) -> None:
        """Show or update an offer; a finished one shows its outcome briefly, then the popup hides."""
        new = self._offer is None or self._offer.round_id != offer.round_id
        self._offer = offer
        lead = offer.lead
        self.title.setText(self.tr("New lead: %s") % (lead.name_masked or self.tr("(no name)")))
        self.detail.setText(f"{channel_label(lead.channel)} · {lead.mobile_masked}")
        if offer.state == "open":
            if new:
                self._total_ms = max(1, int((offer.deadline - self._now()).total_seconds() * 1000))
                self._linger.stop()
                QApplication.beep()
            self.button.setEnabled(True)
            self.button.setText(self.tr("Grab it (%s)") % CLAIM_KEY)
            self._timer.start()
            self._count()
            if not self.isVisible():
                self.show()
        elif offer.state == "claiming":
            self.button.setEnabled(False)
            self.button.setText(self.tr("Claiming…"))
        else:
            self._timer.stop()
            self.button.setEnabled(False)
            self.button.setText(self._outcome(offer))
            self.bar.setValue(0)
            self._linger.start(LINGER_MS)
            if not self.isVisible():
                self.show()

    def _outcome(self, offer: GrabOfferState) -> str:
        if offer.state == "won":
            return self.tr("Got it!")
        if offer.state == "lost":
            return self.tr("Taken by %s") % offer.winner_name
        return self.tr("Time is up")

    def _count(self) -> None:
        if self._offer is None:
            return
        left = max(0, int((self._offer.deadline - self._now()).total_seconds() * 1000))
        self.bar.setMaximum(self._total_ms)
        self.bar.setValue(left)
        self.bar.setFormat(self.tr("%1 s left").replace("%1", f"{left / 1000:.0f}"))
        if left == 0:
            self._timer.stop()
            self.button.setEnabled(False)

    def _claim(self) -> None:
        if self._offer is not None and self._offer.state == "open" and self.button.isEnabled():
            self.button.setEnabled(False)
            self.claim_requested.emit(self._offer.round_id)

    def claim_by_key(self) -> None:
        """The application-wide claim key was pressed."""
        if self.isVisible():
            self._claim()
