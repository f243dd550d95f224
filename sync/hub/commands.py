"""Command handlers: one small function per message type, registered with its schema.

A handler gets the hub, the session and the decoded message, and returns the result dict; it raises
`CommandError` (or `FloorError`) to refuse. Permission checks, id ordering and mutation
idempotency happen before a handler runs (sync/hub/ws.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import msgspec
import sqlalchemy as sa

from models.access import MAY_REVEAL, may_see_customer
from models.clock import ensure_aware
from models.floor_result import FloorChange
from models.floor_state import customer_owner, customers_by_identifier, staff_names
from models.follow_ups import CLOCK_SKEW
from models.identifiers import Status, parse_identifier
from models.leads import Channel, LeadIn, TouchKind
from models.lookup import customer_detail, resolve_customer_id
from models.mutations import MutationKey
from models.schema import agencies, leads
from models.staff import Role, StaffMember, list_staff
from sync.hub.core import Hub, Session
from sync.protocol import (
    PROTOCOL_VERSION,
    AlertAck,
    CustomerGet,
    CustomerLookup,
    ErrorCode,
    FollowUpLog,
    GrabClaim,
    LeadReassign,
    Ping,
    ReportFile,
    StaffList,
    StatusSet,
    Subscribe,
    VisitRegister,
)

Handler = Callable[[Hub, Session, Any, MutationKey | None], Awaitable[dict[str, Any]]]
HANDLERS: dict[type, Handler] = {}
# A mutation's blocking part, run on the hub's database thread: (hub, who, message, key) -> change.
Applier = Callable[[Hub, StaffMember, Any, MutationKey | None], FloorChange]
APPLIERS: dict[type, Applier] = {}


class CommandError(ValueError):
    """A refusal with a stable code."""

    def __init__(self, code: str, message: str):
        """Keep the code beside the message."""
        super().__init__(message)
        self.code = code


def command(schema: type) -> Callable[[Handler], Handler]:
    """Register a handler for one message type."""

    def register(fn: Handler) -> Handler:
        HANDLERS[schema] = fn
        return fn

    return register


def mutation(schema: type) -> Callable[[Applier], Applier]:
    """Register a mutation's applier; its command runs it on the database thread and publishes the change.

    The same applier serves a `batch` of queued mutations (sync/hub/batch.py), inside one transaction.
    """

    def register(fn: Applier) -> Applier:
        async def handler(hub: Hub, s: Session, msg: Any, key: MutationKey | None) -> dict[str, Any]:
            change = await hub.db(fn, hub, s.member, msg, key)
            hub.publish(change)
            return mutation_result(msg, change)

        handler.__doc__ = fn.__doc__
        APPLIERS[schema] = fn
        HANDLERS[schema] = handler
        return fn

    return register


def mutation_result(msg: Any, change: FloorChange) -> dict[str, Any]:
    """What a client is told of an applied mutation; an intake that hit a 判客 conflict is refused with why."""
    if isinstance(msg, VisitRegister | ReportFile):
        result = change.result["leads"][0]
        if result["conflict"]:
            raise CommandError(ErrorCode.CONFLICT, result["conflict"])
        return result
    return change.result


def message_type(schema: type) -> str:
    """The wire name of a message schema."""
    return schema.__struct_config__.tag  # type: ignore[attr-defined]


def parse_client_time(hub: Hub, text: str | None) -> datetime:
    """A client-given time (offline entries carry when they happened); not in the future."""
    now = hub.clock.now()
    if not text:
        return now
    try:
        when = ensure_aware(datetime.fromisoformat(text))
    except ValueError:
        raise CommandError(ErrorCode.INVALID, f"occurred_at {text[:40]!r} is not an ISO 8601 time") from None
    if when > now + CLOCK_SKEW:
        raise CommandError(ErrorCode.INVALID, "occurred_at is in the future")
    return when


@command(Ping)
async def ping(hub: Hub, s: Session, msg: Ping, _m) -> dict[str, Any]:
    """Answer with the hub's time and newest sequence number."""
    return {"now": hub.clock.now().isoformat(), "seq": hub.last_seq}


@command(Subscribe)
async def subscribe(hub: Hub, s: Session, msg: Subscribe, _m) -> dict[str, Any]:
    """Stream events after `since` (snapshot first when since is 0)."""
    if msg.since < 0 or msg.since > hub.last_seq:
        raise CommandError(ErrorCode.INVALID, f"since must be between 0 and {hub.last_seq}, got {msg.since}")
    return await hub.subscribe(s, msg.since)


