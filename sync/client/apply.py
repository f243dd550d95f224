"""The hub's stream applied to the replica: snapshots, events and grab offers, each batch in one
transaction together with the last applied `seq`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from models.desk_state import GrabOfferState, LeadRow
from sync.client.changes import Changes
from sync.client.outbox import rebase
from sync.client.replica import (
    alert_row,
    alerts,
    get_meta,
    lead_row,
    leads,
    load_me,
    offers,
    outbox,
    outbox_item,
    pending_lead_ids,
    read_leads,
    set_meta,
    staff,
    staff_row,
    waiting_count,
)

FINAL = frozenset({"won", "lost", "expired"})
RECENT_OUTBOX = 200


def _time(text: str | None) -> datetime | None:
    """An ISO 8601 time from the wire (None stays None)."""
    return datetime.fromisoformat(text) if text else None


def _card(card: dict[str, Any]) -> dict[str, Any]:
    """The replica columns a hub lead card fills."""
    return {
        "customer_id": card.get("customer_id"),
        "channel": card.get("channel", ""),
        "kind": card.get("kind", ""),
        "occurred_at": _time(card.get("occurred_at")),
        "received_at": _time(card.get("received_at")),
        "name_masked": card.get("name_masked") or "",
        "mobile_masked": card.get("mobile_masked") or "",
        "agency_id": card.get("agency_id"),
    }


def _upsert(conn: Connection, card: dict[str, Any], **dispatch: Any) -> int:
    """Insert or update one lead from a card; dispatch fields only where given."""
    lead_id = card["lead_id"]
    values = {**_card(card), **dispatch}
    if conn.execute(leads.update().where(leads.c.lead_id == lead_id).values(**values)).rowcount == 0:
        if "state" not in values:
            values["state"] = "" if values["kind"] == "report" else "new"
        conn.execute(leads.insert().values(lead_id=lead_id, **values))
    return lead_id


def load_state(conn: Connection, prune_before: datetime | None = None) -> Changes:
    """Everything the desk shows, as one reset change set (optionally pruning old history first)."""
    if prune_before is not None:
        conn.execute(outbox.delete().where(outbox.c.state != "pending", outbox.c.created_at < prune_before))
        conn.execute(offers.delete().where(offers.c.state.in_(FINAL), offers.c.deadline < prune_before))
        conn.execute(offers.update().where(offers.c.state == "claiming").values(state="open"))
    changes = Changes(reset=True, me=load_me(conn))
    for row in read_leads(conn):
        changes.lead(row)
    changes.staff = {r.id: staff_row(r) for r in conn.execute(sa.select(staff).order_by(staff.c.id))}
    recent = sa.select(outbox).order_by(outbox.c.mutation_id.desc()).limit(RECENT_OUTBOX)
    pending = sa.select(outbox).where(outbox.c.state == "pending")
    for r in [*conn.execute(recent), *conn.execute(pending)]:
        changes.outbox[r.mutation_id] = outbox_item(r)
    for r in conn.execute(sa.select(offers).where(offers.c.state.in_(("open", "claiming")))):
        changes.offers[r.round_id] = _offer(r)
    for r in conn.execute(sa.select(alerts).where(alerts.c.state != "resolved").order_by(alerts.c.alert_id)):
        changes.alerts[r.alert_id] = alert_row(r)
    changes.waiting = waiting_count(conn)
    changes.last_seq = int(get_meta(conn, "last_seq", 0))
    return changes


def set_me(conn: Connection, member: dict[str, Any], client_id: str, hub_seq: int) -> Changes:
    """After hello: remember who is signed in; start over from a snapshot for another person or hub."""
    before = load_me(conn)
    me = {k: member.get(k) for k in ("id", "name", "role", "agency_id", "status")}
    set_meta(conn, "me", me)
    set_meta(conn, "client_id", client_id)
    answered = int(member.get("last_mutation_id") or 0)  # a lost replica must not reuse answered ids
    if int(get_meta(conn, "next_mutation_id", 1)) <= answered:
        set_meta(conn, "next_mutation_id", answered + 1)
    last = int(get_meta(conn, "last_seq", 0))
    if (before is not None and before.id != me["id"]) or last > hub_seq:
        conn.execute(leads.delete().where(leads.c.lead_id > 0))
        conn.execute(offers.delete())
        set_meta(conn, "last_seq", 0)
        last = 0
    changes = Changes(me=load_me(conn), last_seq=last)
    return changes


def apply_snapshot(conn: Connection, snap: dict[str, Any]) -> Changes:
    """One page of the hub's snapshot. The first replaces leads, staff and alerts; the last settles
    offers, keeps pending placeholders, stores the seq and resets the desk. Pages in between only add
    leads (and change nothing the views see until the last one)."""
    first = int(snap.get("page", 0)) == 0
    last = not snap.get("more", False)
    if first:
        _snapshot_start(conn, snap)
    names = {r.id: r.name for r in conn.execute(sa.select(staff.c.id, staff.c.name))}
    rows = [
        {
            "lead_id": card["lead_id"],
            **_card(card),
            "state": card.get("state") or "",
            "consultant_id": card.get("consultant_id"),
            "consultant_name": card.get("consultant_name") or names.get(card.get("consultant_id"), ""),
            "assigned_at": _time(card.get("assigned_at")),
            "first_follow_up_at": _time(card.get("first_follow_up_at")),
            "reason": card.get("reason") or "",
        }
        for card in snap.get("leads", [])
    ]
    if rows:
        conn.execute(leads.insert(), rows)
    if not last:
        return Changes()
    offered = {r.lead_id for r in conn.execute(sa.select(leads.c.lead_id).where(leads.c.state == "offered"))}
    for r in conn.execute(sa.select(offers).where(offers.c.state.in_(("open", "claiming")))).all():
        if r.lead.get("lead_id") not in offered:
            conn.execute(offers.update().where(offers.c.round_id == r.round_id).values(state="expired"))
    rebase(conn)
    set_meta(conn, "last_seq", int(snap["seq"]))
    return load_state(conn)


def _snapshot_start(conn: Connection, snap: dict[str, Any]) -> None:
    """First page: clear the hub's leads (placeholders stay), replace staff and alerts, take offers."""
    conn.execute(leads.delete().where(leads.c.lead_id > 0))
    conn.execute(staff.delete())
    board = [
        {
            **{k: s.get(k) for k in ("id", "name", "role", "status", "agency_id")},
            "last_follow_up_at": _time(s.get("last_follow_up_at")),
        }
        for s in snap.get("staff", [])
    ]
    if board:
        conn.execute(staff.insert(), board)
    me = load_me(conn)
    if me is not None and any(s["id"] == me.id for s in board):
        status = next(s["status"] for s in board if s["id"] == me.id)
        set_meta(conn, "me", {**get_meta(conn, "me"), "status": status})
    for offer in snap.get("offers", []):  # rounds still open that were offered to me
        values = {"lead": offer["lead"], "deadline": _time(offer["deadline"]), "state": "open", "winner_name": ""}
        known = conn.execute(sa.select(offers.c.state).where(offers.c.round_id == offer["round_id"])).scalar()
        if known is None:
            conn.execute(offers.insert().values(round_id=offer["round_id"], **values))
        elif known not in FINAL:
            conn.execute(offers.update().where(offers.c.round_id == offer["round_id"]).values(**values))
    conn.execute(alerts.delete())
    for a in snap.get("alerts", []):
        conn.execute(alerts.insert().values(**_alert_values(a)))


