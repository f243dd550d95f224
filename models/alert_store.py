"""Alerts in the database: a sweep opens what the rules say should be open (one per customer and rule)
and resolves what no longer holds; acknowledgement is logged; a follow-up resolves the customer's
alerts at once. Every change is a hub event; yellow alerts queue a WeCom message for the owner."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from models.alerts import AlertCandidate, AlertRules, Behaviour, CustomerWatch, Level, evaluate
from models.events import PendingEvent
from models.floor_state import aware_utc
from models.hub_schema import alerts, behaviour_events, follow_ups, lead_dispatch, notifications
from models.schema import customers, leads
from models.suggestions import Suggestions

BEHAVIOUR_LOOKBACK = timedelta(days=30)


def _survivors(conn: Connection) -> dict[int, int]:
    """Merged customer id -> the customer it lives on in now."""
    merged = dict(
        conn.execute(sa.select(customers.c.id, customers.c.merged_into).where(customers.c.status == "merged")).all()
    )
    out = {}
    for cid in merged:
        seen, current = set(), cid
        while current in merged and current not in seen and merged[current] is not None:
            seen.add(current)
            current = merged[current]
        out[cid] = current
    return out


def owned_watches(conn: Connection, now: datetime) -> list[CustomerWatch]:
    """Every customer a consultant holds, with the last follow-up and recent behaviour."""
    owners: dict[int, tuple[int, datetime]] = {}
    q = (
        sa.select(leads.c.customer_id, lead_dispatch.c.consultant_id, lead_dispatch.c.assigned_at)
        .join(leads, leads.c.id == lead_dispatch.c.lead_id)
        .where(lead_dispatch.c.state == "assigned", lead_dispatch.c.consultant_id.is_not(None))
        .order_by(lead_dispatch.c.assigned_at)
    )
    for cid, owner, at in conn.execute(q):
        owners[cid] = (owner, at)  # the latest assignment wins
    last: dict[int, datetime] = {}
    q = (
        sa.select(leads.c.customer_id, sa.func.max(follow_ups.c.occurred_at))
        .join(leads, leads.c.id == follow_ups.c.lead_id)
        .group_by(leads.c.customer_id)
    )
    for cid, at in conn.execute(q):
        last[cid] = aware_utc(at)
    survivors = _survivors(conn)
    seen: dict[int, list[Behaviour]] = {}
    q = sa.select(behaviour_events).where(
        behaviour_events.c.customer_id.is_not(None), behaviour_events.c.occurred_at >= now - BEHAVIOUR_LOOKBACK
    )
    for r in conn.execute(q):
        cid = survivors.get(r.customer_id, r.customer_id)
        seen.setdefault(cid, []).append(
            Behaviour(r.id, r.kind, r.occurred_at, r.page_path, r.dwell_s, r.unit_id, r.plan_id)
        )
    return [
        CustomerWatch(cid, owner, at, last.get(cid), tuple(seen.get(cid, ()))) for cid, (owner, at) in owners.items()
    ]


def _open_alerts(conn: Connection) -> dict[tuple[int, str], int]:
    q = sa.select(alerts.c.id, alerts.c.customer_id, alerts.c.rule).where(alerts.c.state != "resolved")
    return {(r.customer_id, r.rule): r.id for r in conn.execute(q)}


def _names(conn: Connection, customer_ids: set[int]) -> dict[int, str]:
    if not customer_ids:
        return {}
    q = sa.select(customers.c.id, customers.c.name_masked).where(customers.c.id.in_(sorted(customer_ids)))
    return dict(conn.execute(q).all())


def sweep(
    conn: Connection, rules: AlertRules, suggestions: Suggestions, now: datetime, wecom_target: str = "default"
) -> list[PendingEvent]:
    """Open and resolve alerts so the table matches the rules at `now`; returns the events to publish."""
    watches = owned_watches(conn, now)
    candidates = [c for w in watches for c in evaluate(w, now, rules)]
    owner_of = {w.customer_id: w.owner_id for w in watches}
    open_now = _open_alerts(conn)
    names = _names(conn, {c.customer_id for c in candidates})
    events: list[PendingEvent] = []
    wanted = {c.key for c in candidates}
    for c in candidates:
        if c.key not in open_now:
            events.append(_open(conn, c, owner_of.get(c.customer_id), names.get(c.customer_id, ""), suggestions, now))
            if c.level is Level.YELLOW:
                _queue_wecom(conn, events[-1], wecom_target, now)
    for key, alert_id in open_now.items():
        if key not in wanted:
            events += _close(conn, [alert_id], "resolved", "system", now)
    return events


def _open(conn, c: AlertCandidate, owner: int | None, name: str, suggestions: Suggestions, now) -> PendingEvent:
    text = suggestions.text(c, name)
    alert_id = conn.execute(
        alerts.insert().values(
            customer_id=c.customer_id,
            owner_id=owner,
            rule=c.rule.value,
            level=c.level.value,
            state="open",
            since=c.since,
            opened_at=now,
            evidence=c.evidence,
            suggestion=text,
        )
    ).inserted_primary_key[0]
    payload = {
        "alert_id": alert_id,
        "customer_id": c.customer_id,
        "rule": c.rule.value,
        "level": c.level.value,
        "since": c.since.isoformat(),
        "name_masked": name,
        "suggestion": text,
        "evidence": c.evidence,
        "owner_id": owner,
    }
    return PendingEvent("alert.opened", payload, c.customer_id, staff_id=owner)


def _queue_wecom(conn: Connection, opened: PendingEvent, target: str, now: datetime) -> None:
    """A yellow alert goes to the owner's WeCom robot message: masked name and suggestion only."""
    payload = {
        "alert_id": opened.payload["alert_id"],
        "owner_id": opened.staff_id,
        "text": opened.payload["suggestion"],
    }
    conn.execute(
        notifications.insert().values(
            alert_id=opened.payload["alert_id"],
            channel="wecom",
            target=target,
            payload=payload,
            state="queued",
            next_attempt_at=now,
            created_at=now,
        )
    )


