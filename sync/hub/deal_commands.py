"""Deals, commission settlement and dispute packs: recording (mutations, once per client key) and reads.

A consultant records and reads only their own deals; a broker reads and confirms only their
agency's statements and the dispute packs of deals their agency has a line in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from models.clock import ensure_aware, to_utc
from models.db import write_transaction
from models.deal_checks import DealError
from models.deal_queries import deal_detail, list_deals
from models.deal_records import transition_refusal
from models.deal_wire import to_wire
from models.deals import DealBook, DealIn
from models.dispute import dispute_pack
from models.events import PendingEvent, append_events
from models.floor_result import FloorChange, remember
from models.mutations import MutationKey
from models.sandbox_store import record_deal_conversions_in
from models.settlement import SettlementError, Settlements
from models.settlement_queries import list_statements, settlement_cycle, statement_detail, statement_summary
from models.staff import Role, StaffMember
from sync.hub.commands import CommandError, command, mutation
from sync.hub.core import Hub, Session
from sync.protocol import (
    DealGet,
    DealList,
    DealRecord,
    DisputeGet,
    ErrorCode,
    SettlementCycle,
    SettlementGet,
    SettlementList,
    SettlementPrepare,
    SettlementTransition,
)


def parse_day(text: str, field: str) -> date | None:
    """An ISO date from a message field (None when empty); CommandError names the field."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(ErrorCode.INVALID, f"{field} {text[:20]!r} is not a date like 2026-11-21") from None


def _refused(fn: Callable[[], Any]) -> Any:
    """Run a deal or settlement step; its refusals become the protocol's errors."""
    try:
        return fn()
    except (DealError, SettlementError) as exc:
        raise CommandError(ErrorCode.INVALID, str(exc)) from None
    except LookupError as exc:
        raise CommandError(ErrorCode.NOT_FOUND, str(exc).strip("'\"")) from None


def _commit(hub: Hub, key: MutationKey | None, work: Callable, event: Callable) -> FloorChange:
    """One write transaction: the work, its event, its remembered answer."""
    with write_transaction(hub.registry.engine) as conn:
        now = hub.clock.now()
        result = _refused(lambda: work(conn))
        events = append_events(conn, [event(result)], now)
        remember(conn, key, result, now)
    return FloorChange(events, result)


@mutation(DealRecord)
def deal_record(hub: Hub, member: StaffMember, msg: DealRecord, key: MutationKey | None) -> FloorChange:
    """Record a subscription or signing; a signing splits the commission pool by contribution."""
    consultant_id = msg.consultant_id
    if member.role is Role.CONSULTANT:
        if consultant_id not in (None, member.id):
            raise CommandError(ErrorCode.FORBIDDEN, "a consultant records only their own deals")
        consultant_id = member.id
    try:
        at = ensure_aware(datetime.fromisoformat(msg.at))
    except ValueError:
        raise CommandError(ErrorCode.INVALID, f"at {msg.at[:40]!r} is not an ISO 8601 time") from None
    entry = DealIn(msg.customer_id, msg.unit, msg.amount, at, msg.stage, msg.consultant_name, consultant_id, msg.pool)
    book = DealBook(hub.registry.engine, hub.registry.audit, hub.floor.rules, hub.clock)

    def work(conn) -> dict[str, Any]:
        detail = deal_detail(conn, book.record_in(conn, entry, member.name))
        deal = detail.deal  # a conversion in every policy experiment the person was offered
        record_deal_conversions_in(conn, deal.customer_id, msg.stage, at, member.name, hub.clock.now(), deal.deal_id)
        return to_wire(detail)

    def event(detail: dict[str, Any]) -> PendingEvent:
        deal = detail["deal"]
        payload = {"deal_id": deal["deal_id"], "state": deal["state"], "unit": deal["unit"]}
        return PendingEvent("deal.changed", payload, deal["customer_id"], staff_id=deal["consultant_id"])

    return _commit(hub, key, work, event)


@mutation(SettlementPrepare)
def settlement_prepare(hub: Hub, member: StaffMember, msg: SettlementPrepare, key: MutationKey | None) -> FloorChange:
    """Statements per agency for the period's signings not yet on one."""
    start, end = parse_day(msg.start, "start"), parse_day(msg.end, "end")
    if start is None or end is None:
        raise CommandError(ErrorCode.INVALID, "a settlement period needs start and end dates")
    settlements = Settlements(hub.registry.engine, hub.registry.audit, hub.clock)

    def work(conn) -> dict[str, Any]:
        return {"statement_ids": settlements.prepare_in(conn, start, end, member.name, msg.agency_id)}

    def event(result: dict[str, Any]) -> PendingEvent:
        return PendingEvent("settlement.changed", {"statement_ids": result["statement_ids"], "status": "pending"})

    return _commit(hub, key, work, event)


