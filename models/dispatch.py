"""Dispatch policy (动态派单): which mode today, which consultant, and what happens when nobody claims.

Pure functions over plain data and an injected `now`; the hub reads state, calls these, and writes
the decision with its reason. Nothing here touches a database or a socket.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from models.clock import business_time
from models.messages import Reason


class DispatchMode(StrEnum):
    """How a new lead finds its consultant."""

    AUTO = "auto"  # weekday: assigned to an idle consultant
    GRAB = "grab"  # weekend or holiday: offered to everyone on duty, first claim wins


class StaffStatus(StrEnum):
    """A consultant's availability, set by the consultant or a manager."""

    ON_DUTY = "on_duty"
    PAUSED = "paused"
    OFF = "off"


class FallbackStep(StrEnum):
    """What to do with a lead whose grab round ended unclaimed."""

    REOFFER = "reoffer"
    ASSIGN = "assign"
    MANAGER = "manager"


@dataclass(frozen=True)
class DispatchRules:
    """Configurable dispatch parameters (the [dispatch] table of the rules file)."""

    idle_minutes: int = 30
    grab_seconds: int = 15
    grab_fallback: tuple[FallbackStep, ...] = (FallbackStep.REOFFER, FallbackStep.ASSIGN, FallbackStep.MANAGER)


@dataclass(frozen=True)
class OfficeCalendar:
    """Which business days auto-assign and which run the grab pool (the [calendar] table)."""

    auto_assign_weekdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()

    def mode(self, when: datetime) -> DispatchMode:
        """The dispatch mode in force at a moment (judged on the Asia/Shanghai calendar day)."""
        day = business_time(when).date()
        if day in self.workdays:
            return DispatchMode.AUTO
        if day in self.holidays:
            return DispatchMode.GRAB
        return DispatchMode.AUTO if day.isoweekday() in self.auto_assign_weekdays else DispatchMode.GRAB


@dataclass(frozen=True)
class ConsultantState:
    """What dispatch needs to know about one consultant at a moment."""

    staff_id: int
    name: str
    status: StaffStatus
    last_follow_up_at: datetime | None = None
    last_assigned_at: datetime | None = None
    open_leads: int = 0


@dataclass(frozen=True)
class Decision:
    """A chosen consultant (or none) and why."""

    staff_id: int | None
    reason: Reason
    idle: bool = False


@dataclass(frozen=True)
class GrabOffer:
    """A grab round to open: who is offered the lead and until when."""

    staff_ids: tuple[int, ...]
    deadline: datetime
    reason: Reason


@dataclass(frozen=True)
class Route:
    """The dispatch plan for one new lead: assign now, or offer to the pool."""

    mode: DispatchMode
    decision: Decision | None = None
    offer: GrabOffer | None = None
    notes: tuple[Reason, ...] = field(default_factory=tuple)


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def idle_since(c: ConsultantState, rules: DispatchRules) -> datetime | None:
    """When the consultant is (or becomes) idle: last follow-up plus the idle window; None if never busy."""
    if c.last_follow_up_at is None:
        return None
    return c.last_follow_up_at + timedelta(minutes=rules.idle_minutes)


def is_idle(c: ConsultantState, now: datetime, rules: DispatchRules) -> bool:
    """On duty and no follow-up within the idle window."""
    if c.status is not StaffStatus.ON_DUTY:
        return False
    ready = idle_since(c, rules)
    return ready is None or ready <= now


def _fair_key(c: ConsultantState) -> tuple:
    """Least recent assignment first (never assigned first), then fewest open leads, then id."""
    never = c.last_assigned_at is None
    return (not never, c.last_assigned_at or datetime.min, c.open_leads, c.staff_id)


def _idle_text(c: ConsultantState, now: datetime) -> dict:
    if c.last_follow_up_at is None:
        return {"name": c.name, "idle": "今日未跟进", "idle_en": "no follow-up yet"}
    minutes = _minutes(now - c.last_follow_up_at)
    return {"name": c.name, "idle": f"空闲 {minutes} 分钟", "idle_en": f"idle {minutes} min"}


