"""The capability radar (销售能力画像) from imported call transcripts, and tag use against deal cycles."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from models.deal_queries import list_deals
from models.deal_wire import to_wire
from models.metrics import business_range
from models.skill_radar import MIN_EACH, build_profile, cycle_findings
from models.staff import Role
from models.transcripts import customer_tag_use, load_usage
from sync.hub.commands import command
from sync.hub.core import Hub, Session
from sync.hub.deal_commands import parse_day, read_db
from sync.protocol import RadarReport


def _report(conn, staff_id: int | None, own_only: bool, start: datetime | None, end: datetime | None) -> dict[str, Any]:
    usage = load_usage(conn, start, end)
    people = sorted(((u.staff_id, u.name, u.calls) for u in usage), key=lambda p: (-p[2], p[1]))
    chosen = staff_id if any(p[0] == staff_id for p in people) else None
    if chosen is None and not own_only and people:  # a manager without a choice: the most recorded
        chosen = people[0][0]
    profile = build_profile(usage, chosen) if chosen is not None else None
    cycles = {
        d.customer_id: float(d.cycle_days)
        for d in list_deals(conn)
        if d.signed_at is not None and d.cycle_days is not None
    }
    findings = cycle_findings(customer_tag_use(conn, start, end), cycles)
    return {
        "consultants": [list(p) for p in people],
        "profile": to_wire(profile),
        "findings": to_wire(findings),
        "min_each": MIN_EACH,
    }


@command(RadarReport)
async def radar_report(hub: Hub, s: Session, msg: RadarReport, _m) -> dict[str, Any]:
    """One consultant's radar beside the team (a consultant: their own) and the tag-versus-cycle findings."""
    first, last = parse_day(msg.start, "start"), parse_day(msg.end, "end")
    start, end = business_range(first or last, last or first) if (first or last) else (None, None)
    own = s.member.role is Role.CONSULTANT  # a consultant sees their own radar only, never a colleague's
    staff_id = s.member.id if own else msg.staff_id
    result = await hub.db(read_db, hub, lambda conn: _report(conn, staff_id, own, start, end))
    if own:
        result["consultants"] = [p for p in result["consultants"] if p[0] == s.member.id]
    return result
