"""The "record deal" dialog (认购/签约): keyboard-first, checked as the hub will check it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from PySide6.QtCore import QDateTime, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from models.clock import BUSINESS_TZ, business_time
from models.deal_checks import DealError, deal_amount, normalise_unit, pool_amount
from models.deal_records import DealSummary


class RecordDealDialog(QDialog):
    """认购/签约 in a few keystrokes: Enter records from any field, Esc cancels; errors name the field."""

    submitted = Signal(dict)
    """The checked `deal.record` fields (customer_id, unit, amount, at, stage, consultant …)."""

    def __init__(
        self,
        now: Callable[[], datetime],
        consultants: list[tuple[int, str]],
        prefill: DealSummary | None = None,
        parent: QWidget | None = None,
    ):
        """The form; `prefill` (a subscribed deal) starts a signing of the same unit."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Record deal"))
        self.setMinimumWidth(380)
        self.stage = QComboBox()
        self.stage.addItem(self.tr("Signing (签约)"), "signing")
        self.stage.addItem(self.tr("Subscription (认购)"), "subscription")
        self.customer = QLineEdit()
        self.customer.setPlaceholderText(self.tr("customer number, e.g. 400"))
        self.unit = QLineEdit()
        self.unit.setPlaceholderText(self.tr("e.g. 3-1-1502"))
        self.amount = QLineEdit()
        self.amount.setPlaceholderText(self.tr("yuan, e.g. 3150000.00"))
        self.when = QDateTimeEdit(QDateTime(business_time(now()).replace(tzinfo=None)))
        self.when.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.when.setCalendarPopup(True)
        self.consultant = QComboBox()
        for staff_id, name in consultants:
            self.consultant.addItem(name, staff_id)
        self.pool = QLineEdit()
        self.pool.setPlaceholderText(self.tr("empty: the project's pool rate"))
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setStyleSheet("color: #d32f2f")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Record (Enter)"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel (Esc)"))
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("Stage"), self.stage)
        form.addRow(self.tr("Customer"), self.customer)
        form.addRow(self.tr("Unit"), self.unit)
        form.addRow(self.tr("Amount"), self.amount)
        form.addRow(self.tr("Date"), self.when)
        form.addRow(self.tr("Consultant"), self.consultant)
        form.addRow(self.tr("Commission pool"), self.pool)
        form.addRow("", self.error)
        form.addRow(buttons)
        for edit in (self.customer, self.unit, self.amount, self.pool):
            edit.returnPressed.connect(self._submit)
        self.stage.currentIndexChanged.connect(lambda _i: self.pool.setEnabled(self.stage.currentData() == "signing"))
        if prefill is not None:
            self.customer.setText(str(prefill.customer_id))
            self.unit.setText(prefill.unit)
            if prefill.subscription_amount is not None:
                self.amount.setText(str(prefill.subscription_amount))
            index = self.consultant.findData(prefill.consultant_id)
            if index >= 0:
                self.consultant.setCurrentIndex(index)
            self.amount.setFocus()
        else:
            self.customer.setFocus()

    def _fail(self, message: str, field: QWidget) -> None:
        self.error.setText(message)
        field.setFocus()

    def _submit(self) -> None:
        """Check the fields as the hub will, then emit them and close."""
        text = self.customer.text().strip().lstrip("#")
        if not text.isdigit():
            return self._fail(self.tr("Give the customer's number."), self.customer)
        try:
            unit = normalise_unit(self.unit.text())
        except DealError as exc:
            return self._fail(str(exc), self.unit)
        try:
            amount = deal_amount(self.amount.text())
        except DealError as exc:
            return self._fail(str(exc), self.amount)
        stage = self.stage.currentData()
        pool = self.pool.text().strip() if stage == "signing" else ""
        if pool:
            try:
                pool_amount(pool, amount, Decimal(0))
            except DealError as exc:
                return self._fail(str(exc), self.pool)
        if self.consultant.currentIndex() < 0:
            return self._fail(self.tr("Choose the consultant."), self.consultant)
        when = self.when.dateTime().toPython().replace(second=0, microsecond=0, tzinfo=BUSINESS_TZ)
        self.error.clear()
        self.submitted.emit(
            {
                "customer_id": int(text),
                "unit": unit,
                "amount": str(amount),
                "at": when.isoformat(),
                "stage": stage,
                "consultant_id": self.consultant.currentData(),
                "consultant_name": self.consultant.currentText(),
                "pool": pool or None,
            }
        )
        self.accept()
        return None
