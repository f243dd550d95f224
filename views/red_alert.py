"""The red alert (一级预警) popup: modal, on top, and it stays until the owner (or a manager) says they
have seen it; the acknowledgement goes to the hub and is logged there with who and when."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import QDialog, QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget

from models.desk_state import AlertRow
from views.format import hhmm


class RedAlertDialog(QDialog):
    """Lists the open red alerts; only the acknowledge button closes it."""

    ack_requested = Signal(list)
    """The user acknowledged these alert ids."""

    def __init__(self, parent: QWidget | None = None):
        """Modal and on top; Esc and the close box do nothing."""
        super().__init__(parent, Qt.WindowType.Dialog | Qt.WindowType.WindowStaysOnTopHint)
        self.setModal(True)
        self.setWindowTitle(self.tr("Red alert"))
        self.setStyleSheet("QDialog { border: 4px solid #d32f2f; }")
        self.heading = QLabel(self.tr("These customers have waited too long"))
        self.heading.setStyleSheet("color: #d32f2f; font-size: 18px; font-weight: bold")
        self.list = QListWidget()
        self.status = QLabel()
        self.button = QPushButton(self.tr("I have seen them"))
        self.button.setMinimumHeight(40)
        self.button.clicked.connect(self._acknowledge)
        layout = QVBoxLayout(self)
        for w in (self.heading, self.list, self.status, self.button):
            layout.addWidget(w)
        self._alerts: dict[int, AlertRow] = {}
        self.resize(560, 320)

    def show_alerts(self, alerts: list[AlertRow]) -> None:
        """Show the open red alerts (closing when none remain)."""
        self._alerts = {a.alert_id: a for a in alerts}
        self.list.clear()
        for a in alerts:
            self.list.addItem(f"{hhmm(a.since)}  {a.suggestion}")
        if not alerts:
            self.done(QDialog.DialogCode.Accepted)
            return
        self.button.setEnabled(True)
        self.status.clear()
        if not self.isVisible():
            self.show()
            self.raise_()

    def _acknowledge(self) -> None:
        self.button.setEnabled(False)
        self.status.setText(self.tr("Sending…"))
        self.ack_requested.emit(sorted(self._alerts))

    def ack_failed(self, message: str) -> None:
        """The hub did not take the acknowledgement (e.g. offline): say so; the popup stays."""
        self.button.setEnabled(True)
        self.status.setText(self.tr("Not acknowledged: %s") % message)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Esc does not dismiss a red alert."""
        if event.key() != Qt.Key.Key_Escape:
            super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Only acknowledgement closes it."""
        if self._alerts:
            event.ignore()
        else:
            super().closeEvent(event)
