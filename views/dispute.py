"""The dispute view (佣金争议): one deal's timeline of touches, reports, visits and decisions, with
the chain hashes and whether they verify; the split and its reasons; exports of the pack.

Plain data in (the dispute pack as the hub sends it), intents out (`export_requested`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from html import escape

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from models.deal_records import TimelineEntry, dispute_timeline
from views.deal_table import Column, RecordTableModel, record_table, yuan
from views.format import channel_label, day_time, kind_label

OK = QColor("#2e7d32")
BAD = QColor("#c62828")


def action_label(code: str) -> str:
    """What a chain decision was, in words."""
    labels = {
        "lead_ingested": QCoreApplication.translate("Dispute", "Lead received"),
        "attribution": QCoreApplication.translate("Dispute", "Attribution"),
        "customers_merged": QCoreApplication.translate("Dispute", "Customers merged"),
        "customer_split": QCoreApplication.translate("Dispute", "Customer split"),
        "manual_merge": QCoreApplication.translate("Dispute", "Merged by hand"),
        "manual_split": QCoreApplication.translate("Dispute", "Split by hand"),
        "review_opened": QCoreApplication.translate("Dispute", "Held for review"),
        "review_closed": QCoreApplication.translate("Dispute", "Review closed"),
        "deal_subscribed": QCoreApplication.translate("Dispute", "Subscription"),
        "deal_signed": QCoreApplication.translate("Dispute", "Signing"),
        "commission_split": QCoreApplication.translate("Dispute", "Commission split"),
        "settlement_prepared": QCoreApplication.translate("Dispute", "On a statement"),
        "settlement_confirmed": QCoreApplication.translate("Dispute", "Statement confirmed"),
        "settlement_paid": QCoreApplication.translate("Dispute", "Commission paid"),
        "follow_up_visit": QCoreApplication.translate("Dispute", "Visit logged"),
    }
    return labels.get(code, code)


def entry_what(e: TimelineEntry) -> str:
    """'Douyin · Online lead', 'Agency · Report', 'Visit logged', 'Commission split'."""
    if e.kind == "touch":
        return f"{channel_label(e.channel)} · {kind_label(e.code)}"
    return action_label(e.code)


def _verified(e: TimelineEntry) -> str:
    if e.hash_ok is None:
        return ""
    return (
        QCoreApplication.translate("Dispute", "verified")
        if e.hash_ok
        else QCoreApplication.translate("Dispute", "does not match")
    )


def timeline_columns() -> list[Column]:
    """Time, what, who, details, chain row, hash (full hashes in the tooltip), verified."""
    return [
        Column(
            lambda: QCoreApplication.translate("Dispute", "Time"), lambda e: day_time(e.at), lambda e: e.at.timestamp()
        ),
        Column(lambda: QCoreApplication.translate("Dispute", "What"), entry_what),
        Column(lambda: QCoreApplication.translate("Dispute", "Who"), lambda e: e.who),
        Column(
            lambda: QCoreApplication.translate("Dispute", "Details and reasons"),
            lambda e: e.text,
            tip=lambda e: e.text.replace("；", "\n"),
        ),
        Column(
            lambda: QCoreApplication.translate("Dispute", "Chain row"),
            lambda e: "" if e.seq is None else f"#{e.seq}",
            lambda e: e.seq or 0,
        ),
        Column(
            lambda: QCoreApplication.translate("Dispute", "Hash"),
            lambda e: e.hash[:16],
            tip=lambda e: f"{e.hash}\n← {e.prev_hash}" if e.hash else None,
        ),
        Column(
            lambda: QCoreApplication.translate("Dispute", "Chain check"),
            _verified,
            color=lambda e: None if e.hash_ok is None else (OK if e.hash_ok else BAD),
        ),
    ]


class DisputeView(QWidget):
    """Everything about one deal's commission, for the agency and the office to look at together."""

    export_requested = Signal(int, str)
    """Export this deal's dispute pack as 'html', 'xlsx' or 'json'."""

    def __init__(self, parent: QWidget | None = None):
        """Build the header, the split summary, the timeline and the export buttons."""
        super().__init__(parent)
        self._deal_id: int | None = None
        self.heading = QLabel()
        self.heading.setObjectName("disputeHeading")
        self.chain = QLabel()
        self.chain.setObjectName("chainBadge")
        self.judgement = QLabel()
        self.judgement.setWordWrap(True)
        self.judgement.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.split = QLabel()
        self.split.setWordWrap(True)
        self.buttons = {
            fmt: QPushButton(label)
            for fmt, label in (
                ("html", self.tr("Printable page")),
                ("xlsx", self.tr("Export XLSX")),
                ("json", self.tr("Export JSON")),
            )
        }
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.chain)
        for fmt, button in self.buttons.items():
            button.clicked.connect(lambda _c=False, f=fmt: self._export(f))
            button.setEnabled(False)
            top.addWidget(button)
        summary = QGroupBox(self.tr("Attribution and split"))
        summary_layout = QHBoxLayout(summary)
        summary_layout.addWidget(self.judgement, 1)
        summary_layout.addWidget(self.split, 1)

        self.model = RecordTableModel(timeline_columns(), lambda e: (e.kind, e.seq, e.at, e.text), self)
        self.proxy, self.table = record_table(self, self.model, (90, 150, 120, 420, 70, 130))
        timeline = QGroupBox(self.tr("Timeline: touches, reports, visits and decisions"))
        QVBoxLayout(timeline).addWidget(self.table)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(summary)
        splitter.addWidget(timeline)
        splitter.setSizes([160, 480])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

    def show_pack(self, pack: dict) -> None:
        """Render a dispute pack (`dispute.get` answer)."""
        deal = pack["deal"]
        self._deal_id = deal["deal_id"]
        signed = day_time(datetime.fromisoformat(deal["signed_at"])) if deal.get("signed_at") else ""
        self.heading.setText(
            f"<b>{deal['unit']}</b> · {pack['customer']['name']} #{pack['customer']['customer_id']} · "
            + self.tr("deal #%1 signed %2").replace("%1", str(deal["deal_id"])).replace("%2", signed)
        )
        chain = pack["chain"]
        if chain["intact"]:
            self.chain.setText(self.tr("Evidence chain verified (head #%1)").replace("%1", str(chain["head_seq"])))
            self.chain.setStyleSheet(f"color: {OK.name()}; font-weight: bold")
        else:
            self.chain.setText(self.tr("Evidence chain does NOT verify"))
            self.chain.setToolTip("\n".join(chain["problems"]))
            self.chain.setStyleSheet(f"color: {BAD.name()}; font-weight: bold")
        at_signing = escape(pack["judgement_at_signing"]["text"])
        now = escape(pack["judgement_now"]["text"])
        at_label, today_label = self.tr("Attribution at signing"), self.tr("Attribution today")
        parts = [f"<b>{at_label}</b><br>{at_signing.replace(chr(10), '<br>')}"]
        if now and now != at_signing:
            parts.append(f"<b>{today_label}</b><br>{now.replace(chr(10), '<br>')}")
        self.judgement.setText("<br>".join(parts))
        lines = "".join(
            f"<tr><td>{escape(x['party_name'])}</td><td align='right'>{yuan(Decimal(x['amount']))}</td></tr>"
            for x in pack["split"]["lines"]
        )
        pool = yuan(Decimal(pack["split"]["pool"])) if pack["split"]["pool"] else "—"
        pool_label = self.tr("Commission pool")
        self.split.setText(f"<b>{pool_label} {pool}</b><table>{lines}</table>")
        self.model.set_records(dispute_timeline(pack))
        for button in self.buttons.values():
            button.setEnabled(True)

    def _export(self, fmt: str) -> None:
        if self._deal_id is not None:
            self.export_requested.emit(self._deal_id, fmt)
