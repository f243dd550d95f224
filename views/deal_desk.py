"""The desk's deal screens together: deals with their splits, settlement statements, dispute packs.

Owns the three screens, turns their intents into the window's mutations and reads, routes the hub's
answers back, refreshes what is on screen every half minute, and writes exports the user asks for.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from models.clock import business_time
from models.deal_records import CycleFigure, DealDetail, DealSummary, StatementDetail, StatementSummary
from models.deal_wire import from_wire
from models.desk_state import Me, StaffRow
from views.deals import DealsScreen
from views.dispute import DisputeView
from views.settlement import SettlementScreen

DEAL_READS = ("deal.list", "deal.get", "dispute.get", "settlement.list", "settlement.get", "settlement.cycle")
REFRESH_MS = 30_000


def _month(today: date) -> tuple[str, str]:
    """This calendar month as ISO dates (the default period of the cycle figure)."""
    last = calendar.monthrange(today.year, today.month)[1]
    return today.replace(day=1).isoformat(), today.replace(day=last).isoformat()


class DealDesk(QObject):
    """Deals, settlement and disputes for the roles that use them."""

    mutation_requested = Signal(str, dict)
    """(type, fields) of a write, queued like any desk action."""
    query_requested = Signal(str, dict)
    """(type, fields) of a read."""
    dispute_shown = Signal()
    """A dispute pack arrived: its screen should come to the front."""

    def __init__(self, now: Callable[[], datetime], parent: QObject | None = None):
        """Build the screens once; `screens_for` says which a role sees."""
        super().__init__(parent)
        self._now = now
        self.deals = DealsScreen(now)
        self.settlement = SettlementScreen(now)
        self.dispute = DisputeView()
        self._statement: StatementDetail | None = None
        self._pack: dict | None = None
        self._role = ""
        self.deals.record_requested.connect(self._record)
        self.deals.deal_selected.connect(lambda i: self.query_requested.emit("deal.get", {"deal_id": i}))
        self.deals.dispute_requested.connect(lambda i: self.query_requested.emit("dispute.get", {"deal_id": i}))
        self.settlement.prepare_requested.connect(self._prepare)
        self.settlement.statement_selected.connect(
            lambda i: self.query_requested.emit("settlement.get", {"statement_id": i})
        )
        self.settlement.transition_requested.connect(
            lambda i, to: self.mutation_requested.emit("settlement.transition", {"statement_id": i, "to": to})
        )
        self.settlement.export_requested.connect(self._export_statement)
        self.dispute.export_requested.connect(self._export_dispute)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()

    def screens_for(self, role: str) -> list[tuple[QWidget, str]]:
        """The deal screens a role works with (tab widget, title)."""
        deals = (self.deals, self.tr("Deals"))
        settle = (self.settlement, self.tr("Settlement"))
        disputes = (self.dispute, self.tr("Dispute"))
        return {
            "consultant": [deals],
            "manager": [deals, settle, disputes],
            "admin": [deals, settle, disputes],
            "channel_specialist": [deals, settle, disputes],
            "broker": [settle, disputes],
        }.get(role, [])

    def set_me(self, me: Me) -> None:
        """Who is signed in: the settlement actions follow the role (a broker: their agency)."""
        self._role = me.role
        self.settlement.set_role(me.role, me.agency_id)

    def set_staff(self, staff: list[StaffRow]) -> None:
        """Consultants to choose from when recording a deal."""
        people = sorted((p.id, p.name) for p in staff if p.role == "consultant")
        self.deals.set_consultants(people)

    def refresh(self) -> None:
        """Ask again for what the visible deal screens show."""
        if not self._role:
            return
        start, end = _month(business_time(self._now()).date())
        if self.deals.isVisible():
            self.query_requested.emit("deal.list", {})
        if self.settlement.isVisible():
            self.query_requested.emit("settlement.list", {})
            if self._role != "broker":
                self.query_requested.emit("settlement.cycle", {"start": start, "end": end})

    def show_result(self, kind: str, result: dict) -> bool:
        """Route a read's answer to its screen; False if the kind is not a deal read."""
        if kind not in DEAL_READS:
            return False
        if "error" in result:
            text = result.get("message") or result["error"]
            screen = self.settlement if kind.startswith("settlement") else self.deals
            screen.show_message(text, error=True)
            return True
        if kind == "deal.list":
            self.deals.apply_deals([from_wire(DealSummary, d) for d in result["deals"]])
        elif kind == "deal.get":
            self.deals.show_detail(from_wire(DealDetail, result["deal"]))
        elif kind == "dispute.get":
            self._pack = result["pack"]
            self.dispute.show_pack(self._pack)
            self.dispute_shown.emit()
        elif kind == "settlement.list":
            self.settlement.apply_statements([from_wire(StatementSummary, s) for s in result["statements"]])
        elif kind == "settlement.get":
            self._statement = from_wire(StatementDetail, result["statement"])
            self.settlement.show_detail(self._statement)
        elif kind == "settlement.cycle":
            self.settlement.show_cycle(from_wire(CycleFigure, result["cycle"]))
        return True

    # --- intents ------------------------------------------------------------------------------------

    def _record(self, fields: dict) -> None:
        self.mutation_requested.emit("deal.record", fields)
        self.deals.show_message(self.tr("Recorded; the split appears once the hub has it."))
        QTimer.singleShot(1500, self.refresh)

    def _prepare(self, start: date, end: date) -> None:
        self.mutation_requested.emit("settlement.prepare", {"start": start.isoformat(), "end": end.isoformat()})
        QTimer.singleShot(1500, self.refresh)

    def _save_path(self, title: str, fmt: str) -> Path | None:
        suffix = {"xlsx": "Excel (*.xlsx)", "html": "HTML (*.html)", "json": "JSON (*.json)"}[fmt]
        path, _ = QFileDialog.getSaveFileName(self.deals, self.tr("Export"), f"{title}.{fmt}", suffix)
        return Path(path) if path else None

    def _export_statement(self, statement_id: int, fmt: str) -> None:
        from models.settlement_export import statement_html, statement_title, statement_xlsx  # openpyxl: on use

        detail = self._statement
        if detail is None or detail.statement.statement_id != statement_id:
            self.settlement.show_message(self.tr("Open the statement first."), error=True)
            return
        path = self._save_path(statement_title(detail), fmt)
        if path is None:
            return
        try:
            if fmt == "xlsx":
                statement_xlsx(detail, path)
            else:
                path.write_text(statement_html(detail), encoding="utf-8")
        except OSError as exc:
            self.settlement.show_message(self.tr("Not written: %1").replace("%1", str(exc)), error=True)
            return
        self.settlement.show_message(self.tr("Written to %1").replace("%1", str(path)))

    def _export_dispute(self, deal_id: int, fmt: str) -> None:
        from models.dispute_export import dispute_html, dispute_json, dispute_xlsx  # openpyxl: on use

        pack = self._pack
        if pack is None or pack["deal"]["deal_id"] != deal_id:
            return
        path = self._save_path(f"dispute-{deal_id}", fmt)
        if path is None:
            return
        try:
            if fmt == "xlsx":
                dispute_xlsx(pack, path)
            elif fmt == "json":
                path.write_text(dispute_json(pack), encoding="utf-8")
            else:
                path.write_text(dispute_html(pack), encoding="utf-8")
        except OSError as exc:
            self.deals.show_message(self.tr("Not written: %1").replace("%1", str(exc)), error=True)