def _person_identifiers(person) -> list[tuple[str, str]]:
    out = []
    if person.mobile.strip():
        out.append(("mobile", person.mobile))
    if person.national_id.strip():
        out.append(("national_id", person.national_id))
    if not out and not person.name.strip():
        raise CommandError(ErrorCode.INVALID, "give at least a name, a mobile or an ID number")
    return out


@mutation(VisitRegister)
def visit_register(hub: Hub, member: StaffMember, msg: VisitRegister, key: MutationKey | None) -> FloorChange:
    """Reception registers a walk-in or an accompanied visit through the customer core."""
    accompanied = msg.kind == "accompanied_visit"
    if accompanied and not msg.agency_code:
        raise CommandError(ErrorCode.INVALID, "an accompanied visit needs agency_code")
    lead = LeadIn(
        source="desk",
        source_message_id=f"{msg.client_id}:{msg.mutation_id}",
        channel=Channel.AGENCY if accompanied else Channel.WALK_IN,
        kind=TouchKind.ACCOMPANIED_VISIT if accompanied else TouchKind.WALK_IN,
        occurred_at=parse_client_time(hub, msg.occurred_at),
        name=msg.person.name.strip(),
        identifiers=_person_identifiers(msg.person),
        agency_code=msg.agency_code if accompanied else None,
        broker_code=msg.broker_code if accompanied else None,
        broker_name=msg.broker_name if accompanied else None,
        report_code=msg.report_code if accompanied else None,
        payload=msgspec.json.encode(msg.person),
    )
    return hub.floor.intake([lead], member.name, key)


def _agency_code(hub: Hub, agency_id: int | None) -> str | None:
    if agency_id is None:
        return None
    with hub.registry.engine.connect() as conn:
        return conn.execute(sa.select(agencies.c.code).where(agencies.c.id == agency_id)).scalar()


@mutation(ReportFile)
def report_file(hub: Hub, member: StaffMember, msg: ReportFile, key: MutationKey | None) -> FloorChange:
    """A 报备 report; a broker always files for their own agency."""
    agency = msg.agency_code
    if member.role is Role.BROKER:
        own = _agency_code(hub, member.agency_id)
        if agency and agency != own:
            raise CommandError(ErrorCode.FORBIDDEN, "a broker files reports only for their own agency")
        agency = own
    if not agency:
        raise CommandError(ErrorCode.INVALID, "a report needs agency_code")
    lead = LeadIn(
        source="report",
        source_message_id=f"{msg.client_id}:{msg.mutation_id}",
        channel=Channel.AGENCY,
        kind=TouchKind.REPORT,
        occurred_at=parse_client_time(hub, msg.occurred_at),
        name=msg.person.name.strip(),
        identifiers=_person_identifiers(msg.person),
        agency_code=agency,
        broker_code=msg.broker_code or (str(member.id) if member.role is Role.BROKER else None),
        broker_name=msg.broker_name or (member.name if member.role is Role.BROKER else None),
        report_code=msg.report_code,
        payload=msgspec.json.encode(msg.person),
    )
    return hub.floor.intake([lead], member.name, key)


@mutation(FollowUpLog)
def followup_log(hub: Hub, member: StaffMember, msg: FollowUpLog, key: MutationKey | None) -> FloorChange:
    """Log a follow-up; the first one on a lead fixes its first-response time."""
    when = parse_client_time(hub, msg.occurred_at)
    return hub.floor.log_follow_up(member, msg.lead_id, msg.kind, msg.note, when, key)


@command(GrabClaim)
async def grab_claim(hub: Hub, s: Session, msg: GrabClaim, _m) -> dict[str, Any]:
    """Claim a lead from the grab pool: 抢单成功, or who got it first."""
    return await hub.claim(msg.round_id, s.member)


@mutation(StatusSet)
def status_set(hub: Hub, member: StaffMember, msg: StatusSet, key: MutationKey | None) -> FloorChange:
    """On duty / paused / off."""
    target = msg.staff_id if msg.staff_id is not None else member.id
    return hub.floor.set_status(target, msg.status, member.name, key)


@mutation(LeadReassign)
def lead_reassign(hub: Hub, member: StaffMember, msg: LeadReassign, key: MutationKey | None) -> FloorChange:
    """A manager moves a lead to another consultant."""
    return hub.floor.reassign(msg.lead_id, msg.to_staff_id, member, msg.note, key)


@command(AlertAck)
async def alert_ack(hub: Hub, s: Session, msg: AlertAck, _m) -> dict[str, Any]:
    """Acknowledge an alert (logged with who and when)."""
    change = await hub.db(hub.floor.acknowledge_alert, msg.alert_id, s.member)
    hub.publish(change)
    return change.result