@dataclass
class Applying:
    """What a run of events touched: leads to read back, and each author's newest follow-up time."""

    leads: set[int] = field(default_factory=set)
    last_follow_up: dict[int, datetime] = field(default_factory=dict)


def apply_events(conn: Connection, events: list[dict[str, Any]]) -> Changes:
    """Apply pushed events in seq order (skipping any already applied) and store the newest seq."""
    last = int(get_meta(conn, "last_seq", 0))
    me = load_me(conn)
    changes = Changes()
    seen = Applying()
    for ev in events:
        if ev["seq"] <= last:
            continue
        handler = HANDLERS.get(ev["event"])
        if handler is not None:
            handler(conn, ev, me, changes, seen)
        last = ev["seq"]
    set_meta(conn, "last_seq", last)
    changes.last_seq = last
    _note_follow_up_times(conn, seen.last_follow_up, changes)
    present = {row.lead_id: row for row in read_leads(conn, list(seen.leads))}
    for lead_id in seen.leads:
        if lead_id in present:
            changes.lead(present[lead_id])
        else:
            changes.remove_lead(lead_id)
    return changes


def _note_follow_up_times(conn: Connection, newest: dict[int, datetime], changes: Changes) -> None:
    """The board's "idle for": each author's last follow-up, once per run of events."""
    for staff_id, when in newest.items():
        author = conn.execute(sa.select(staff).where(staff.c.id == staff_id)).first()
        if author is not None and (author.last_follow_up_at is None or author.last_follow_up_at < when):
            conn.execute(staff.update().where(staff.c.id == staff_id).values(last_follow_up_at=when))
            changes.staff[staff_id] = staff_row(conn.execute(sa.select(staff).where(staff.c.id == staff_id)).first())


