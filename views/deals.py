"""Deals (成交): the deals list, a keyboard-first "record deal" dialog, and the selected deal's split.

Plain data in (`DealSummary`, `DealDetail`), intents out: `record_requested` carries the `deal.record`
fields, `deal_selected` asks for a deal's detail, `dispute_requested` for its dispute pack.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from html import escape

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from models.deal_records import DealDetail, DealSummary, SplitRow
from views.deal_dialog import RecordDealDialog
from views.deal_table import RIGHT, Column, RecordTableModel, current_record, record_table, yuan
from views.format import day_time

GREY = QColor("#888888")


def state_label(state: str) -> str:
    """认购 / 签约 for a deal state."""
    return {
        "subscribed": QCoreApplication.translate("Deals", "Subscribed"),
        "signed": QCoreApplication.translate("Deals", "Signed"),
    }.get(state, state)


def deal_columns() -> list[Column]:
    """The deals list: unit, customer, state, amount, date, consultant, cycle, pool, owner."""
    return [
        Column(lambda: QCoreApplication.translate("Deals", "Unit"), lambda d: d.unit),
        Column(
            lambda: QCoreApplication.translate("Deals", "Customer"),
            lambda d: f"{d.customer_name or '—'} #{d.customer_id}",
        ),
        Column(lambda: QCoreApplication.translate("Deals", "State"), lambda d: state_label(d.state)),
        Column(
            lambda: QCoreApplication.translate("Deals", "Amount"),
            lambda d: yuan(d.signed_amount if d.signed_amount is not None else d.subscription_amount),
            lambda d: d.signed_amount if d.signed_amount is not None else d.subscription_amount,
            RIGHT,
        ),
        Column(
            lambda: QCoreApplication.translate("Deals", "Date"),
            lambda d: day_time(d.signed_at or d.subscribed_at),
            lambda d: (d.signed_at or d.subscribed_at).timestamp(),
        ),
        Column(lambda: QCoreApplication.translate("Deals", "Consultant"), lambda d: d.consultant_name),
        Column(
            lambda: QCoreApplication.translate("Deals", "Cycle (days)"),
            lambda d: "" if d.cycle_days is None else str(d.cycle_days),
            lambda d: -1 if d.cycle_days is None else d.cycle_days,
            RIGHT,
        ),
        Column(
            lambda: QCoreApplication.translate("Deals", "Commission pool"),
            lambda d: yuan(d.pool),
            lambda d: d.pool or 0,
            RIGHT,
        ),
        Column(
            lambda: QCoreApplication.translate("Deals", "Attributed to"),
            lambda d: QCoreApplication.translate("Deals", "Office") if d.owner == "案场" else d.owner,
        ),
    ]


def split_columns() -> list[Column]:
    """A deal's split: party, weight, amount, settlement, reasons (full text in the tooltip)."""

    def settled(line: SplitRow) -> str:
        labels = {
            "pending": QCoreApplication.translate("Deals", "On statement"),
            "confirmed": QCoreApplication.translate("Deals", "Confirmed"),
            "paid": QCoreApplication.translate("Deals", "Paid"),
        }
        return labels.get(line.statement_status or "", "")

    return [
        Column(
            lambda: QCoreApplication.translate("Deals", "Commission party"),
            lambda s: s.party_name,
            tip=lambda s: s.reasons.replace("；", "\n"),
            color=lambda s: None if s.eligible else GREY,
        ),
        Column(
            lambda: QCoreApplication.translate("Deals", "Contribution weight"),
            lambda s: format(s.weight.normalize(), "f"),
            lambda s: s.weight,
            RIGHT,
        ),
        Column(
            lambda: QCoreApplication.translate("Deals", "Amount"), lambda s: yuan(s.amount), lambda s: s.amount, RIGHT
        ),
        Column(lambda: QCoreApplication.translate("Deals", "Settlement"), settled),
    ]