def _customer(hub: Hub, s: Session, customer_id: int) -> dict[str, Any]:
    with hub.registry.engine.connect() as conn:
        try:
            cid = resolve_customer_id(conn, customer_id)
        except LookupError as exc:
            raise CommandError(ErrorCode.NOT_FOUND, str(exc)) from None
        agency_ids = {
            a for (a,) in conn.execute(sa.select(leads.c.agency_id).where(leads.c.customer_id == cid)) if a is not None
        }
        if not may_see_customer(s.member, customer_owner(conn, cid), agency_ids):
            raise CommandError(ErrorCode.FORBIDDEN, f"customer #{customer_id} is not yours to open")
        reveal = False  # full numbers only through an audited reveal, never in a plain card
        d = customer_detail(conn, hub.registry.vault, hub.registry.rules.protection, cid, hub.clock.now(), reveal)
    return {
        "customer_id": d.customer_id,
        "name": d.name,
        "needs_review": d.needs_review,
        "first_channel": d.first_channel,
        "first_contact_at": d.first_contact_at.isoformat() if d.first_contact_at else None,
        "leads": [
            {
                "lead_id": ln.lead_id,
                "channel": ln.channel,
                "kind": ln.kind,
                "occurred_at": ln.occurred_at.isoformat(),
                "name": ln.name,
                "match_reason": ln.match_reason,
                "identifiers": [{k: i[k] for k in ("kind", "value", "status", "reason")} for i in ln.identifiers],
            }
            for ln in d.leads
        ],
        "contributions": [
            {"channel": c.channel.value, "agency": c.agency_name, "share": str(c.share)} for c in d.contributions
        ],
        "judgement": {"owner": d.judgement.owner, "agency": d.judgement.agency_name, "text": d.judgement.text()},
        "may_reveal": s.member.role in MAY_REVEAL,
    }


@command(CustomerGet)
async def customer_get(hub: Hub, s: Session, msg: CustomerGet, _m) -> dict[str, Any]:
    """One customer's card, masked."""
    return await hub.db(_customer, hub, s, msg.customer_id)


def _lookup(hub: Hub, msg: CustomerLookup) -> dict[str, Any]:
    keys, problems = [], []
    for kind, raw in (("mobile", msg.mobile), ("national_id", msg.national_id)):
        if not raw.strip():
            continue
        ident = parse_identifier(kind, raw, hub.registry.rules.identifiers)
        if ident.status is Status.VALID and ident.matchable:
            keys.append(hub.registry.vault.blind_index(ident.kind.value, ident.value))
        else:
            problems.append({"kind": kind, "reason": ident.reason or "not usable for matching"})
    found = []
    with hub.registry.engine.connect() as conn:
        for cid in customers_by_identifier(conn, keys)[:5]:
            cid = resolve_customer_id(conn, cid)
            d = customer_detail(conn, hub.registry.vault, hub.registry.rules.protection, cid, hub.clock.now())
            owner = customer_owner(conn, cid)
            mobile = next((i["value"] for ln in d.leads for i in ln.identifiers if i["kind"] == "mobile"), "")
            found.append(
                {
                    "customer_id": cid,
                    "name": d.name,
                    "mobile_masked": mobile,
                    "first_channel": d.first_channel,
                    "first_contact_at": d.first_contact_at.isoformat() if d.first_contact_at else None,
                    "owner_id": owner,
                    "owner_name": staff_names(conn, {owner}).get(owner, "") if owner else "",
                    "judgement": d.judgement.text(),
                }
            )
    return {"customers": found, "problems": problems}


@command(CustomerLookup)
async def customer_lookup(hub: Hub, s: Session, msg: CustomerLookup, _m) -> dict[str, Any]:
    """The desk's duplicate hint: existing customers with this mobile or ID number, masked."""
    if not msg.mobile.strip() and not msg.national_id.strip():
        raise CommandError(ErrorCode.INVALID, "give a mobile or an ID number to look up")
    return await hub.db(_lookup, hub, msg)


def _staff_board(hub: Hub) -> list[dict[str, Any]]:
    with hub.registry.engine.connect() as conn:
        return [
            {"id": m.id, "name": m.name, "role": m.role.value, "status": m.status.value, "agency_id": m.agency_id}
            for m in list_staff(conn)
            if m.active
        ]


@command(StaffList)
async def staff_list(hub: Hub, s: Session, msg: StaffList, _m) -> dict[str, Any]:
    """Everyone active, with role and status."""
    return {"staff": await hub.db(_staff_board, hub), "protocol": PROTOCOL_VERSION}
