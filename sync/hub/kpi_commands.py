"""Dashboard queries: KPI rows by day, consultant and channel, the response histogram, drill-downs."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from models.deal_metrics import DealRow, channel_contribution, deal_rows
from models.floor_state import lead_cards, staff_names
from models.metrics import BUCKETS_MIN, KpiRow, alerts_by_level, kpi, late_leads, response_histogram
from sync.hub.commands import CommandError, command
from sync.hub.core import Hub, Session
from sync.protocol import ErrorCode, KpiLate, KpiReport

MAX_DAYS = 400


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(ErrorCode.INVALID, f"{field} {text[:20]!r} is not a date like 2026-11-21") from None


def _row(r: KpiRow) -> dict[str, Any]:
    return {
        "key": r.key,
        "leads": r.leads,
        "answered": r.answered,
        "within_5": r.within_5,
        "counted_5": r.counted_5,
        "rate_5": r.rate_5,
        "rate_2h": r.rate_2h,
        "unanswered_late": r.unanswered_late,
        "duplicate_rate": r.duplicate_rate,
        "visits": r.visits,
        "median_s": r.median_s,
        "p90_s": r.p90_s,
    }


def _with_deals(rows: list[dict[str, Any]], deals: list[DealRow], key: str | None = None) -> list[dict[str, Any]]:
    """KPI rows with the group's subscriptions, signings, signed amount and conversion (signings / leads)."""
    by_key = {d.key: d for d in deals}
    for r in rows:
        d = by_key.get(key or r["key"])
        r["subscriptions"] = d.subscriptions if d else 0
        r["signings"] = d.signings if d else 0
        r["signed_amount"] = str(d.signed_amount) if d else "0"
        r["conversion"] = r["signings"] / r["leads"] if r["leads"] else None
    return rows


def _report(hub: Hub, start: date, end: date, channel: str | None, consultant: int | None) -> dict[str, Any]:
    now = hub.clock.now()
    with hub.registry.engine.connect() as conn:

        def rows(group):
            return [_row(r) for r in kpi(conn, start, end, now, group, channel, consultant)]

        def deals(group):
            return deal_rows(conn, start, end, group, channel, consultant)

        people = _with_deals(rows("consultant"), deals("consultant"))
        names = staff_names(conn, {int(r["key"]) for r in people if r["key"].isdigit()})
        for r in people:
            r["consultant_id"] = int(r["key"]) if r["key"].isdigit() else None
            r["key"] = names.get(r["consultant_id"], "—") if r["consultant_id"] else "—"
        total = _with_deals(rows(None), deals(None), "all")
        return {
            "total": (total or [None])[0],
            "by_day": rows("day"),
            "by_consultant": people,
            "by_channel": _with_deals(rows("channel"), deals("channel")),
            "contribution": {k: str(v) for k, v in channel_contribution(conn, start, end).items()},
            "by_mode": rows("mode"),
            "histogram": {
                "edges_min": list(BUCKETS_MIN),
                "counts": response_histogram(conn, start, end, channel, consultant),
            },
            "alerts": alerts_by_level(conn, start, end),
            "now": now.isoformat(),
        }


@command(KpiReport)
async def kpi_report(hub: Hub, s: Session, msg: KpiReport, _m) -> dict[str, Any]:
    """Everything the manager dashboard draws for a date range."""
    start, end = _day(msg.start, "start"), _day(msg.end, "end")
    if end < start or end - start > timedelta(days=MAX_DAYS):
        raise CommandError(ErrorCode.INVALID, f"the range must run forwards and span at most {MAX_DAYS} days")
    return await hub.db(_report, hub, start, end, msg.channel, msg.consultant_id)


def _late(hub: Hub, day: date, consultant: int | None) -> dict[str, Any]:
    with hub.registry.engine.connect() as conn:
        ids = late_leads(conn, day, hub.clock.now(), consultant)
        cards = lead_cards(conn, ids)
    return {"leads": [cards[i] for i in ids if i in cards]}


@command(KpiLate)
async def kpi_late(hub: Hub, s: Session, msg: KpiLate, _m) -> dict[str, Any]:
    """Drill-down: who was answered late or not at all on a day ("王磊 今日漏跟 2 人")."""
    return await hub.db(_late, hub, _day(msg.day, "day"), msg.consultant_id)
