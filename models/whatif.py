"""What-if dispatch simulator: replay a recorded day's leads through the real dispatch policy.

Pure: plain data in (`RecordedDay`, see models/whatif_record.py), plain data out (`Prediction`); no
SQL, no clock. A discrete-event run sends the day's leads, at the moment each arrived, through
`models.dispatch` itself (`route_lead`, grab offers, `after_unclaimed`, `choose_consultant`) with the
rules the scenario sets. Consultants answer as they did that day: a first response drawn from their
own delays when free, queued behind the lead that keeps them busy otherwise, some leads never.
Deterministic for a seed. What is modelled and what is not: docs/simulate.md.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from statistics import median

from models.dispatch import (
    ConsultantState,
    DispatchMode,
    DispatchRules,
    GrabOffer,
    OfficeCalendar,
    StaffStatus,
    after_unclaimed,
    choose_consultant,
    route_lead,
)
from models.whatif_record import (
    Behaviour,
    DayClaim,
    DayConsultant,
    DayLead,
    LoadRow,
    Outlook,
    RecordedDay,
    figures,
    learn,
    manager_waits,
    outlook,
)

__all__ = [
    "Behaviour",
    "DayClaim",
    "DayConsultant",
    "DayLead",
    "LoadRow",
    "Outlook",
    "Prediction",
    "RecordedDay",
    "Scenario",
    "SimConsultant",
    "figures",
    "learn",
    "predict",
    "roster_for",
    "settings_for",
    "simulate_day",
]

ADDED_NAME = "新增顾问{n}"


@dataclass(frozen=True)
class SimConsultant:
    """A consultant as the simulation runs them."""

    staff_id: int
    name: str
    duty: tuple[tuple[datetime, datetime], ...]
    behaviour: Behaviour
    added: bool = False
    last_assigned_at: datetime | None = None


@dataclass(frozen=True)
class Scenario:
    """What to change (consultants added or removed, mode, idle minutes, grab seconds), runs and seed."""

    consultants: int = 0
    mode: DispatchMode | None = None
    idle_minutes: int | None = None
    grab_seconds: int | None = None
    runs: int = 20
    seed: int = 20261121

    @property
    def changes(self) -> bool:
        """True when anything differs from replaying the day as it was."""
        return bool(self.consultants) or any(v is not None for v in (self.mode, self.idle_minutes, self.grab_seconds))


@dataclass(frozen=True)
class Prediction:
    """The day replayed as it was (baseline) and with the scenario's changes (predicted)."""

    scenario: Scenario
    mode: DispatchMode  # the mode of the predicted day
    rules: DispatchRules  # the rules of the predicted day
    recorded_rules: DispatchRules  # the rules the day ran with, as far as the record tells
    baseline: Outlook
    predicted: Outlook
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    like: str | None = None  # whom the added consultants behave like


# --- roster and settings ----------------------------------------------------------------------------


def roster_for(
    day: RecordedDay, behaviours: dict[int, Behaviour], change: int = 0
) -> tuple[list[SimConsultant], list[str], str | None]:
    """The day's consultants, with `change` added (like the median one) or removed (the least busy).

    Returns the roster, the names of those removed, and whom the added ones behave like.
    """
    team = [
        SimConsultant(c.staff_id, c.name, c.duty, behaviours[c.staff_id], last_assigned_at=c.last_assigned_at)
        for c in sorted(day.consultants, key=lambda c: c.staff_id)
    ]
    if change < 0:
        if -change >= len(team):
            raise ValueError(f"cannot remove {-change} of {len(team)} consultants: nobody would be left")
        load = {c.staff_id: 0 for c in team}
        for lead in day.leads:
            if lead.consultant_id in load:
                load[lead.consultant_id] += 1
        gone = sorted(team, key=lambda c: (load[c.staff_id], -c.staff_id))[:-change]
        return [c for c in team if c not in gone], [c.name for c in gone], None
    if change == 0:
        return team, [], None
    if not team:
        raise ValueError(f"{day.day} has no consultants to copy")
    model = _median_consultant(team)
    spans = [s for c in team for s in c.duty]
    duty = ((min(s for s, _ in spans), max(e for _, e in spans)),) if spans else model.duty
    first = max(c.staff_id for c in team) + 1
    added = [
        SimConsultant(first + n, ADDED_NAME.format(n=n + 1), duty, model.behaviour, added=True) for n in range(change)
    ]
    return team + added, [], model.name