def _lead_created(conn, ev, me, changes, seen) -> None:
    seen.leads.add(_upsert(conn, ev["payload"]))


def _lead_assigned(conn, ev, me, changes, seen) -> None:
    p = ev["payload"]
    state = "manager" if p.get("consultant_id") is None else "assigned"
    dispatch = {
        "state": state,
        "consultant_id": p.get("consultant_id"),
        "consultant_name": p.get("consultant_name") or "",
        "assigned_at": _time(ev.get("at")),
        "reason": p.get("reason") or "",
    }
    seen.leads.add(_upsert(conn, p["lead"], **dispatch))


def _grab_offered(conn, ev, me, changes, seen) -> None:
    p = ev["payload"]
    seen.leads.add(_upsert(conn, p["lead"], state="offered", reason=p.get("reason") or ""))
    if me is not None and me.id in (p.get("offered") or ()):
        values = {"lead": p["lead"], "deadline": _time(p["deadline"]), "state": "open", "winner_name": ""}
        if conn.execute(offers.update().where(offers.c.round_id == p["round_id"]).values(**values)).rowcount == 0:
            conn.execute(offers.insert().values(round_id=p["round_id"], **values))
        emit_offer(conn, p["round_id"], changes)


def _round_over(conn, ev, me, changes, seen) -> None:
    """grab.claimed / grab.expired: settle this consultant's offer; a lead that went elsewhere leaves."""
    p = ev["payload"]
    won_by = p.get("winner_id") if ev["event"] == "grab.claimed" else None
    state = "expired"
    if ev["event"] == "grab.claimed":
        state = "won" if me is not None and won_by == me.id else "lost"
    r = conn.execute(sa.select(offers).where(offers.c.round_id == p["round_id"])).first()
    if r is None:
        return
    settle_offer(conn, p["round_id"], state, p.get("winner_name") or "", changes)
    if me is not None and me.role == "consultant" and won_by != me.id:
        lead_id = r.lead.get("lead_id")
        row = conn.execute(sa.select(leads).where(leads.c.lead_id == lead_id)).first()
        if row is not None and row.consultant_id != me.id:
            conn.execute(leads.delete().where(leads.c.lead_id == lead_id))
            seen.leads.add(lead_id)


_FIRST_FOLLOW_UP = (
    leads.update()
    .where(
        leads.c.lead_id == sa.bindparam("b_lead"),
        sa.or_(leads.c.first_follow_up_at.is_(None), sa.bindparam("b_first", type_=sa.Boolean)),
    )
    .values(first_follow_up_at=sa.bindparam("b_when"))
)


def _followup_logged(conn, ev, me, changes, seen) -> None:
    p = ev["payload"]
    when = _time(p.get("occurred_at"))
    sid = p.get("staff_id")
    if sid is not None and when is not None and (sid not in seen.last_follow_up or seen.last_follow_up[sid] < when):
        seen.last_follow_up[sid] = when
    # the hub's first follow-up of the lead fixes it; any follow-up fills a lead that has none yet
    first = p.get("first_response_s") is not None
    params = {"b_lead": p["lead_id"], "b_first": first, "b_when": when}
    if conn.execute(_FIRST_FOLLOW_UP, params).rowcount:
        seen.leads.add(p["lead_id"])


def _staff_status(conn, ev, me, changes, seen) -> None:
    """Someone's status changed (by id; hubs before staff_id was sent are matched by name)."""
    p = ev["payload"]
    if p.get("staff_id") is not None:
        matched = [p["staff_id"]]
    else:
        matched = conn.execute(sa.select(staff.c.id).where(staff.c.name == p["name"])).scalars().all()
    conn.execute(staff.update().where(staff.c.id.in_(matched)).values(status=p["status"]))
    for r in conn.execute(sa.select(staff).where(staff.c.id.in_(matched))):
        changes.staff[r.id] = staff_row(r)
    if me is not None and len(matched) == 1 and me.id == matched[0]:
        set_meta(conn, "me", {**get_meta(conn, "me"), "status": p["status"]})
        changes.me = load_me(conn)


def _alert_values(p: dict[str, Any], customer_id: int | None = None) -> dict[str, Any]:
    """Replica columns from an alert as the hub sends it (event payload or snapshot)."""
    return {
        "alert_id": p["alert_id"],
        "customer_id": p.get("customer_id") or customer_id or 0,
        "level": p["level"],
        "rule": p["rule"],
        "state": p.get("state", "open"),
        "since": _time(p["since"]),
        "name_masked": p.get("name_masked") or "",
        "suggestion": p.get("suggestion") or "",
        "owner_id": p.get("owner_id"),
        "by": p.get("by") or "",
    }


