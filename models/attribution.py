"""Channel attribution: contribution weights, first contact, and 判客 (who owns this customer, and why).

All functions are pure: they take the customer's touches and the project rules, and a moment `at`,
so the same question asked later about the same moment gets the same answer (evidence for disputes).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from models.clock import business_time
from models.leads import CHANNEL_LABELS_ZH, Channel, TouchKind
from models.messages import Reason
from models.rules import ProtectionRules

SHARE_QUANTUM = Decimal("0.0001")


@dataclass(frozen=True)
class TouchRecord:
    """One touch as attribution sees it."""

    touch_id: int
    lead_id: int
    channel: Channel
    kind: TouchKind
    occurred_at: datetime
    weight: Decimal
    agency_id: int | None = None
    agency_name: str = ""
    broker_id: int | None = None
    broker_name: str = ""

    @property
    def is_visit(self) -> bool:
        """True for a walk-in or an accompanied visit."""
        return self.kind in (TouchKind.WALK_IN, TouchKind.ACCOMPANIED_VISIT)


@dataclass(frozen=True)
class Contribution:
    """A channel's (or an agency's) share of the credit for one customer."""

    channel: Channel
    agency_id: int | None
    agency_name: str
    weight: Decimal
    share: Decimal


@dataclass(frozen=True)
class Judgement:
    """判客: the owning channel/agency/broker at a moment, with the reasons in order."""

    owner: str  # "agency" | "own" | "none"
    channel: Channel | None
    agency_id: int | None
    agency_name: str
    broker_id: int | None
    broker_name: str
    decided_by_touch: int | None
    protected_until: datetime | None
    reasons: tuple[Reason, ...] = field(default=())

    def text(self, lang: str = "zh") -> str:
        """All reasons, one per line."""
        return "\n".join(r.text(lang) for r in self.reasons)


def _ordered(touches: Iterable[TouchRecord]) -> list[TouchRecord]:
    return sorted(touches, key=lambda t: (t.occurred_at, t.lead_id))


def _when(dt: datetime) -> str:
    return business_time(dt).strftime("%Y-%m-%d %H:%M")


def _label(channel: Channel) -> str:
    return CHANNEL_LABELS_ZH.get(channel, channel.value)


def first_contact(touches: Iterable[TouchRecord]) -> TouchRecord | None:
    """The earliest touch (ties broken by lead id), or None."""
    ordered = _ordered(touches)
    return ordered[0] if ordered else None


def contributions(touches: Sequence[TouchRecord]) -> list[Contribution]:
    """Normalised contribution shares per (channel, agency); shares sum to exactly 1.0000.

    Shares are rounded down to 0.0001 and the remainder goes to the largest fractional parts
    (largest-remainder method), ties to the earlier first touch, so the sum is exact.
    """
    groups: dict[tuple[Channel, int | None], list[TouchRecord]] = {}
    for t in _ordered(touches):
        groups.setdefault((t.channel, t.agency_id), []).append(t)
    total = sum((t.weight for t in touches), Decimal(0))
    if not groups or total <= 0:
        return []
    raw = {key: sum((t.weight for t in ts), Decimal(0)) / total for key, ts in groups.items()}
    floor = {key: value.quantize(SHARE_QUANTUM, rounding=ROUND_DOWN) for key, value in raw.items()}
    missing = int((Decimal(1) - sum(floor.values())) / SHARE_QUANTUM)
    order = list(groups)
    by_remainder = sorted(order, key=lambda k: (-(raw[k] - floor[k]), order.index(k)))
    for key in by_remainder[:missing]:
        floor[key] += SHARE_QUANTUM
    return [
        Contribution(
            channel=key[0],
            agency_id=key[1],
            agency_name=groups[key][0].agency_name,
            weight=sum((t.weight for t in groups[key]), Decimal(0)),
            share=floor[key],
        )
        for key in order
    ]


def _valid_report(visit: TouchRecord, reports: list[TouchRecord], rules: ProtectionRules) -> TouchRecord | None:
    """The earliest report by the visit's agency that covers this visit, if any."""
    lead = timedelta(minutes=rules.min_report_lead_minutes)
    valid = timedelta(days=rules.report_valid_days)
    for rep in reports:
        same_agency = rep.agency_id == visit.agency_id
        if same_agency and rep.occurred_at <= visit.occurred_at - lead and visit.occurred_at <= rep.occurred_at + valid:
            return rep
    return None


