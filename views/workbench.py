"""Consultant workbench (置业顾问): my leads, most urgent first with a live age counter, the customer's
merged timeline, follow-ups in two clicks with quick replies, and the on-duty toggle."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from models.desk_state import DeskChange, LeadRow, Me
from models.quick_replies import QuickReply
from views.customer_card import customer_html
from views.format import follow_up_label, status_label
from views.lead_model import LEAD_ROLE, LeadTableModel, lead_table


class ConsultantWorkbench(QWidget):
    """A consultant's day: the queue on the left, the selected customer and follow-up on the right."""

    follow_up_requested = Signal(dict)
    """Log a follow-up: `followup.log` fields (lead_id, kind, note)."""
    customer_requested = Signal(int)
    """Show this customer's card (customer id)."""
    status_requested = Signal(str)
    """Go on duty / pause: the new status."""
    exposure_requested = Signal(int, int)
    """The consultant told the customer their policy-experiment offer: (experiment id, customer id)."""

    def __init__(self, now: Callable[[], datetime], replies: list[QuickReply], parent: QWidget | None = None):
        """Build the queue, the detail pane and the follow-up bar; `now` is the injected clock."""
        super().__init__(parent)
        self._me: Me | None = None
        self.model = LeadTableModel(self._mine, now)
        self.table = lead_table(self, self.model, "age", Qt.SortOrder.AscendingOrder)  # urgency

        self.duty = QPushButton()
        self.duty.setCheckable(True)
        self.duty.clicked.connect(self._toggle_duty)
        self.summary = QLabel()
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.duty)

        self.card = QTextBrowser()
        self.card.setOpenLinks(False)
        self.card.setPlaceholderText(self.tr("Select a lead to see the customer's timeline."))
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("Note (optional)"))
        self.replies = QComboBox()
        self.replies.addItem(self.tr("Quick reply…"), None)
        for reply in replies:
            self.replies.addItem(reply.title, reply)
        self.replies.activated.connect(self._pick_reply)
        self.kind_buttons = QButtonGroup(self)
        buttons = QHBoxLayout()
        for i, kind in enumerate(("call", "wechat", "visit", "note")):
            button = QPushButton(follow_up_label(kind))
            button.setProperty("kind", kind)
            button.setShortcut(f"Ctrl+{i + 1}")
            self.kind_buttons.addButton(button, i)
            buttons.addWidget(button)
        self.kind_buttons.buttonClicked.connect(lambda b: self._log(b.property("kind")))
        follow = QGroupBox(self.tr("Log a follow-up"))
        follow_layout = QVBoxLayout(follow)
        follow_layout.addWidget(self.replies)
        follow_layout.addWidget(self.note)
        follow_layout.addLayout(buttons)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.card, 1)
        self.offers = QLabel()
        self.offers.setWordWrap(True)
        self.offers.setStyleSheet("background: #e8f5e9; padding: 6px")
        self.offered = QPushButton(self.tr("Told the customer"))
        self.offered.clicked.connect(self._told)
        offers = QHBoxLayout()
        offers.addWidget(self.offers, 1)
        offers.addWidget(self.offered)
        right_layout.addLayout(offers)
        self._offers: list[dict] = []
        self.show_offers([])
        right_layout.addWidget(follow)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(top)
        left_layout.addWidget(self.table)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("workbenchSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setSizes([640, 420])
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

        self.table.selectionModel().currentRowChanged.connect(self._selected)
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._update_summary)  # the table's own timer ticks the ages
        self._ticker.start()
        self._set_enabled(False)
        self._update_duty()

    def _mine(self, row: LeadRow) -> bool:
        return self._me is not None and row.consultant_id == self._me.id

    def _update_summary(self) -> None:
        rows = self.model.rows()
        waiting = sum(1 for r in rows if r.first_follow_up_at is None and r.state == "assigned")
        self.summary.setText(self.tr("%n lead(s) waiting for your first call", "", waiting))

    def _update_duty(self) -> None:
        status = self._me.status if self._me else "off"
        on = status == "on_duty"
        self.duty.setChecked(on)
        self.duty.setText(self.tr("%s — click to pause") % status_label(status) if on else self.tr("Go on duty"))

    def _toggle_duty(self) -> None:
        self.status_requested.emit("on_duty" if self.duty.isChecked() else "paused")

    def current_lead(self) -> LeadRow | None:
        """The selected lead, if any."""
        index = self.table.currentIndex()
        return index.data(LEAD_ROLE) if index.isValid() else None

    def _set_enabled(self, on: bool) -> None:
        for b in self.kind_buttons.buttons():
            b.setEnabled(on)
        self.note.setEnabled(on)
        self.replies.setEnabled(on)

    def _selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = current.data(LEAD_ROLE) if current.isValid() else None
        self._set_enabled(row is not None and row.lead_id > 0)
        if row is not None and row.customer_id:
            self.card.setHtml(self.tr("Loading…"))
            self.customer_requested.emit(row.customer_id)

    def _pick_reply(self, index: int) -> None:
        reply = self.replies.itemData(index)
        if reply is not None:
            self.note.setText(reply.text)
            self.note.setProperty("kind", reply.kind)

    def _log(self, kind: str) -> None:
        row = self.current_lead()
        if row is None or row.lead_id <= 0:
            return
        self.follow_up_requested.emit({"lead_id": row.lead_id, "kind": kind, "note": self.note.text().strip()})
        self.note.clear()
        self.replies.setCurrentIndex(0)

    def show_offers(self, offers: list[dict]) -> None:
        """The customer's policy-experiment offers (the hub's `experiment.offers`): what to offer, and a
        button to record that it was offered (only those in an experiment's exposed share)."""
        self._offers = [o for o in offers if o.get("exposed")]
        lines = [
            self.tr("Policy to offer: %1 (variant %2)").replace("%1", o["policy"]).replace("%2", o["variant_name"])
            + (self.tr(" · told") if o.get("first_exposed_at") else "")
            for o in self._offers
        ]
        self.offers.setText("\n".join(lines))
        self.offers.setVisible(bool(lines))
        self.offered.setVisible(any(not o.get("first_exposed_at") for o in self._offers))

    def _told(self) -> None:
        for o in self._offers:
            if not o.get("first_exposed_at"):
                self.exposure_requested.emit(o["experiment_id"], o["customer_id"])
        self.offered.hide()

    def show_customer(self, card: dict) -> None:
        """Render a customer card (the hub's `customer.get` result, masked) or an error."""
        self.card.setHtml(customer_html(card))

    def apply(self, change: DeskChange) -> None:
        """Feed the queue; a new `me` refilters it."""
        self.model.apply(change)
        if change.me is not None:
            who_changed = self._me is None or self._me.id != change.me.id
            self._me = change.me
            self._update_duty()
            if who_changed:
                self.model.refilter()
        self._update_summary()