def _close(conn: Connection, ids: list[int], state: str, by: str, now: datetime) -> list[PendingEvent]:
    """Mark alerts acknowledged or resolved; one event each."""
    events = []
    for alert_id in ids:
        row = conn.execute(sa.select(alerts).where(alerts.c.id == alert_id)).first()
        if row is None or row.state == "resolved" or row.state == state:
            continue
        values = {"state": state}
        values.update(
            {"acknowledged_at": now, "acknowledged_by": by}
            if state == "acknowledged"
            else {"resolved_at": now, "resolved_by": by}
        )
        conn.execute(alerts.update().where(alerts.c.id == alert_id).values(**values))
        payload = {
            "alert_id": alert_id,
            "customer_id": row.customer_id,
            "state": state,
            "by": by,
            "level": row.level,
            "rule": row.rule,
        }
        events.append(PendingEvent("alert.updated", payload, row.customer_id, staff_id=row.owner_id))
    return events


def acknowledge(conn: Connection, alert_id: int, who: str, now: datetime) -> list[PendingEvent]:
    """Someone saw the alert (the red popup's button); logged with who and when."""
    return _close(conn, [alert_id], "acknowledged", who, now)


def resolve_for_follow_up(conn: Connection, customer_id: int, who: str, now: datetime) -> list[PendingEvent]:
    """A follow-up answers every open alert of the customer."""
    ids = [
        r.id
        for r in conn.execute(
            sa.select(alerts.c.id).where(alerts.c.customer_id == customer_id, alerts.c.state != "resolved")
        )
    ]
    return _close(conn, ids, "resolved", who, now)


def open_alert_cards(conn: Connection) -> list[dict]:
    """Alerts not yet resolved, as the snapshot sends them (masked name and suggestion only)."""
    names: dict[int, str] = {}
    rows = conn.execute(sa.select(alerts).where(alerts.c.state != "resolved").order_by(alerts.c.id)).all()
    names = _names(conn, {r.customer_id for r in rows})
    return [
        {
            "alert_id": r.id,
            "customer_id": r.customer_id,
            "rule": r.rule,
            "level": r.level,
            "state": r.state,
            "since": aware_utc(r.since).isoformat(),
            "name_masked": names.get(r.customer_id, ""),
            "suggestion": r.suggestion,
            "owner_id": r.owner_id,
            "by": r.acknowledged_by or "",
        }
        for r in rows
    ]
