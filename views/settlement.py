"""Settlement (结佣): statements per agency and period, their lines, and the status actions.

Plain data in (`StatementSummary`, `StatementDetail`, `CycleFigure`), intents out: prepare the
statements of a period, confirm or mark one paid, export it. Actions are enabled only for the
statement's next step and for roles that may take it (`models.settlement.transition_refusal`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QCoreApplication, QDate, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from models.clock import business_time
from models.deal_records import NEXT, CycleFigure, StatementDetail, StatementSummary, transition_refusal
from views.deal_table import RIGHT, Column, RecordTableModel, current_record, record_table, yuan
from views.format import day_time

STATUS_COLORS = {"pending": QColor("#8a6d00"), "confirmed": QColor("#1565c0"), "paid": QColor("#2e7d32")}


def status_label(status: str) -> str:
    """待确认 / 已确认 / 已付款."""
    return {
        "pending": QCoreApplication.translate("Settlement", "Pending"),
        "confirmed": QCoreApplication.translate("Settlement", "Confirmed"),
        "paid": QCoreApplication.translate("Settlement", "Paid"),
    }.get(status, status)


def _who(by: str | None, at: datetime | None) -> str:
    return f"{by} {day_time(at)}" if at else ""


def statement_columns() -> list[Column]:
    """Statements: number, agency, period, status, total, lines, confirmed, paid."""
    return [
        Column(
            lambda: QCoreApplication.translate("Settlement", "No."),
            lambda s: f"#{s.statement_id}",
            lambda s: s.statement_id,
        ),
        Column(lambda: QCoreApplication.translate("Settlement", "Agency"), lambda s: s.agency_name),
        Column(
            lambda: QCoreApplication.translate("Settlement", "Settlement period"),
            lambda s: f"{s.period_start:%m-%d} – {s.period_end:%m-%d}",
            lambda s: s.period_start.toordinal(),
        ),
        Column(
            lambda: QCoreApplication.translate("Settlement", "Status"),
            lambda s: status_label(s.status),
            color=lambda s: STATUS_COLORS.get(s.status),
        ),
        Column(
            lambda: QCoreApplication.translate("Settlement", "Total"), lambda s: yuan(s.total), lambda s: s.total, RIGHT
        ),
        Column(
            lambda: QCoreApplication.translate("Settlement", "Deals"),
            lambda s: str(s.line_count),
            lambda s: s.line_count,
            RIGHT,
        ),
        Column(
            lambda: QCoreApplication.translate("Settlement", "Confirmed"),
            lambda s: _who(s.confirmed_by, s.confirmed_at),
        ),
        Column(lambda: QCoreApplication.translate("Settlement", "Paid"), lambda s: _who(s.paid_by, s.paid_at)),
    ]


def line_columns() -> list[Column]:
    """A statement's lines: deal, unit, customer (masked), signing, amounts, broker, cycle."""
    return [
        Column(
            lambda: QCoreApplication.translate("Settlement", "Deal"), lambda x: f"#{x.deal_id}", lambda x: x.deal_id
        ),
        Column(lambda: QCoreApplication.translate("Settlement", "Unit"), lambda x: x.unit),
        Column(lambda: QCoreApplication.translate("Settlement", "Customer"), lambda x: x.customer_name),
        Column(
            lambda: QCoreApplication.translate("Settlement", "Signed"),
            lambda x: day_time(x.signed_at),
            lambda x: x.signed_at.timestamp(),
        ),
        Column(
            lambda: QCoreApplication.translate("Settlement", "Signed amount"),
            lambda x: yuan(x.signed_amount),
            lambda x: x.signed_amount,
            RIGHT,
        ),
        Column(lambda: QCoreApplication.translate("Settlement", "Broker"), lambda x: x.broker_name),
        Column(
            lambda: QCoreApplication.translate("Settlement", "Commission"),
            lambda x: yuan(x.amount),
            lambda x: x.amount,
            RIGHT,
            tip=lambda x: x.reasons.replace("；", "\n"),
        ),
        Column(
            lambda: QCoreApplication.translate("Settlement", "Signing → paid (days)"),
            lambda x: "" if x.cycle_days is None else str(x.cycle_days),
            lambda x: -1 if x.cycle_days is None else x.cycle_days,
            RIGHT,
        ),
        Column(
            lambda: QCoreApplication.translate("Settlement", "How the commission was split"),
            lambda x: x.reasons,
            tip=lambda x: x.reasons.replace("；", "\n"),
        ),
    ]