def choose_consultant(consultants: Sequence[ConsultantState], now: datetime, rules: DispatchRules) -> Decision:
    """Weekday choice: an idle on-duty consultant, fairly; else the one idle soonest; else nobody."""
    on_duty = [c for c in consultants if c.status is StaffStatus.ON_DUTY]
    if not on_duty:
        return Decision(None, Reason("dispatch_nobody_on_duty"))
    idle = [c for c in on_duty if is_idle(c, now, rules)]
    if idle:
        best = min(idle, key=_fair_key)
        tie = "least_recent" if len(idle) > 1 else "only_idle"
        return Decision(best.staff_id, Reason("dispatch_idle", {**_idle_text(best, now), "tie": tie}), True)
    soonest = min(on_duty, key=lambda c: (idle_since(c, rules), *_fair_key(c)))
    wait = _minutes(idle_since(soonest, rules) - now) + 1  # type: ignore[operator]
    return Decision(soonest.staff_id, Reason("dispatch_none_idle", {"name": soonest.name, "minutes": wait}))


def route_lead(
    consultants: Sequence[ConsultantState],
    now: datetime,
    rules: DispatchRules,
    calendar: OfficeCalendar,
    owner: ConsultantState | None = None,
    owner_note: Reason | None = None,
) -> Route:
    """Plan a new lead: back to the customer's owner, else auto-assign (weekday) or a grab round."""
    mode = calendar.mode(now)
    notes = (owner_note,) if owner_note else ()
    if owner is not None and owner.status is not StaffStatus.OFF:
        reason = Reason("dispatch_returning", {"name": owner.name})
        return Route(mode, Decision(owner.staff_id, reason, is_idle(owner, now, rules)), notes=notes)
    if mode is DispatchMode.AUTO:
        return Route(mode, choose_consultant(consultants, now, rules), notes=notes)
    return _offer(consultants, now, rules, mode, notes)


def _offer(consultants, now, rules, mode, notes) -> Route:
    """A grab round for everyone on duty; with nobody on duty, go straight to the fallback chain."""
    ids = tuple(sorted(c.staff_id for c in consultants if c.status is StaffStatus.ON_DUTY))
    if not ids:
        return Route(mode, Decision(None, Reason("dispatch_nobody_on_duty")), notes=notes)
    deadline = now + timedelta(seconds=rules.grab_seconds)
    reason = Reason("dispatch_grab_offer", {"count": len(ids), "seconds": rules.grab_seconds})
    return Route(mode, offer=GrabOffer(ids, deadline, reason), notes=notes)


def after_unclaimed(
    attempt: int, consultants: Sequence[ConsultantState], now: datetime, rules: DispatchRules
) -> tuple[FallbackStep, GrabOffer | Decision]:
    """The next step for a round that ended unclaimed (attempt counts rounds so far, from 1)."""
    chain = rules.grab_fallback[attempt - 1 :] or (FallbackStep.MANAGER,)
    for step in chain:
        if step is FallbackStep.REOFFER:
            route = _offer(consultants, now, rules, DispatchMode.GRAB, ())
            if route.offer is not None:
                why = Reason("dispatch_reoffer", {"attempt": attempt + 1, "count": len(route.offer.staff_ids)})
                return step, GrabOffer(route.offer.staff_ids, route.offer.deadline, why)
        elif step is FallbackStep.ASSIGN:
            decision = choose_consultant(consultants, now, rules)
            if decision.staff_id is not None:
                why = Reason("dispatch_unclaimed_assign", {"detail": decision.reason.text()})
                return step, Decision(decision.staff_id, why, decision.idle)
        else:
            break
    return FallbackStep.MANAGER, Decision(None, Reason("dispatch_to_manager", {"attempts": attempt}))
