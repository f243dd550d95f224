"""What a client starts from when it has nothing: recent leads with their dispatch state, and the staff
board, as of one sequence number (read in one consistent transaction)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from models.access import can_see
from models.alert_store import open_alert_cards
from models.events import last_seq
from models.floor_state import aware_utc, lead_cards
from models.hub_schema import follow_ups, grab_rounds, lead_dispatch, staff
from models.schema import leads
from models.staff import StaffMember

MAX_SNAPSHOT_LEADS = 250_000  # sent in pages by the hub; a year of a busy office's recent leads fits


def snapshot_for(engine: Engine, member: StaffMember, days: int, now=None) -> dict[str, Any]:
    """Leads received in the last `days` days that this person may see, with the seq they are current to."""
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**options) as conn, conn.begin():
        seq = last_seq(conn)
        newest = conn.execute(sa.select(sa.func.max(leads.c.received_at))).scalar()
        rows = []
        if newest is not None:
            since = (now or newest) - timedelta(days=days)
            q = (
                sa.select(
                    leads.c.id,
                    lead_dispatch.c.reason,
                    lead_dispatch.c.state,
                    lead_dispatch.c.consultant_id,
                    lead_dispatch.c.assigned_at,
                    lead_dispatch.c.first_follow_up_at,
                    lead_dispatch.c.mode,
                )
                .outerjoin(lead_dispatch, lead_dispatch.c.lead_id == leads.c.id)
                .where(leads.c.received_at >= since)
                .order_by(leads.c.id.desc())
                .limit(MAX_SNAPSHOT_LEADS)
            )
            rows = conn.execute(q).all()
        cards = lead_cards(conn, [r.id for r in rows])
        out = []
        for r in reversed(rows):
            card = cards[r.id]
            if not can_see(member, "lead.assigned", r.consultant_id, card["agency_id"], {}):
                continue
            out.append(
                {
                    **card,
                    "state": r.state or "",
                    "reason": r.reason or "",
                    "mode": r.mode or "",
                    "consultant_id": r.consultant_id,
                    "assigned_at": r.assigned_at.isoformat() if r.assigned_at else None,
                    "first_follow_up_at": r.first_follow_up_at.isoformat() if r.first_follow_up_at else None,
                }
            )
        board = [
            {"id": s.id, "name": s.name, "role": s.role, "status": s.status, "agency_id": s.agency_id}
            for s in conn.execute(sa.select(staff).where(staff.c.active.is_(True)).order_by(staff.c.id))
        ]
        by_staff = sa.select(follow_ups.c.staff_id, sa.func.max(follow_ups.c.occurred_at)).group_by(
            follow_ups.c.staff_id
        )
        last = dict(conn.execute(by_staff).all())
        for person in board:
            at = aware_utc(last.get(person["id"]))
            person["last_follow_up_at"] = at.isoformat() if at else None
        names = {p["id"]: p["name"] for p in board}
        for card in out:
            card["consultant_name"] = names.get(card["consultant_id"], "")
        offers = open_offers(conn, member, {card["lead_id"]: card for card in out})
        alerts = [a for a in open_alert_cards(conn) if can_see(member, "alert.opened", a["owner_id"], None, {})]
    return {"seq": seq, "leads": out, "staff": board, "offers": offers, "alerts": alerts}


def open_offers(conn, member: StaffMember, cards: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """Grab rounds still open that were offered to this person (a desk starting mid-round sees them)."""
    q = sa.select(grab_rounds).where(grab_rounds.c.status == "open").order_by(grab_rounds.c.id)
    rounds = [r for r in conn.execute(q) if member.id in (r.offered or [])]
    missing = [r.lead_id for r in rounds if r.lead_id not in cards]
    cards = {**cards, **lead_cards(conn, missing)}
    return [
        {"round_id": r.id, "attempt": r.attempt, "deadline": r.deadline.isoformat(), "lead": cards[r.lead_id]}
        for r in rounds
        if r.lead_id in cards
    ]