def cycle_text(figure: CycleFigure) -> str:
    """'Settlement cycle: median 2.0 days · 2 of 2 paid within 3 days · 1 waiting (oldest 6.9 days)'."""
    if figure.paid == 0:
        text = QCoreApplication.translate("Settlement", "Settlement cycle: nothing paid yet (target %1 days)").replace(
            "%1", str(figure.target_days)
        )
    else:
        text = (
            QCoreApplication.translate("Settlement", "Settlement cycle: median %1 days · %2 of %3 paid within %4 days")
            .replace("%1", str(figure.median_days))
            .replace("%2", str(figure.within_target))
            .replace("%3", str(figure.paid))
            .replace("%4", str(figure.target_days))
        )
    if figure.open_lines:
        text += (
            QCoreApplication.translate("Settlement", " · %1 waiting (oldest %2 days)")
            .replace("%1", str(figure.open_lines))
            .replace("%2", str(figure.oldest_open_days))
        )
    return text


class SettlementScreen(QWidget):
    """Statements on top, the selected statement's lines below, actions and exports on the side."""

    prepare_requested = Signal(object, object)
    """Prepare statements for business days (start, end) as `datetime.date`s."""
    statement_selected = Signal(int)
    """A statement was selected: ask for its lines."""
    transition_requested = Signal(int, str)
    """Move a statement to 'confirmed' or 'paid'."""
    export_requested = Signal(int, str)
    """Export a statement as 'xlsx' or 'html'."""

    def __init__(self, now: Callable[[], datetime], role: str = "manager", agency_id: int | None = None, parent=None):
        """Build the screen for a role (a broker sees the confirm action for their own agency only)."""
        super().__init__(parent)
        self._now = now
        self._role, self._agency_id = role, agency_id
        today = business_time(now()).date()
        self.start = QDateEdit(QDate(today - timedelta(days=today.weekday())))
        self.end = QDateEdit(QDate(today))
        for edit in (self.start, self.end):
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setCalendarPopup(True)
        self.prepare_button = QPushButton(self.tr("Prepare statements"))
        self.prepare_button.clicked.connect(self._prepare)
        self.cycle = QLabel()
        self.cycle.setObjectName("settlementCycle")
        period = QHBoxLayout()
        period.addWidget(QLabel(self.tr("Signed from")))
        period.addWidget(self.start)
        period.addWidget(QLabel(self.tr("to")))
        period.addWidget(self.end)
        period.addWidget(self.prepare_button)
        period.addStretch(1)
        period.addWidget(self.cycle)

        self.model = RecordTableModel(statement_columns(), lambda s: s.statement_id, self)
        self.proxy, self.table = record_table(self, self.model, (60, 120, 110, 70, 110, 50, 130), 0)
        self.confirm_button = QPushButton(self.tr("Confirm statement"))
        self.pay_button = QPushButton(self.tr("Mark paid"))
        self.xlsx_button = QPushButton(self.tr("Export XLSX"))
        self.html_button = QPushButton(self.tr("Printable page"))
        self.confirm_button.clicked.connect(lambda: self._move("confirmed"))
        self.pay_button.clicked.connect(lambda: self._move("paid"))
        self.xlsx_button.clicked.connect(lambda: self._export("xlsx"))
        self.html_button.clicked.connect(lambda: self._export("html"))
        self.message = QLabel()
        self.message.setWordWrap(True)
        actions = QVBoxLayout()
        for button in (self.confirm_button, self.pay_button, self.xlsx_button, self.html_button):
            actions.addWidget(button)
        actions.addWidget(self.message)
        actions.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.table, 1)
        top.addLayout(actions)
        statements = QGroupBox(self.tr("Statements"))
        statements.setLayout(top)

        self.line_model = RecordTableModel(line_columns(), lambda x: x.line_id, self)
        self.line_proxy, self.lines = record_table(self, self.line_model, (60, 100, 70, 100, 120, 80, 110, 130))
        self.total = QLabel()
        lines_box = QGroupBox(self.tr("Deals on the statement"))
        lines_layout = QVBoxLayout(lines_box)
        lines_layout.addWidget(self.lines)
        lines_layout.addWidget(self.total)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(statements)
        splitter.addWidget(lines_box)
        layout = QVBoxLayout(self)
        layout.addLayout(period)
        layout.addWidget(splitter, 1)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selected())
        self.set_role(role, agency_id)

    def set_role(self, role: str, agency_id: int | None = None) -> None:
        """Whose screen this is: decides which actions are offered."""
        self._role, self._agency_id = role, agency_id
        self.prepare_button.setVisible(role in ("channel_specialist", "manager", "admin"))
        self._refresh_actions()

    def apply_statements(self, statements: list[StatementSummary], reset: bool = True) -> None:
        """Show these statements (all, or `reset=False` to change or add only these)."""
        if reset:
            self.model.set_records(statements)
        else:
            for s in statements:
                self.model.upsert(s)
        self._refresh_actions()

    def show_detail(self, detail: StatementDetail) -> None:
        """Show a statement's lines (and refresh its row)."""
        self.model.upsert(detail.statement)
        self.line_model.set_records(list(detail.lines))
        s = detail.statement
        self.total.setText(
            self.tr("%1 deals · total %2").replace("%1", str(len(detail.lines))).replace("%2", yuan(s.total))
        )
        self._refresh_actions()

    def show_cycle(self, figure: CycleFigure) -> None:
        """The settlement cycle figure (signing → paid) against its target."""
        self.cycle.setText(cycle_text(figure))

    def show_message(self, text: str, error: bool = False) -> None:
        """What the hub answered to the last action ('' clears it)."""
        self.message.setStyleSheet("color: #d32f2f" if error else "color: #2e7d32")
        self.message.setText(text)

    def selected_statement(self) -> StatementSummary | None:
        """The statement of the current row."""
        return current_record(self.table)

    def _selected(self) -> None:
        self._refresh_actions()
        s = self.selected_statement()
        if s is not None:
            self.statement_selected.emit(s.statement_id)

    def _refresh_actions(self) -> None:
        s = self.selected_statement()
        for button, to in ((self.confirm_button, "confirmed"), (self.pay_button, "paid")):
            allowed = (
                s is not None
                and NEXT.get(s.status) == to
                and transition_refusal(self._role, self._agency_id, s.agency_id, to) is None
            )
            button.setEnabled(allowed)
        for button in (self.xlsx_button, self.html_button):
            button.setEnabled(s is not None)

    def _prepare(self) -> None:
        start, end = self.start.date().toPython(), self.end.date().toPython()
        if end < start:
            self.show_message(self.tr("The period must run forwards."), error=True)
            return
        self.prepare_requested.emit(start, end)

    def _move(self, to: str) -> None:
        s = self.selected_statement()
        if s is None:
            return
        if to == "paid":
            question = self.tr("Mark statement #%1 (%2, %3) paid? This cannot be undone.")
            question = question.replace("%1", str(s.statement_id)).replace("%2", s.agency_name)
            answer = QMessageBox.question(self, self.tr("Mark paid"), question.replace("%3", yuan(s.total)))
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.transition_requested.emit(s.statement_id, to)

    def _export(self, fmt: str) -> None:
        s = self.selected_statement()
        if s is not None:
            self.export_requested.emit(s.statement_id, fmt)