class DealsScreen(QWidget):
    """The deals list on the left, the selected deal's commission split on the right."""

    record_requested = Signal(dict)
    """The user recorded a deal: the `deal.record` fields."""
    deal_selected = Signal(int)
    """A deal was selected: ask for its detail (split lines)."""
    dispute_requested = Signal(int)
    """Open the dispute pack of this deal."""

    def __init__(self, now: Callable[[], datetime], parent: QWidget | None = None):
        """Build the list, the split pane and the shortcuts; `now` is the injected clock."""
        super().__init__(parent)
        self._now = now
        self._consultants: list[tuple[int, str]] = []
        self.dialog: RecordDealDialog | None = None
        self.model = RecordTableModel(deal_columns(), lambda d: d.deal_id, self)
        self.proxy, self.table = record_table(self, self.model, (80, 70, 52, 100, 86, 58, 66, 84), 4)
        self.record_button = QPushButton(self.tr("Record deal… (Ctrl+N)"))
        self.record_button.clicked.connect(self.open_record_dialog)
        self.dispute_button = QPushButton(self.tr("Dispute pack (Ctrl+D)"))
        self.dispute_button.clicked.connect(self._dispute)
        self.message = QLabel()
        self.message.setObjectName("dealMessage")
        self.message.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(self.record_button)
        bar.addWidget(self.dispute_button)
        bar.addWidget(self.message, 1)
        deals_box = QGroupBox(self.tr("Deals"))
        deals_layout = QVBoxLayout(deals_box)
        deals_layout.addLayout(bar)
        deals_layout.addWidget(self.table)

        self.split_model = RecordTableModel(split_columns(), lambda s: s.position, self)
        self.split_proxy, self.split_table = record_table(self, self.split_model, (170, 80, 110))
        self.heading = QLabel()
        self.heading.setObjectName("dealHeading")
        self.heading.setWordWrap(True)
        self.judgement = QLabel()
        self.judgement.setWordWrap(True)
        self.judgement.setStyleSheet("color: #555")
        self.total = QLabel()
        self.reasons = QLabel()
        self.reasons.setObjectName("splitReasons")
        self.reasons.setWordWrap(True)
        self.reasons.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.reasons.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        reasons_title = QLabel(self.tr("Why each party gets its share"))
        reasons_title.setStyleSheet("font-weight: bold")
        split_box = QGroupBox(self.tr("Commission split"))
        split_layout = QVBoxLayout(split_box)
        split_layout.addWidget(self.heading)
        split_layout.addWidget(self.judgement)
        split_layout.addWidget(self.split_table, 2)
        split_layout.addWidget(self.total)
        split_layout.addWidget(reasons_title)
        split_layout.addWidget(self.reasons, 3)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(deals_box)
        splitter.addWidget(split_box)
        splitter.setSizes([700, 560])
        QVBoxLayout(self).addWidget(splitter)
        QShortcut(QKeySequence("Ctrl+N"), self, self.open_record_dialog)
        QShortcut(QKeySequence("Ctrl+D"), self, self._dispute)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selected())

    def set_consultants(self, consultants: list[tuple[int, str]]) -> None:
        """Who may be named as the deal's consultant: (staff id, name)."""
        self._consultants = list(consultants)

    def apply_deals(self, deals: list[DealSummary], reset: bool = True) -> None:
        """Show these deals (all of them, or `reset=False` to change or add only these)."""
        if reset:
            self.model.set_records(deals)
        else:
            for deal in deals:
                self.model.upsert(deal)

    def selected_deal(self) -> DealSummary | None:
        """The deal of the current row."""
        return current_record(self.table)

    def _selected(self) -> None:
        deal = self.selected_deal()
        if deal is not None:
            self.deal_selected.emit(deal.deal_id)

    def show_detail(self, detail: DealDetail) -> None:
        """Show a deal's split (and refresh its row)."""
        self.model.upsert(detail.deal)
        d = detail.deal
        amount = yuan(d.signed_amount or d.subscription_amount)
        self.heading.setText(f"<b>{d.unit}</b> · {d.customer_name} #{d.customer_id} · {state_label(d.state)} {amount}")
        self.judgement.setText(detail.judgement)
        self.split_model.set_records(list(detail.lines))
        self.reasons.setText(
            "".join(
                f"<p><b>{escape(x.party_name)} {yuan(x.amount)}</b><br>{escape(x.reasons)}</p>" for x in detail.lines
            )
        )
        if d.pool is not None:
            total = sum((line.amount for line in detail.lines), Decimal(0))
            self.total.setText(self.tr("Pool %1 · split %2").replace("%1", yuan(d.pool)).replace("%2", yuan(total)))
        else:
            self.total.setText(self.tr("Not signed yet: no commission split."))

    def show_message(self, text: str, error: bool = False) -> None:
        """A line under the buttons: what the hub answered ('' clears it)."""
        self.message.setStyleSheet("color: #d32f2f" if error else "color: #2e7d32")
        self.message.setText(text)

    def open_record_dialog(self) -> RecordDealDialog:
        """Open the record-deal dialog (prefilled with a selected subscription); returns it."""
        deal = self.selected_deal()
        prefill = deal if deal is not None and deal.state == "subscribed" else None
        self.dialog = RecordDealDialog(self._now, self._consultants, prefill, self)
        self.dialog.submitted.connect(self.record_requested)
        self.dialog.open()
        return self.dialog

    def _dispute(self) -> None:
        deal = self.selected_deal()
        if deal is not None:
            self.dispute_requested.emit(deal.deal_id)