def _alert_opened(conn, ev, me, changes, seen) -> None:
    values = _alert_values(ev["payload"], ev["payload"].get("customer_id"))
    conn.execute(alerts.delete().where(alerts.c.alert_id == values["alert_id"]))
    conn.execute(alerts.insert().values(**values))
    changes.alerts[values["alert_id"]] = alert_row(
        conn.execute(sa.select(alerts).where(alerts.c.alert_id == values["alert_id"])).first()
    )


def _alert_updated(conn, ev, me, changes, seen) -> None:
    p = ev["payload"]
    q = alerts.update().where(alerts.c.alert_id == p["alert_id"]).values(state=p["state"], by=p.get("by") or "")
    if conn.execute(q).rowcount:
        changes.alerts[p["alert_id"]] = alert_row(
            conn.execute(sa.select(alerts).where(alerts.c.alert_id == p["alert_id"])).first()
        )
    if p["state"] == "resolved":
        conn.execute(alerts.delete().where(alerts.c.alert_id == p["alert_id"]))


def _customer_merged(conn, ev, me, changes, seen) -> None:
    p = ev["payload"]
    moved = conn.execute(sa.select(leads.c.lead_id).where(leads.c.customer_id == p["absorbed"])).scalars().all()
    conn.execute(leads.update().where(leads.c.customer_id == p["absorbed"]).values(customer_id=p["survivor"]))
    seen.leads.update(moved)


HANDLERS = {
    "lead.created": _lead_created,
    "lead.assigned": _lead_assigned,
    "grab.offered": _grab_offered,
    "grab.claimed": _round_over,
    "grab.expired": _round_over,
    "followup.logged": _followup_logged,
    "staff.status": _staff_status,
    "customer.merged": _customer_merged,
    "alert.opened": _alert_opened,
    "alert.updated": _alert_updated,
    # behaviour.recorded: shown through the alerts it raises, not on its own
}


# --- grab offers ---------------------------------------------------------------------------------


def _offer(r: Any) -> GrabOfferState:
    card = r.lead
    row = LeadRow(
        lead_id=card["lead_id"],
        customer_id=card.get("customer_id"),
        channel=card.get("channel", ""),
        kind=card.get("kind", ""),
        occurred_at=_time(card.get("occurred_at")),
        received_at=_time(card.get("received_at")),
        name_masked=card.get("name_masked") or "",
        mobile_masked=card.get("mobile_masked") or "",
        state="offered",
        agency_id=card.get("agency_id"),
    )
    return GrabOfferState(r.round_id, row, r.deadline, r.state, r.winner_name)


def emit_offer(conn: Connection, round_id: int, changes: Changes) -> None:
    r = conn.execute(sa.select(offers).where(offers.c.round_id == round_id)).first()
    if r is not None:
        changes.offers[round_id] = _offer(r)


def settle_offer(conn: Connection, round_id: int, state: str, winner_name: str = "", changes: Changes | None = None):
    """Move an offer along open -> claiming -> won/lost/expired; a settled offer stays settled."""
    changes = changes if changes is not None else Changes()
    r = conn.execute(sa.select(offers).where(offers.c.round_id == round_id)).first()
    if r is None:
        return changes
    if r.state in FINAL:  # settled stays settled; a second claim is just told the outcome again
        if state == "claiming":
            emit_offer(conn, round_id, changes)
        return changes
    values = {"state": state}
    if winner_name:
        values["winner_name"] = winner_name
    conn.execute(offers.update().where(offers.c.round_id == round_id).values(**values))
    emit_offer(conn, round_id, changes)
    return changes


def reopen_offer(conn: Connection, round_id: int) -> Changes:
    """A claim that could not be sent: the offer is open again (unless it settled meanwhile)."""
    changes = Changes()
    conn.execute(
        offers.update().where(offers.c.round_id == round_id, offers.c.state == "claiming").values(state="open")
    )
    emit_offer(conn, round_id, changes)
    return changes


def duplicate_hint(conn: Connection, masked: str) -> list[LeadRow]:
    """Leads whose masked mobile equals this one (first 3 and last 4 digits and length)."""
    q = sa.select(leads).where(leads.c.mobile_masked == masked).order_by(leads.c.received_at.desc()).limit(20)
    rows = conn.execute(q).all()
    pending = pending_lead_ids(conn, [r.lead_id for r in rows])
    return [lead_row(r, r.lead_id in pending) for r in rows]
