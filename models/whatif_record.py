"""The what-if simulator's recorded day: its data, its figures, and what it teaches about each consultant.

Pure: plain data, no SQL, no clock. `models.whatif_data` reads a `RecordedDay` from the hub database;
`models.whatif` replays it, and every run is a `RecordedDay` again, so predicted and actual figures
come from the same function (`figures`), which follows the definitions of docs/metrics.md.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import median

from models.clock import business_time
from models.dispatch import DispatchMode

FIVE_MIN_S = 300  # the KPI windows, as models/metrics.py defines them (5:00 inclusive)
TWO_HOURS_S = 7200
BUSY_CAP_S = 20 * 60  # a lead keeps a consultant busy at most this long; a longer gap was idle time
MIN_SAMPLES = 3  # fewer of a consultant's own samples than this: draw from the team's
MIN_TEAM_SAMPLES = 10  # ... and fewer of the team's back-to-back busy spans than this: from gaps
DEFAULT_RESPONSE_S = (60.0, 120.0, 180.0, 300.0, 600.0)  # only when nobody answered anything
DEFAULT_BUSY_S = (600.0,)
DEFAULT_CLAIM_S = (5.0,)
DEFAULT_MANAGER_WAIT_S = (600.0,)
NOBODY = "—"  # leads left with the manager's queue


@dataclass(frozen=True)
class DayLead:
    """One dispatched lead of a day: when and whence it came, and what became of it."""

    lead_id: int
    received_at: datetime
    channel: str = ""
    customer_id: int | None = None
    prior_owner_id: int | None = None  # the consultant holding the customer before the day
    consultant_id: int | None = None  # who held it in the end
    assigned_at: datetime | None = None
    first_response_at: datetime | None = None
    manager_wait_s: float | None = None  # time in the manager's queue before someone took it


@dataclass(frozen=True)
class DayClaim:
    """A won grab round: who claimed which lead, how many seconds after the offer."""

    staff_id: int
    lead_id: int
    latency_s: float


@dataclass(frozen=True)
class DayConsultant:
    """A consultant of the day's roster and the spans they were on duty."""

    staff_id: int
    name: str
    duty: tuple[tuple[datetime, datetime], ...] = ()
    last_assigned_at: datetime | None = None  # before the day: the fairness order at its first lead


@dataclass(frozen=True)
class RecordedDay:
    """A business day as recorded on the hub, or as one simulated run would have recorded it."""

    day: date
    mode: DispatchMode
    leads: tuple[DayLead, ...]
    consultants: tuple[DayConsultant, ...]
    claims: tuple[DayClaim, ...] = ()
    grab_seconds: int | None = None  # the grab window the day's rounds ran with, when it had any
    until: datetime | None = None  # figures as of this moment (None: every lead counted)
    other_work: tuple[tuple[int, datetime], ...] = ()  # (consultant, when): follow-ups on earlier customers


@dataclass(frozen=True)
class Behaviour:
    """How one consultant works: samples in seconds to draw from, and a share of leads never answered."""

    response_s: tuple[float, ...]
    busy_s: tuple[float, ...]
    claim_s: tuple[float, ...]
    unanswered_share: float = 0.0
    own_leads: int = 0  # leads of their own the behaviour was learned from
    own_responses: bool = False  # their response delays are their own (not the team's)


@dataclass(frozen=True)
class LoadRow:
    """One consultant's load: leads (a mean over runs), 5-minute rate, busiest business hour."""

    staff_id: int | None
    name: str
    leads: float
    rate_5: float | None
    busiest_hour: int | None = None  # 14 means 14:00–15:00
    busiest_leads: float = 0.0
    added: bool = False


@dataclass(frozen=True)
class Outlook:
    """A day's figures: what happened (one run) or what is predicted (mean and 10–90 % range over runs)."""

    leads: int
    rate_5: float | None
    rate_5_low: float | None
    rate_5_high: float | None
    rate_2h: float | None
    median_s: float | None
    unanswered: float
    consultants: tuple[LoadRow, ...]
    runs: int = 1


# --- figures (the definitions of models/metrics.py, over plain data) -------------------------------


