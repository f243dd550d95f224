"""Reception desk (前台): register a walk-in or an accompanied visit in a few keystrokes, with the
duplicate hint as the mobile is typed, and today's visitor queue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.clock import business_time
from models.desk_state import DeskChange, LeadRow
from views.lead_model import LeadTableModel, lead_table

HINT_DELAY_MS = 250
VISIT_KINDS = ("walk_in", "accompanied_visit")


class ReceptionDesk(QWidget):
    """The front desk's one screen: a keyboard-first form and the day's visitors."""

    visit_requested = Signal(dict)
    """The user submitted a visit: the `visit.register` fields (person, kind, agency …)."""
    hint_requested = Signal(str)
    """A mobile number was typed and settled: ask for the duplicate hint."""

    def __init__(self, now: Callable[[], datetime], parent: QWidget | None = None):
        """Build the form and the visitor queue; `now` is the injected clock."""
        super().__init__(parent)
        self._now = now
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("e.g. Li Min"))
        self.mobile = QLineEdit()
        self.mobile.setPlaceholderText(self.tr("11-digit mobile, any format"))
        self.national_id = QLineEdit()
        self.national_id.setPlaceholderText(self.tr("optional"))
        self.kind = QComboBox()
        self.kind.addItem(self.tr("Walk-in"), "walk_in")
        self.kind.addItem(self.tr("Accompanied by an agency"), "accompanied_visit")
        self.agency = QLineEdit()
        self.broker = QLineEdit()
        self.report_code = QLineEdit()
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setObjectName("duplicateHint")
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setStyleSheet("color: #d32f2f")
        self.submit = QPushButton(self.tr("Register visit (Enter)"))
        self.submit.setDefault(True)

        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Mobile"), self.mobile)
        form.addRow("", self.hint)
        form.addRow(self.tr("ID number"), self.national_id)
        form.addRow(self.tr("Visit"), self.kind)
        form.addRow(self.tr("Agency code"), self.agency)
        form.addRow(self.tr("Broker"), self.broker)
        form.addRow(self.tr("Report code"), self.report_code)
        form.addRow("", self.error)
        form.addRow("", self.submit)
        box = QGroupBox(self.tr("Register a visitor"))
        box.setLayout(form)

        self.model = LeadTableModel(self._today_visit, now)
        self.table = lead_table(self, self.model, "time", Qt.SortOrder.DescendingOrder)
        queue = QGroupBox(self.tr("Today's visitors"))
        queue_layout = QVBoxLayout(queue)
        queue_layout.addWidget(self.table)

        layout = QHBoxLayout(self)
        layout.addWidget(box, 2)
        layout.addWidget(queue, 3)

        self._hint_timer = QTimer(self)
        self._hint_timer.setSingleShot(True)
        self._hint_timer.setInterval(HINT_DELAY_MS)
        self._hint_timer.timeout.connect(self._ask_hint)
        self.mobile.textEdited.connect(lambda _t: self._hint_timer.start())
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.submit.clicked.connect(self._submit)
        for edit in (self.name, self.mobile, self.national_id, self.agency, self.broker, self.report_code):
            edit.returnPressed.connect(self._submit)
        self._kind_changed()

    def _today_visit(self, row: LeadRow) -> bool:
        today = business_time(self._now()).date()
        return row.kind in VISIT_KINDS and business_time(row.occurred_at).date() == today

    def _kind_changed(self) -> None:
        accompanied = self.kind.currentData() == "accompanied_visit"
        for edit in (self.agency, self.broker, self.report_code):
            edit.setEnabled(accompanied)

    def _ask_hint(self) -> None:
        digits = "".join(ch for ch in self.mobile.text() if ch.isdigit())
        if len(digits) >= 11:
            self.hint_requested.emit(self.mobile.text())
        else:
            self.hint.clear()

    def show_hint(self, text: str) -> None:
        """Show the duplicate hint under the mobile field ('' clears it)."""
        self.hint.setText(text)

    def _submit(self) -> None:
        kind = self.kind.currentData()
        person = {"name": self.name.text().strip(), "mobile": self.mobile.text().strip(), "national_id": ""}
        person["national_id"] = self.national_id.text().strip()
        if not (person["name"] or person["mobile"] or person["national_id"]):
            self.error.setText(self.tr("Give at least a name or a mobile."))
            return
        if kind == "accompanied_visit" and not self.agency.text().strip():
            self.error.setText(self.tr("An accompanied visit needs the agency code."))
            self.agency.setFocus()
            return
        self.error.clear()
        fields = {"person": person, "kind": kind}
        if kind == "accompanied_visit":
            fields.update(
                agency_code=self.agency.text().strip(),
                broker_name=self.broker.text().strip() or None,
                report_code=self.report_code.text().strip() or None,
            )
        self.visit_requested.emit(fields)
        for edit in (self.name, self.mobile, self.national_id, self.broker, self.report_code):
            edit.clear()
        self.hint.clear()
        self.name.setFocus()

    def apply(self, change: DeskChange) -> None:
        """Feed the visitor queue."""
        self.model.apply(change)