@mutation(SettlementTransition)
def settlement_transition(
    hub: Hub, member: StaffMember, msg: SettlementTransition, key: MutationKey | None
) -> FloorChange:
    """Confirm (agency or office) or mark paid (office) a statement."""
    settlements = Settlements(hub.registry.engine, hub.registry.audit, hub.clock)
    agency = {}

    def work(conn) -> dict[str, Any]:
        head = statement_summary(conn, msg.statement_id)
        why = transition_refusal(member.role.value, member.agency_id, head.agency_id, msg.to)
        if why:
            raise CommandError(ErrorCode.FORBIDDEN, why)
        settlements.transition_in(conn, msg.statement_id, msg.to, member.name, msg.note)
        agency["id"] = head.agency_id
        return {"statement": to_wire(statement_summary(conn, msg.statement_id))}

    def event(result: dict[str, Any]) -> PendingEvent:
        payload = {"statement_ids": [msg.statement_id], "status": msg.to}
        return PendingEvent("settlement.changed", payload, agency_id=agency["id"])

    return _commit(hub, key, work, event)


def read_db(hub: Hub, fn: Callable) -> Any:
    """Run a read on a connection; deal and settlement refusals become protocol errors."""
    with hub.registry.engine.connect() as conn:
        return _refused(lambda: fn(conn))


@command(DealList)
async def deal_list(hub: Hub, s: Session, msg: DealList, _m) -> dict[str, Any]:
    """Deals of a period; a consultant's own only."""
    start, end = parse_day(msg.start, "start"), parse_day(msg.end, "end")
    consultant = s.member.id if s.member.role is Role.CONSULTANT else msg.consultant_id
    found = await hub.db(read_db, hub, lambda conn: list_deals(conn, start, end, consultant))
    return {"deals": to_wire(found)}


def _own_deal(s: Session, detail) -> None:
    if s.member.role is Role.CONSULTANT and detail.deal.consultant_id != s.member.id:
        raise CommandError(ErrorCode.FORBIDDEN, f"deal #{detail.deal.deal_id} is not yours")


@command(DealGet)
async def deal_get(hub: Hub, s: Session, msg: DealGet, _m) -> dict[str, Any]:
    """One deal and its split."""
    detail = await hub.db(read_db, hub, lambda conn: deal_detail(conn, msg.deal_id))
    _own_deal(s, detail)
    return {"deal": to_wire(detail)}


@command(DisputeGet)
async def dispute_get(hub: Hub, s: Session, msg: DisputeGet, _m) -> dict[str, Any]:
    """The dispute pack of a deal (a broker: only where their agency has a line)."""

    def pack(conn) -> dict[str, Any]:
        detail = deal_detail(conn, msg.deal_id)
        if s.member.role is Role.BROKER and all(line.agency_id != s.member.agency_id for line in detail.lines):
            raise CommandError(ErrorCode.FORBIDDEN, f"your agency has no part in deal #{msg.deal_id}")
        registry, protection = hub.registry, hub.floor.rules.protection
        return dispute_pack(conn, registry.vault, protection, registry.audit, msg.deal_id, hub.clock.now())

    return {"pack": await hub.db(read_db, hub, pack)}


def _agency_scope(s: Session, wanted: int | None) -> int | None:
    return s.member.agency_id if s.member.role is Role.BROKER else wanted


@command(SettlementList)
async def settlement_list(hub: Hub, s: Session, msg: SettlementList, _m) -> dict[str, Any]:
    """Statements (a broker's agency only)."""
    agency = _agency_scope(s, msg.agency_id)
    found = await hub.db(read_db, hub, lambda conn: list_statements(conn, agency, msg.status))
    return {"statements": to_wire(found)}


@command(SettlementGet)
async def settlement_get(hub: Hub, s: Session, msg: SettlementGet, _m) -> dict[str, Any]:
    """One statement with its lines."""
    detail = await hub.db(read_db, hub, lambda conn: statement_detail(conn, msg.statement_id))
    if s.member.role is Role.BROKER and detail.statement.agency_id != s.member.agency_id:
        raise CommandError(ErrorCode.FORBIDDEN, f"statement #{msg.statement_id} is another agency's")
    return {"statement": to_wire(detail)}


@command(SettlementCycle)
async def settlement_cycle_report(hub: Hub, s: Session, msg: SettlementCycle, _m) -> dict[str, Any]:
    """Signing -> paid days over a period, against the target (seed: at most 3 days)."""
    start, end = parse_day(msg.start, "start"), parse_day(msg.end, "end")
    if start is None or end is None:
        raise CommandError(ErrorCode.INVALID, "the cycle needs start and end dates")
    target = hub.floor.rules.commission.settlement_target_days
    now = to_utc(hub.clock.now())
    figure = await hub.db(read_db, hub, lambda conn: settlement_cycle(conn, start, end, now, target))
    return {"cycle": to_wire(figure)}