@dataclass
class _Tally:
    leads: int = 0
    within_5: int = 0
    counted_5: int = 0
    within_2h: int = 0
    counted_2h: int = 0
    late: int = 0
    times: list[float] = field(default_factory=list)
    hours: Counter = field(default_factory=Counter)

    def add(self, lead: DayLead, until: datetime | None) -> None:
        """Count one lead as models/metrics.py does: unanswered ones count once their window has passed."""
        self.leads += 1
        if lead.assigned_at is not None:
            self.hours[business_time(lead.assigned_at).hour] += 1
        done = lead.first_response_at
        if done is not None and (until is None or done <= until):
            took = (done - lead.received_at).total_seconds()
            self.times.append(took)
            self.within_5 += took <= FIVE_MIN_S
            self.within_2h += took <= TWO_HOURS_S
            self.counted_5 += 1
            self.counted_2h += 1
            return
        age = None if until is None else (until - lead.received_at).total_seconds()
        if age is None or age > FIVE_MIN_S:
            self.counted_5 += 1
            self.late += 1
        if age is None or age > TWO_HOURS_S:
            self.counted_2h += 1

    def merge(self, other: _Tally) -> None:
        """Add another run's counts."""
        for name in ("leads", "within_5", "counted_5", "within_2h", "counted_2h", "late"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.times += other.times
        self.hours.update(other.hours)

    @property
    def rate_5(self) -> float | None:
        """Share of counted leads answered within 5 minutes."""
        return self.within_5 / self.counted_5 if self.counted_5 else None

    @property
    def rate_2h(self) -> float | None:
        """Share of counted leads answered within two hours."""
        return self.within_2h / self.counted_2h if self.counted_2h else None


def _tallies(day: RecordedDay) -> tuple[_Tally, dict[int | None, _Tally]]:
    """The team's tally and one per consultant (None: the manager's queue)."""
    team, mine = _Tally(), defaultdict(_Tally)
    for lead in day.leads:
        team.add(lead, day.until)
        mine[lead.consultant_id].add(lead, day.until)
    return team, mine


def _rank(values: list[float], q: float) -> float:
    """The value at rank ⌊q·(n-1)⌋ of the sorted values (the p90 rule of models/metrics.py)."""
    ordered = sorted(values)
    return ordered[int(q * (len(ordered) - 1))]


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def outlook(day: RecordedDay, runs: list[RecordedDay], added: set[int]) -> Outlook:
    """Figures over one or many runs of a day: means, the 10–90 % range, each consultant's load."""
    names = {c.staff_id: c.name for run in runs for c in run.consultants}
    rates, rates_2h, medians, late = [], [], [], []
    per: dict[int | None, _Tally] = defaultdict(_Tally)
    for run in runs:
        team, mine = _tallies(run)
        if team.rate_5 is not None:
            rates.append(team.rate_5)
        if team.rate_2h is not None:
            rates_2h.append(team.rate_2h)
        if team.times:
            medians.append(median(team.times))
        late.append(team.late)
        for who, tally in mine.items():
            per[who].merge(tally)
    n = len(runs)
    rows = []
    for who in sorted(set(names) | set(per), key=lambda k: (k is None, k or 0)):
        tally = per.get(who, _Tally())
        hour, count = min(tally.hours.items(), key=lambda kv: (-kv[1], kv[0])) if tally.hours else (None, 0)
        name = NOBODY if who is None else names.get(who, f"#{who}")
        rows.append(LoadRow(who, name, tally.leads / n, tally.rate_5, hour, count / n, who in added))
    return Outlook(
        len(day.leads),
        _mean(rates),
        _rank(rates, 0.1) if rates else None,
        _rank(rates, 0.9) if rates else None,
        _mean(rates_2h),
        median(medians) if medians else None,
        sum(late) / n,
        tuple(rows),
        n,
    )


def figures(day: RecordedDay) -> Outlook:
    """What happened on a recorded day, by the definitions of docs/metrics.md."""
    return outlook(day, [day], set())


# --- learning each consultant's behaviour ----------------------------------------------------------


@dataclass
class _Samples:
    free: list[float] = field(default_factory=list)  # first responses when surely free (nothing for BUSY_CAP_S)
    likely_free: list[float] = field(default_factory=list)  # ... when free for a typical busy span
    response_any: list[float] = field(default_factory=list)
    busy: list[float] = field(default_factory=list)  # back-to-back: the next lead had waited its answer out
    gaps: list[float] = field(default_factory=list)
    claim: list[float] = field(default_factory=list)
    leads: int = 0
    unanswered: int = 0


def _collect(day: RecordedDay, own: dict[int, _Samples]) -> None:
    """Add one day's samples: responses when surely free, busy spans from them, then likely-free responses."""
    by_staff: dict[int, list[DayLead]] = defaultdict(list)
    for lead in day.leads:
        if lead.consultant_id is not None and lead.assigned_at is not None:
            by_staff[lead.consultant_id].append(lead)
    for sid, mine in by_staff.items():
        s = own[sid]
        s.leads += len(mine)
        s.unanswered += sum(1 for x in mine if x.first_response_at is None)
        for lead in mine:
            if lead.first_response_at is not None:
                s.response_any.append(_took(lead))
                if _free_for(lead, mine) >= BUSY_CAP_S:
                    s.free.append(_took(lead))
    day_free = [t for sid in by_staff for t in own[sid].free]
    for sid, mine in by_staff.items():
        s = own[sid]
        quick = median(s.free or day_free or s.response_any or DEFAULT_RESPONSE_S)
        answered = sorted((x for x in mine if x.first_response_at), key=lambda x: x.first_response_at)
        for prev, nxt in itertools.pairwise(answered):
            gap = (nxt.first_response_at - prev.first_response_at).total_seconds()
            if gap <= BUSY_CAP_S:
                s.gaps.append(gap)  # a longer one was mostly time without work
            if (prev.first_response_at - nxt.assigned_at).total_seconds() >= quick:
                s.busy.append(min(gap, BUSY_CAP_S))  # it waited longer than they take when free: queued
    day_busy = [b for sid in by_staff for b in own[sid].busy]
    for sid, mine in by_staff.items():
        s = own[sid]
        typical = median(s.busy or day_busy or s.gaps or DEFAULT_BUSY_S)
        s.likely_free += [_took(x) for x in mine if x.first_response_at and _free_for(x, mine) >= typical]
    for claim in day.claims:
        own[claim.staff_id].claim.append(claim.latency_s)


def _took(lead: DayLead) -> float:
    """Seconds from assignment to first response."""
    assert lead.first_response_at is not None and lead.assigned_at is not None
    return max(0.0, (lead.first_response_at - lead.assigned_at).total_seconds())


def _free_for(lead: DayLead, mine: list[DayLead]) -> float:
    """How long the consultant had been free when the lead reached them: 0 with another lead waiting."""
    at = lead.assigned_at
    assert at is not None
    if any(x is not lead and x.assigned_at < at and x.first_response_at and x.first_response_at > at for x in mine):
        return 0.0
    before = [x.first_response_at for x in mine if x is not lead and x.first_response_at and x.first_response_at <= at]
    return (at - max(before)).total_seconds() if before else float("inf")


def _pick(*candidates: Sequence[float]) -> tuple[float, ...]:
    """The first candidate with enough samples, else the first non-empty one, else nothing."""
    for found in candidates:
        if len(found) >= MIN_SAMPLES:
            return tuple(found)
    return tuple(next((f for f in candidates if f), ()))


def _blend(own: tuple[float, ...], team: tuple[float, ...]) -> tuple[float, ...]:
    """Their own samples; with fewer than MIN_SAMPLES, drawn n/MIN_SAMPLES of the time, else the team's."""
    n = len(own)
    if n >= MIN_SAMPLES or not team:
        return own
    if not own:
        return team
    return own * len(team) + team * (MIN_SAMPLES - n)  # own n·T entries, team (MIN-n)·T: weights n : MIN-n


def _lower_half(gaps: list[float]) -> list[float]:
    """Gaps at or below their median: every gap is at most the busy span before it plus idle time."""
    if not gaps:
        return gaps
    middle = median(gaps)
    return [g for g in gaps if g <= middle]


def learn(days: Sequence[RecordedDay]) -> dict[int, Behaviour]:
    """Each consultant's behaviour from the recorded days; the team's samples where theirs are too few."""
    own: dict[int, _Samples] = defaultdict(_Samples)
    for day in days:
        _collect(day, own)
    team = _Samples()
    for s in own.values():
        for name in ("free", "likely_free", "response_any", "busy", "gaps", "claim"):
            getattr(team, name).extend(getattr(s, name))
        team.leads += s.leads
        team.unanswered += s.unanswered
    team_share = team.unanswered / team.leads if team.leads else 0.0
    ids = {c.staff_id for day in days for c in day.consultants} | set(own)
    out = {}
    for sid in sorted(ids):
        s = own.get(sid, _Samples())
        # answers given when free first: those that waited behind other work would count the queue twice
        mine = _pick(s.free, s.likely_free)
        response = _blend(mine, _pick(team.free, team.likely_free)) or _pick(
            s.response_any, team.response_any, DEFAULT_RESPONSE_S
        )
        out[sid] = Behaviour(
            response,
            # few back-to-back spans in the whole team (a quiet day) are mostly the slow answers: use the gaps
            _pick(s.busy, team.busy if len(team.busy) >= MIN_TEAM_SAMPLES else [])
            or _pick(_lower_half(s.gaps), _lower_half(team.gaps), DEFAULT_BUSY_S),
            _blend(tuple(s.claim), tuple(team.claim)) or DEFAULT_CLAIM_S,
            s.unanswered / s.leads if s.leads >= MIN_SAMPLES else team_share,
            s.leads,
            len(mine) >= MIN_SAMPLES,
        )
    return out


def manager_waits(days: Sequence[RecordedDay]) -> tuple[float, ...]:
    """How long leads sat in the manager's queue before someone took them (a default when never)."""
    found = tuple(x.manager_wait_s for day in days for x in day.leads if x.manager_wait_s is not None)
    return found or DEFAULT_MANAGER_WAIT_S
