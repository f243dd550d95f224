"""First run: the hub's address and the one-time enrollment code a manager read out."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget


class EnrollDialog(QDialog):
    """Asks for the hub and the code; the app does the exchange and reports back."""

    enroll_requested = Signal(str, str, str)
    """(hub address, enrollment code, device name)."""

    def __init__(self, hub: str = "", device: str = "", parent: QWidget | None = None):
        """Prefill the hub address and this computer's name."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Sign in to the office hub"))
        self.hub = QLineEdit(hub)
        self.hub.setPlaceholderText("http://192.168.1.20:8766")
        self.code = QLineEdit()
        self.code.setPlaceholderText("K7QD-M2XP")
        self.device = QLineEdit(device)
        self.message = QLabel(self.tr("Ask your manager for a one-time enrollment code."))
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("Hub address"), self.hub)
        form.addRow(self.tr("Enrollment code"), self.code)
        form.addRow(self.tr("This computer"), self.device)
        form.addRow(self.message)
        form.addRow(self.buttons)

    def _submit(self) -> None:
        hub, code = self.hub.text().strip(), self.code.text().strip()
        if not hub or not code:
            self.show_error(self.tr("Give the hub address and the code."))
            return
        self.buttons.setEnabled(False)
        self.message.setText(self.tr("Signing in…"))
        self.enroll_requested.emit(hub, code, self.device.text().strip())

    def show_error(self, text: str) -> None:
        """The exchange failed: say why and let the user try again."""
        self.buttons.setEnabled(True)
        self.message.setStyleSheet("color: #d32f2f")
        self.message.setText(text)