def _own(touches: list[TouchRecord]) -> TouchRecord | None:
    """The office's own first contact (any non-agency touch)."""
    return next((t for t in touches if t.channel is not Channel.AGENCY), None)


def _agency_owner(visit: TouchRecord, until: datetime, reasons: list[Reason]) -> Judgement:
    return Judgement(
        "agency",
        visit.channel,
        visit.agency_id,
        visit.agency_name,
        visit.broker_id,
        visit.broker_name,
        visit.touch_id,
        until,
        tuple(reasons),
    )


def _own_owner(first: TouchRecord | None, decided: TouchRecord | None, reasons: list[Reason]) -> Judgement:
    """The office owns the customer; its channel is its own first contact (a visit counts as 自然到访)."""
    if first is not None:
        channel: Channel | None = first.channel
    elif decided is not None and decided.is_visit:
        channel = Channel.WALK_IN
    else:
        channel = None
    owner = "own" if channel is not None else "none"
    return Judgement(owner, channel, None, "", None, "", decided.touch_id if decided else None, None, tuple(reasons))


def judge(
    touches: Iterable[TouchRecord],
    rules: ProtectionRules,
    at: datetime,
    deals: Sequence[datetime] = (),
) -> Judgement:
    """判客: who owns the customer at moment `at` under the project's protection rules, and why."""
    seen = [t for t in _ordered(touches) if t.occurred_at <= at]
    if not seen:
        return Judgement("none", None, None, "", None, "", None, None, (Reason("no_touches"),))
    reports = [t for t in seen if t.kind is TouchKind.REPORT]
    visits = [t for t in seen if t.is_visit]
    own_first = _own(seen)
    if rules.visit_decides and visits:
        return _judge_by_visits(visits, reports, own_first, rules, at, deals)
    return _judge_by_first_claim(seen, reports, own_first, visits, rules, at, deals)