def _median_consultant(team: list[SimConsultant]) -> SimConsultant:
    """The consultant whose typical first response is the team's median (among those with their own)."""
    seen = [c for c in team if c.behaviour.own_responses] or team
    ranked = sorted(seen, key=lambda c: (median(c.behaviour.response_s), c.staff_id))
    return ranked[len(ranked) // 2]  # of two, the slower: a staffing plan should not count on the best


def settings_for(
    day: RecordedDay, base: DispatchRules, scenario: Scenario
) -> tuple[DispatchRules, OfficeCalendar, DispatchMode]:
    """The dispatch rules and a calendar forcing one mode for the whole day, as the scenario says."""
    mode = scenario.mode or day.mode
    rules = replace(
        base,
        idle_minutes=base.idle_minutes if scenario.idle_minutes is None else scenario.idle_minutes,
        grab_seconds=scenario.grab_seconds or day.grab_seconds or base.grab_seconds,
    )
    weekdays = frozenset(range(1, 8)) if mode is DispatchMode.AUTO else frozenset()
    return rules, OfficeCalendar(auto_assign_weekdays=weekdays), mode


# --- one run -------------------------------------------------------------------------------------------

_RESPOND, _OTHER, _CLAIM, _EXPIRE, _MANAGER, _ARRIVE = range(6)  # the order of events at the same moment


@dataclass
class _Desk:
    """A consultant's live state in a run."""

    who: SimConsultant
    last_assigned_at: datetime | None
    free_at: datetime | None = None  # busy until then with the leads already taken
    last_follow_up_at: datetime | None = None
    open_leads: int = 0

    def on_duty(self, now: datetime) -> bool:
        """Within one of their on-duty spans."""
        return any(start <= now < end for start, end in self.who.duty)

    def state(self, now: datetime) -> ConsultantState:
        """What dispatch sees of them now."""
        status = StaffStatus.ON_DUTY if self.on_duty(now) else StaffStatus.OFF
        who = self.who
        return ConsultantState(
            who.staff_id, who.name, status, self.last_follow_up_at, self.last_assigned_at, self.open_leads
        )


class _Run:
    """One pass over the day: a heap of timed events handled by the real dispatch functions."""

    def __init__(self, day, roster, rules, calendar, rng: random.Random, waits: Sequence[float]):
        self.day, self.rules, self.calendar, self.rng, self.waits = day, rules, calendar, rng, waits
        self.desks = {c.staff_id: _Desk(c, c.last_assigned_at) for c in roster}
        self.heap: list = []
        self.order = itertools.count()
        self.fate: dict[int, dict] = {}
        self.claims: list[DayClaim] = []
        self.owner_of: dict[int, int] = {}
        self.queued_since: dict[int, datetime] = {}

    def push(self, at: datetime, kind: int, *args) -> None:
        """Schedule an event."""
        heapq.heappush(self.heap, (at, kind, next(self.order), args))

    def states(self, now: datetime) -> list[ConsultantState]:
        """Every consultant as dispatch sees them now."""
        return [d.state(now) for d in self.desks.values()]

    def run(self) -> RecordedDay:
        """Play every event in time order; the day as this run would have recorded it."""
        for staff_id, at in self.day.other_work:
            if staff_id in self.desks:
                self.push(at, _OTHER, staff_id)
        for lead in self.day.leads:
            self.fate[lead.lead_id] = {"consultant_id": None, "assigned_at": None, "first_response_at": None}
            self.push(lead.received_at, _ARRIVE, lead)
        handlers = {
            _ARRIVE: self.arrive,
            _CLAIM: self.assign,
            _EXPIRE: self.expire,
            _MANAGER: self.manager,
            _RESPOND: self.respond,
            _OTHER: self.other_work,
        }
        while self.heap:
            at, kind, _, args = heapq.heappop(self.heap)
            handlers[kind](at, *args)
        leads = tuple(replace(x, **self.fate[x.lead_id]) for x in self.day.leads)
        people = tuple(DayConsultant(d.who.staff_id, d.who.name, d.who.duty) for d in self.desks.values())
        mode = self.calendar.mode(self.day.leads[0].received_at) if self.day.leads else self.day.mode
        claims = tuple(self.claims)
        return replace(
            self.day, mode=mode, leads=leads, consultants=people, claims=claims, grab_seconds=self.rules.grab_seconds
        )

    def arrive(self, now: datetime, lead: DayLead) -> None:
        """A new lead: its customer's owner, an idle consultant, or a grab round (route_lead)."""
        states = self.states(now)
        owner_id = self.owner_of.get(lead.customer_id, lead.prior_owner_id) if lead.customer_id is not None else None
        owner = next((s for s in states if s.staff_id == owner_id), None)
        route = route_lead(states, now, self.rules, self.calendar, owner)
        if route.offer is not None:
            self.offer(now, lead, route.offer, 1)
        elif route.decision is None or route.decision.staff_id is None:
            self.to_manager(now, lead)
        else:
            self.assign(now, lead, route.decision.staff_id)

    def offer(self, now: datetime, lead: DayLead, offer: GrabOffer, attempt: int) -> None:
        """A grab round: the first free consultant to react before the deadline claims it."""
        best: tuple[float, int] | None = None
        for sid in offer.staff_ids:
            desk = self.desks[sid]
            react = self.rng.choice(desk.who.behaviour.claim_s)
            at = now + timedelta(seconds=react)
            if at >= offer.deadline or (desk.free_at is not None and desk.free_at > at):
                continue  # too slow, or still busy with a lead when the offer pops up
            if best is None or react < best[0]:
                best = (react, sid)
        if best is None:
            self.push(offer.deadline, _EXPIRE, lead, attempt)
            return
        self.claims.append(DayClaim(best[1], lead.lead_id, best[0]))
        self.push(now + timedelta(seconds=best[0]), _CLAIM, lead, best[1])

    def expire(self, now: datetime, lead: DayLead, attempt: int) -> None:
        """An unclaimed round: the fallback chain (after_unclaimed)."""
        _step, nxt = after_unclaimed(attempt, self.states(now), now, self.rules)
        if isinstance(nxt, GrabOffer):
            self.offer(now, lead, nxt, attempt + 1)
        elif nxt.staff_id is None:
            self.to_manager(now, lead)
        else:
            self.assign(now, lead, nxt.staff_id)

    def to_manager(self, now: datetime, lead: DayLead) -> None:
        """The manager's queue: someone takes it after a wait like the day's."""
        self.queued_since.setdefault(lead.lead_id, now)
        self.push(now + timedelta(seconds=self.rng.choice(self.waits)), _MANAGER, lead)

    def manager(self, now: datetime, lead: DayLead) -> None:
        """The manager hands the lead to whom dispatch would choose; with nobody on duty, at the next shift."""
        decision = choose_consultant(self.states(now), now, self.rules)
        if decision.staff_id is not None:
            self.fate[lead.lead_id]["manager_wait_s"] = (now - self.queued_since[lead.lead_id]).total_seconds()
            self.assign(now, lead, decision.staff_id)
            return
        starts = [s for d in self.desks.values() for s, _ in d.who.duty if s > now]
        if starts:
            self.push(min(starts), _MANAGER, lead)

    def assign(self, now: datetime, lead: DayLead, staff_id: int) -> None:
        """The consultant has the lead: they answer it after their delay, behind the work they have."""
        desk = self.desks[staff_id]
        taste = desk.who.behaviour
        self.fate[lead.lead_id].update(consultant_id=staff_id, assigned_at=now)
        desk.last_assigned_at = now
        desk.open_leads += 1
        if lead.customer_id is not None:
            self.owner_of[lead.customer_id] = staff_id
        ignored = self.rng.random() < taste.unanswered_share
        delay = self.rng.choice(taste.response_s)
        busy = self.rng.choice(taste.busy_s)
        if ignored:
            return
        start = now + timedelta(seconds=delay)
        if desk.free_at is not None and desk.free_at > start:
            start = desk.free_at
        desk.free_at = start + timedelta(seconds=busy)
        self.push(start, _RESPOND, lead.lead_id, staff_id)

    def other_work(self, now: datetime, staff_id: int) -> None:
        """A follow-up on an earlier customer, replayed as it happened: dispatch sees them busy too."""
        self.desks[staff_id].last_follow_up_at = now

    def respond(self, now: datetime, lead_id: int, staff_id: int) -> None:
        """Their first follow-up on the lead: from now on dispatch sees them busy (idle_minutes)."""
        desk = self.desks[staff_id]
        desk.last_follow_up_at = now
        desk.open_leads -= 1
        self.fate[lead_id]["first_response_at"] = now


def simulate_day(
    day: RecordedDay,
    roster: Sequence[SimConsultant],
    rules: DispatchRules,
    calendar: OfficeCalendar,
    seed: int,
    waits: Sequence[float] = (600.0,),
) -> RecordedDay:
    """One run of the day's leads with this roster and these rules: the day as it would have been recorded."""
    return _Run(day, roster, rules, calendar, random.Random(seed), waits).run()


def _runs(day, roster, rules, calendar, scenario: Scenario, waits) -> list[RecordedDay]:
    """`scenario.runs` runs, seeded from the scenario's seed (run i always gets the same stream)."""
    return [simulate_day(day, roster, rules, calendar, scenario.seed * 1_000 + i, waits) for i in range(scenario.runs)]


def predict(
    day: RecordedDay, base: DispatchRules, scenario: Scenario, history: Sequence[RecordedDay] = ()
) -> Prediction:
    """Replay the day as it was and with the scenario's changes; behaviour learned from it (and history)."""
    if scenario.runs < 1:
        raise ValueError("runs must be at least 1")
    if not day.leads:
        raise ValueError(f"{day.day} has no leads to replay")
    behaviours = learn([day, *history])
    waits = manager_waits([day, *history])
    team, _, _ = roster_for(day, behaviours)
    recorded, calendar, _ = settings_for(day, base, Scenario())
    baseline = outlook(day, _runs(day, team, recorded, calendar, scenario, waits), set())
    if not scenario.changes:
        return Prediction(scenario, day.mode, recorded, recorded, baseline, baseline)
    roster, removed, like = roster_for(day, behaviours, scenario.consultants)
    rules, calendar, mode = settings_for(day, base, scenario)
    added = {c.staff_id for c in roster if c.added}
    predicted = outlook(day, _runs(day, roster, rules, calendar, scenario, waits), added)
    names = tuple(c.name for c in roster if c.added)
    return Prediction(scenario, mode, rules, recorded, baseline, predicted, names, tuple(removed), like)
