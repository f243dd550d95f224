"""Deals, splits, statements and dispute timelines as plain records: what screens and exports read.

No SQL here (views import these): the storage modules fill them, `models.deal_wire` carries them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from models.clock import business_time


@dataclass(frozen=True)
class DealSummary:
    """One deal as the deals list shows it (customer name masked)."""

    deal_id: int
    customer_id: int
    customer_name: str
    unit: str
    state: str
    consultant_id: int | None
    consultant_name: str
    subscribed_at: datetime | None
    subscription_amount: Decimal | None
    signed_at: datetime | None
    signed_amount: Decimal | None
    first_touch_at: datetime | None
    cycle_days: int | None
    pool: Decimal | None = None
    owner: str = ""  # who 判客 named at the signing: an agency's name, or 案场


@dataclass(frozen=True)
class SplitRow:
    """One line of a deal's commission split, with its reasons (zh and en) and settlement state."""

    position: int
    party_kind: str
    party_name: str
    channel: str | None
    agency_id: int | None
    weight: Decimal
    eligible: bool
    amount: Decimal
    reasons: str
    reasons_en: str
    statement_id: int | None = None
    statement_status: str | None = None


@dataclass(frozen=True)
class DealDetail:
    """A deal, its pool and split lines, and the 判客 reasons behind them."""

    deal: DealSummary
    rate: Decimal | None = None
    lines: tuple[SplitRow, ...] = ()
    judgement: str = ""
    judgement_en: str = ""
    audit_seq: int | None = None
    reasons: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class StatementSummary:
    """A statement's head: agency, period, status with who and when, total."""

    statement_id: int
    agency_id: int
    agency_name: str
    period_start: date
    period_end: date
    status: str
    total: Decimal
    line_count: int
    created_at: datetime
    created_by: str
    confirmed_at: datetime | None = None
    confirmed_by: str | None = None
    paid_at: datetime | None = None
    paid_by: str | None = None
    note: str = ""


@dataclass(frozen=True)
class StatementLine:
    """One deal's commission to the agency on a statement (customer name masked)."""

    line_id: int
    deal_id: int
    unit: str
    customer_id: int
    customer_name: str
    signed_at: datetime
    signed_amount: Decimal
    pool: Decimal
    broker_name: str
    weight: Decimal
    amount: Decimal
    reasons: str
    cycle_days: Decimal | None = None  # signing → paid, in days to 0.1, once paid


@dataclass(frozen=True)
class StatementDetail:
    """A statement and its lines; the lines always sum to the total."""

    statement: StatementSummary
    lines: tuple[StatementLine, ...] = ()


@dataclass(frozen=True)
class CycleFigure:
    """The settlement cycle over lines of deals signed in a period (days, to 0.1)."""

    target_days: int
    lines: int
    paid: int
    within_target: int
    median_days: Decimal | None
    p90_days: Decimal | None
    max_days: Decimal | None
    open_lines: int
    oldest_open_days: Decimal | None

    @property
    def share_within(self) -> float | None:
        """Share of paid lines paid within the target (None before any is paid)."""
        return self.within_target / self.paid if self.paid else None


STATUSES = ("pending", "confirmed", "paid")
NEXT = {"pending": "confirmed", "confirmed": "paid"}
MAX_PERIOD_DAYS = 366
# who may move a statement to a status (role names as in models.staff.Role)
TRANSITION_ROLES = {
    "confirmed": frozenset({"broker", "channel_specialist", "manager", "admin"}),
    "paid": frozenset({"manager", "admin"}),
}
PREPARE_ROLES = frozenset({"channel_specialist", "manager", "admin"})


def transition_refusal(role: str, member_agency_id: int | None, statement_agency_id: int, to: str) -> str | None:
    """None if this role may move a statement to `to`, else why not (a broker only for their own agency)."""
    allowed = TRANSITION_ROLES.get(to)
    if allowed is None:
        return f"a statement can be moved to {' or '.join(TRANSITION_ROLES)}, not {to!r}"
    if role not in allowed:
        return f"a {role} may not mark a statement {to}"
    if role == "broker" and member_agency_id != statement_agency_id:
        return "a broker may confirm only their own agency's statements"
    return None


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a dispute's timeline: a touch (report, visit …), a logged visit or a chain decision."""

    at: datetime
    kind: str  # "touch" | "visit" | "decision"
    code: str  # the touch kind, "follow_up_visit", or the chain action
    channel: str
    who: str
    text: str
    seq: int | None = None
    hash: str = ""
    prev_hash: str = ""
    hash_ok: bool | None = None


def decision_text(payload: dict[str, Any]) -> str:
    """A chain row's payload in one line: its reasons when it has them, else its key facts."""
    reasons = payload.get("reasons") or (payload.get("judgement") or {}).get("reasons")
    if reasons and isinstance(reasons[0], dict):
        text = "；".join(r.get("text", "") for r in reasons)
        lines = payload.get("lines")
        return text + ("｜" + "；".join(f"{x['party']} {x['amount']}" for x in lines) if lines else "")
    if isinstance(payload.get("reason"), dict):
        return payload["reason"].get("text", "")
    if "explanation" in payload:
        return str(payload["explanation"])
    if "statement_id" in payload:
        text = f"对账单 #{payload['statement_id']}：本客户 {_yuan(payload.get('amount'))} 元"
        text += f"（对账单合计 {_yuan(payload.get('statement_total'))} 元）"
        return text + (f"；备注：{payload['note']}" if payload.get("note") else "")
    if "unit" in payload and "amount" in payload:
        text = f"成交 #{payload.get('deal_id')} 房号 {payload['unit']}，{_yuan(payload['amount'])} 元"
        if payload.get("at"):
            text += f"，{business_time(datetime.fromisoformat(payload['at'])).strftime('%Y-%m-%d %H:%M')}"
        return text + (f"，成交周期 {payload['cycle_days']} 天" if payload.get("cycle_days") is not None else "")
    keep = ("deal_id", "decision", "note")
    return json.dumps({k: v for k, v in payload.items() if k in keep and v not in (None, "")}, ensure_ascii=False)


def _yuan(value: Any) -> str:
    """'31,500.00' from a decimal string ('' for none)."""
    return f"{Decimal(str(value)):,.2f}" if value not in (None, "") else ""


def dispute_timeline(pack: dict[str, Any]) -> list[TimelineEntry]:
    """Touches (reports with their codes), logged visits and chain decisions, oldest first."""
    codes = {r["lead_id"]: r["code"] for r in pack["reports"]}
    entries = [
        TimelineEntry(
            datetime.fromisoformat(t["at"]),
            "touch",
            t["kind"],
            t["channel"],
            f"{t['agency']}（{t['broker']}）" if t["broker"] else t["agency"],
            " ".join(x for x in (f"#{t['lead_id']}", codes.get(t["lead_id"], ""), t["match_reason"]) if x),
        )
        for t in pack["touches"]
    ]
    entries += [
        TimelineEntry(datetime.fromisoformat(v["at"]), "visit", v["kind"], "", v["by"], f"#{v['lead_id']}")
        for v in pack["visits"]
        if v["source"] == "follow_up"
    ]
    entries += [
        TimelineEntry(
            datetime.fromisoformat(d["at"]),
            "decision",
            d["action"],
            "",
            d["actor"],
            decision_text(d["payload"]),
            d["seq"],
            d["hash"],
            d["prev_hash"],
            d["hash_ok"],
        )
        for d in pack["decisions"]
    ]
    return sorted(entries, key=lambda e: (e.at, e.kind != "touch", e.seq or 0))