def _judge_by_visits(visits, reports, own_first, rules, at, deals) -> Judgement:
    """到访为王: the first visit decides; a later one only when protection has lapsed."""
    reasons: list[Reason] = []
    owner_visit: TouchRecord | None = None
    own_visit: TouchRecord | None = None
    until: datetime | None = None
    for visit in visits:
        if owner_visit is not None and until is not None and visit.occurred_at <= until:
            if visit.agency_id != owner_visit.agency_id:
                reasons.append(
                    Reason(
                        "visit_during_protection",
                        {
                            "at": _when(visit.occurred_at),
                            "who": f"{visit.agency_name}带看" if visit.agency_id else "客户自行",
                            "who_en": f"brought by {visit.agency_name}" if visit.agency_id else "walk-in",
                            "owner": owner_visit.agency_name,
                            "until": _when(until),
                        },
                    )
                )
            continue
        if owner_visit is None and own_visit is not None:
            break  # the office owns it; later agency visits do not take it away
        if owner_visit is not None and until is not None:
            # protection lapsed before this visit: the customer is back with the office, this visit decides
            reasons.append(Reason("protection_lapsed", {"agency": owner_visit.agency_name, "until": _when(until)}))
            owner_visit, until = None, None
        if visit.kind is TouchKind.ACCOMPANIED_VISIT:
            rep = _valid_report(visit, reports, rules)
            if rep is None and rules.report_required:
                reasons.append(
                    Reason(
                        "report_missing",
                        {
                            "agency": visit.agency_name,
                            "minutes": rules.min_report_lead_minutes,
                            "days": rules.report_valid_days,
                        },
                    )
                )
                own_visit = visit
                continue
            if rep is not None:
                minutes = int((visit.occurred_at - rep.occurred_at).total_seconds() // 60)
                reasons.append(
                    Reason(
                        "report_valid", {"agency": rep.agency_name, "at": _when(rep.occurred_at), "minutes": minutes}
                    )
                )
            elif not rules.report_required:
                reasons.append(Reason("report_not_required"))
            owner_visit = visit
            until = visit.occurred_at + timedelta(days=rules.visit_protection_days)
            reasons.append(
                Reason(
                    "first_visit_agency",
                    {"at": _when(visit.occurred_at), "agency": visit.agency_name, "broker": visit.broker_name or "-"},
                )
            )
            deal = next((d for d in sorted(deals) if visit.occurred_at <= d <= until and d <= at), None)
            if deal is not None:
                until = deal + timedelta(days=rules.deal_protection_days)
                reasons.append(Reason("deal_extends", {"at": _when(deal), "until": _when(until)}))
            reasons.append(Reason("protection_until", {"until": _when(until)}))
        else:
            own_visit = visit
            first = own_first or visit
            reasons.append(
                Reason("first_visit_walk_in", {"at": _when(visit.occurred_at), "channel": _label(first.channel)})
            )
    if owner_visit is not None and until is not None:
        if at > until:
            reasons.append(Reason("protection_lapsed", {"agency": owner_visit.agency_name, "until": _when(until)}))
            return _own_owner(own_first, owner_visit, reasons)
        return _agency_owner(owner_visit, until, reasons)
    return _own_owner(own_first, own_visit, reasons)


def _judge_by_first_claim(seen, reports, own_first, visits, rules, at, deals) -> Judgement:
    """First valid claim wins: the office's own contact, an agency report, or an agency visit that stands."""
    reasons: list[Reason] = []
    valid_for = timedelta(days=rules.report_valid_days)
    for claim in seen:
        if claim.channel is not Channel.AGENCY:
            reasons.append(
                Reason("first_contact_own", {"at": _when(claim.occurred_at), "channel": _label(claim.channel)})
            )
            later = next((t for t in seen if t.channel is Channel.AGENCY and t.occurred_at > claim.occurred_at), None)
            if later is not None:
                reasons.append(
                    Reason(
                        "report_after_own_contact",
                        {"agency": later.agency_name, "channel": _label(claim.channel), "at": _when(claim.occurred_at)},
                    )
                )
            return _own_owner(claim, claim, reasons)
        if claim.kind is TouchKind.REPORT:
            visit = next(
                (v for v in visits if v.agency_id == claim.agency_id and _valid_report(v, [claim], rules)), None
            )
            if visit is not None:
                return _with_reasons(_judge_by_visits([visit], [claim], own_first, rules, at, deals), reasons)
            until = claim.occurred_at + valid_for
            params = {"agency": claim.agency_name, "at": _when(claim.occurred_at), "until": _when(until)}
            if at <= until:
                reasons.append(Reason("report_pending", params))
                return Judgement(
                    "agency",
                    claim.channel,
                    claim.agency_id,
                    claim.agency_name,
                    claim.broker_id,
                    claim.broker_name,
                    claim.touch_id,
                    until,
                    tuple(reasons),
                )
            reasons.append(Reason("report_expired", params))
        elif claim.kind is TouchKind.ACCOMPANIED_VISIT:
            if not rules.report_required:
                return _with_reasons(_judge_by_visits([claim], reports, own_first, rules, at, deals), reasons)
            reasons.append(
                Reason(
                    "report_missing",
                    {
                        "agency": claim.agency_name,
                        "minutes": rules.min_report_lead_minutes,
                        "days": rules.report_valid_days,
                    },
                )
            )
    return _own_owner(own_first, None, reasons)


def _with_reasons(verdict: Judgement, earlier: list[Reason]) -> Judgement:
    """Prefix a verdict's reasons with the ones gathered before it was reached."""
    return replace(verdict, reasons=(*earlier, *verdict.reasons))
