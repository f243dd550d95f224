"""The what-if dispatch simulator: hand-built days with known answers, determinism, the reader on
SQLite and PostgreSQL (a day recorded through the real floor operations), and `salesfloor simulate`."""

from __future__ import annotations

import heapq
import itertools
import json
import random
import re
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta

import click
import pytest
from click.testing import CliRunner

from app.cli import cli
from app.cmd_simulate import simulate_command
from app.keys import encode_key
from models.clock import BUSINESS_TZ
from models.db import write_transaction
from models.dispatch import DispatchMode, DispatchRules
from models.floor import Floor
from models.leads import LeadIn
from models.metrics import kpi
from models.staff import add_staff
from models.whatif import (
    Behaviour,
    DayConsultant,
    DayLead,
    RecordedDay,
    Scenario,
    SimConsultant,
    figures,
    learn,
    predict,
    roster_for,
    settings_for,
    simulate_day,
)
from models.whatif_data import NoLeadsError, load_day, read_day
from models.whatif_record import outlook
from tests.conftest import TEST_KEY

SATURDAY = date(2026, 11, 21)
NINE = datetime(2026, 11, 21, 9, 0, tzinfo=BUSINESS_TZ)
SHIFT = ((NINE, NINE + timedelta(hours=12)),)
RULES = DispatchRules()  # idle 30 min, grab 15 s, reoffer → assign → manager
TOLERANCE = 0.15  # a replay's mean 5-minute rate against the recorded one, on each synthetic day
MEAN_TOLERANCE = 0.05  # ... and on average over them (docs/simulate.md)


def steady(response_s: float, busy_s: float = 120.0, claim_s: float = 5.0, unanswered: float = 0.0) -> Behaviour:
    """A consultant who always takes the same time."""
    return Behaviour((response_s,), (busy_s,), (claim_s,), unanswered, own_leads=10)


def day_of(lead_minutes: list[float], people: int, mode: DispatchMode = DispatchMode.AUTO) -> RecordedDay:
    """A day with leads at these minutes after 09:00 (each a new customer) and `people` on 09:00–21:00."""
    leads = tuple(
        DayLead(i + 1, NINE + timedelta(minutes=m), "douyin", i + 1) for i, m in enumerate(sorted(lead_minutes))
    )
    team = tuple(DayConsultant(k + 1, f"顾问{k + 1}", SHIFT) for k in range(people))
    return RecordedDay(SATURDAY, mode, leads, team)


def _roster(day: RecordedDay, behaviours: list[Behaviour]) -> list[SimConsultant]:
    return [SimConsultant(c.staff_id, c.name, c.duty, b) for c, b in zip(day.consultants, behaviours, strict=True)]


def run(day: RecordedDay, behaviours: list[Behaviour], runs: int = 5, **scenario):
    """The outlook of `runs` runs of a day with these behaviours and scenario settings."""
    rules, calendar, _ = settings_for(day, RULES, Scenario(**scenario))
    return outlook(day, [simulate_day(day, _roster(day, behaviours), rules, calendar, s) for s in range(runs)], set())


def recorded(day: RecordedDay, behaviours: list[Behaviour], seed: int = 1) -> RecordedDay:
    """What the hub would have recorded for this day, people working with these behaviours."""
    rules, calendar, _ = settings_for(day, RULES, Scenario())
    return simulate_day(day, _roster(day, behaviours), rules, calendar, seed)


# --- hand-built days with known answers -------------------------------------------------------------


def test_thirty_leads_in_an_hour_on_one_consultant_two_more_raise_the_rate():
    day = day_of([60 + 2 * i for i in range(30)], people=1)  # 10:00–11:00, one consultant
    actual = recorded(day, [steady(120, busy_s=300)])
    assert [r.leads for r in figures(actual).consultants] == [30.0]
    assert figures(actual).rate_5 < 0.1  # one call at a time, five minutes each: only the first in time
    result = predict(actual, RULES, Scenario(consultants=2, runs=5))
    assert result.added == ("新增顾问1", "新增顾问2") and result.like == "顾问1"
    assert result.baseline.rate_5 == pytest.approx(figures(actual).rate_5)  # steady behaviour replays exactly
    assert result.predicted.rate_5 > result.baseline.rate_5 + 0.1
    loads = {r.name: r.leads for r in result.predicted.consultants}
    assert set(loads) == {"顾问1", "新增顾问1", "新增顾问2"} and all(n >= 8 for n in loads.values())
    assert next(r for r in result.predicted.consultants if r.name == "顾问1").busiest_hour == 10


def test_removing_a_consultant_takes_the_least_busy_and_lowers_the_rate():
    day = day_of([5 * i for i in range(40)], people=3)
    actual = recorded(day, [steady(60), steady(60), steady(900)])
    result = predict(actual, RULES, Scenario(consultants=-1, runs=5))
    least = min(figures(actual).consultants, key=lambda r: (r.leads, -r.staff_id))
    assert result.removed == (least.name,)
    assert least.name not in {r.name for r in result.predicted.consultants}
    with pytest.raises(ValueError, match="nobody would be left"):
        predict(actual, RULES, Scenario(consultants=-3))


def test_grab_beats_idle_assignment_on_a_weekend_with_a_slow_consultant():
    """Idle assignment rotates leads fairly, so the slow one answers a third late; in the grab pool the
    quick ones claim first and the slow one only gets what they cannot take."""
    day = day_of([4 * i for i in range(60)], people=3, mode=DispatchMode.GRAB)
    team = [steady(60, claim_s=3), steady(90, claim_s=4), steady(1200, claim_s=12)]
    grab = run(day, team, mode=DispatchMode.GRAB)
    idle = run(day, team, mode=DispatchMode.AUTO)
    assert grab.rate_5 > idle.rate_5 + 0.15
    slow = {o: next(r.leads for r in out.consultants if r.name == "顾问3") for o, out in (("g", grab), ("i", idle))}
    assert slow["g"] < slow["i"]


def test_an_unclaimed_round_falls_back_as_the_rules_say():
    """Claims come after 8 and 9 s: within a 15 s window the quicker one wins; within 5 s nobody claims,
    so the lead is offered again (reoffer) and then assigned (assign) — 10 s after it came."""
    day = day_of([0], people=2, mode=DispatchMode.GRAB)
    team = [steady(60, claim_s=8), steady(60, claim_s=9)]
    [claimed] = recorded(day, team).leads
    assert claimed.consultant_id == 1 and claimed.assigned_at == NINE + timedelta(seconds=8)
    assert claimed.first_response_at == NINE + timedelta(seconds=68)
    short = simulate_day(day, _roster(day, team), *settings_for(day, RULES, Scenario(grab_seconds=5))[:2], seed=1)
    [fallback] = short.leads
    assert fallback.assigned_at == NINE + timedelta(seconds=10) and short.claims == ()
    assert run(day, team, grab_seconds=5).median_s == 70.0


def test_a_longer_idle_window_sends_more_leads_to_the_consultant_who_logs_follow_ups_late():
    """Two quick consultants and a slow one; a lead every 8 minutes. With 30 minutes the quick ones still
    look busy when the next lead comes, the slow one (no follow-up yet) looks idle and gets it."""
    day = day_of([8 * i for i in range(40)], people=3)
    team = [steady(60), steady(60), steady(900)]
    twenty = run(day, team, idle_minutes=20)
    thirty = run(day, team, idle_minutes=30)
    assert twenty.rate_5 > thirty.rate_5
    slow = [next(r.leads for r in out.consultants if r.name == "顾问3") for out in (twenty, thirty)]
    assert slow[0] < slow[1]


def test_follow_ups_on_earlier_customers_make_a_consultant_look_busy_to_idle_assignment():
    day = day_of([40 * i for i in range(15)], people=2)
    team = [steady(60), steady(60)]
    alone = recorded(day, team)
    assert sorted(Counter(x.consultant_id for x in alone.leads).values()) == [7, 8]  # turn and turn about
    calls = tuple((1, NINE + timedelta(minutes=10 * k)) for k in range(72))  # 顾问1 works old customers all day
    busy = recorded(replace(day, other_work=calls), team)
    assert Counter(x.consultant_id for x in busy.leads) == {2: 15}


def test_returning_customers_go_back_to_their_owner_and_nobody_on_duty_waits_for_the_manager():
    morning = NINE - timedelta(hours=1)
    leads = (
        DayLead(1, morning, "douyin", 1),  # 08:00, nobody on duty yet
        DayLead(2, NINE + timedelta(minutes=10), "douyin", 7, prior_owner_id=2),  # a customer of 顾问2's
        DayLead(3, NINE + timedelta(minutes=20), "douyin", 7),  # the same customer again
    )
    day = RecordedDay(SATURDAY, DispatchMode.AUTO, leads, tuple(DayConsultant(k, f"顾问{k}", SHIFT) for k in (1, 2)))
    out = recorded(day, [steady(60), steady(60)])
    first, second, third = out.leads
    assert first.consultant_id is not None and first.assigned_at == NINE  # the manager hands it out at 09:00
    assert first.manager_wait_s == 3600.0
    assert second.consultant_id == 2 and third.consultant_id == 2


def test_unanswered_share_and_figures_follow_the_metric_definitions():
    day = day_of([0, 10, 20, 30], people=1)
    out = recorded(day, [steady(300, unanswered=0.0)])
    assert figures(out).rate_5 == 1.0  # exactly 5:00 counts as within
    never = recorded(day, [steady(60, unanswered=1.0)])
    f = figures(never)
    assert f.rate_5 == 0.0 and f.unanswered == 4 and f.median_s is None
    pending = replace(out, until=NINE + timedelta(minutes=32))  # the last lead is 2 minutes old: not counted yet
    assert figures(pending).rate_5 == 1.0 and figures(pending).unanswered == 0


def test_the_same_seed_gives_the_same_prediction():
    day = day_of([random.Random(3).uniform(0, 600) for _ in range(80)], people=4, mode=DispatchMode.GRAB)
    actual = recorded(day, _known_team(random.Random(4), 4))
    a = predict(actual, RULES, Scenario(consultants=1, runs=6, seed=11))
    b = predict(actual, RULES, Scenario(consultants=1, runs=6, seed=11))
    c = predict(actual, RULES, Scenario(consultants=1, runs=6, seed=12))
    assert a == b
    assert a.predicted != c.predicted
    assert a.predicted.rate_5_low <= a.predicted.rate_5 <= a.predicted.rate_5_high


# --- validation: known behaviour in, the recorded rate back out ---------------------------------------


def _known_team(rng: random.Random, people: int) -> list[Behaviour]:
    """Consultants from quick to slow, with varied busy spans, claim reactions and a few leads never answered."""
    means = (90, 150, 240, 400, 700, 300)
    return [
        Behaviour(
            tuple(rng.expovariate(1 / means[k % len(means)]) for _ in range(400)),
            tuple(min(rng.expovariate(1 / 480), 1200) for _ in range(400)),
            tuple(rng.uniform(1, 12 + 2 * k) for _ in range(400)),
            0.03,
            own_leads=50,
        )
        for k in range(people)
    ]


def _synthetic_day(seed: int, leads: int, people: int, mode: DispatchMode, peak: bool) -> RecordedDay:
    """Leads spread over twelve hours (a third in one peak hour when `peak`), 10 % from returning customers."""
    rng = random.Random(seed)
    team = _known_team(rng, people)
    minutes = [rng.uniform(300, 360) if peak and i < leads // 3 else rng.uniform(0, 720) for i in range(leads)]
    day = day_of(minutes, people, mode)
    customers = [i if rng.random() > 0.1 else rng.randrange(1, i + 1) for i in range(1, leads + 1)]
    day = replace(day, leads=tuple(replace(x, customer_id=c) for x, c in zip(day.leads, customers, strict=True)))
    return recorded(day, team, seed)


SHAPES = [
    (150, 5, DispatchMode.AUTO, False),
    (150, 5, DispatchMode.GRAB, False),
    (200, 4, DispatchMode.AUTO, True),
    (200, 4, DispatchMode.GRAB, True),
    (80, 3, DispatchMode.AUTO, False),
    (300, 6, DispatchMode.GRAB, True),
]


def test_replaying_a_synthetic_day_with_its_own_settings_reproduces_its_rate():
    errors = []
    for i, (leads, people, mode, peak) in enumerate(SHAPES):
        for seed in (100 + i, 200 + i):
            day = _synthetic_day(seed, leads, people, mode, peak)
            actual = figures(day).rate_5
            replay = predict(day, RULES, Scenario(runs=20, seed=seed)).baseline
            errors.append(replay.rate_5 - actual)
            assert abs(replay.rate_5 - actual) <= TOLERANCE, (leads, people, mode, seed, actual, replay.rate_5)
    assert sum(abs(e) for e in errors) / len(errors) <= MEAN_TOLERANCE
    assert abs(sum(errors) / len(errors)) <= 0.03  # no lean either way


def test_learning_finds_quick_and_slow_consultants():
    day = _synthetic_day(7, 200, 4, DispatchMode.AUTO, False)
    learned = learn([day])
    typical = [sorted(b.response_s)[len(b.response_s) // 2] for b in learned.values()]
    assert typical[0] < typical[2] < typical[3]  # true medians 62, 104, 166, 277 s
    team, _, _ = roster_for(day, learned)
    assert [c.staff_id for c in team] == [1, 2, 3, 4]


# --- the recorded day on the hub (SQLite and PostgreSQL) ----------------------------------------------


class HubDay:
    """Plays a day on the real floor with a fake clock: people answer, claim and hand out as scripted."""

    def __init__(self, registry, clock, people: dict[str, tuple[float, float]]):
        self.floor, self.clock = Floor(registry), clock
        with write_transaction(registry.engine) as conn:
            self.staff = {n: add_staff(conn, registry.vault, n, "consultant", clock.now())[0] for n in people}
            self.boss = add_staff(conn, registry.vault, "张经理", "manager", clock.now())[0]
        self.by_id = {m.id: m for m in self.staff.values()}
        self.speed = {self.staff[n].id: v for n, v in people.items()}  # (claim s, answer s)
        self.free_at: dict[int, datetime] = {}
        self.heap: list = []
        self.order = itertools.count()
        self.lead_ids: dict[str, int] = {}

    def at(self, when: datetime, action, *args) -> None:
        """Schedule an action."""
        heapq.heappush(self.heap, (when, next(self.order), action, args))

    def play(self) -> None:
        """Run every scheduled action in time order."""
        while self.heap:
            when, _, action, args = heapq.heappop(self.heap)
            self.clock.set(when)
            action(*args)

    def status(self, name: str, status: str) -> None:
        """A consultant goes on duty, pauses or leaves."""
        self.floor.set_status(self.staff[name].id, status, "t")

    def lead(self, key: str, phone: str) -> None:
        """A new lead arrives from Douyin."""
        now = self.clock.now()
        item = LeadIn("douyin", key, "douyin", "online_lead", now, f"客户{key}", [("mobile", phone)])
        change = self.floor.intake([item], "t")
        self.lead_ids[key] = change.result["leads"][0]["lead_id"]
        self.react(change.events)

    def react(self, events) -> None:
        """Answer assignments; the quickest free consultant claims an offer within its window."""
        now = self.clock.now()
        for e in events:
            if e.type == "lead.assigned" and e.payload["consultant_id"]:
                sid = e.payload["consultant_id"]
                start = max(now + timedelta(seconds=self.speed[sid][1]), self.free_at.get(sid, now))
                self.free_at[sid] = start + timedelta(minutes=2)
                self.at(start, self.answer, sid, e.lead_id)
            elif e.type == "grab.offered":
                deadline = datetime.fromisoformat(e.payload["deadline"])
                takers = [
                    (self.speed[s][0], s)
                    for s in e.payload["offered"]
                    if now + timedelta(seconds=self.speed[s][0]) < deadline and self.free_at.get(s, now) <= now
                ]
                if takers:
                    delay, sid = min(takers)
                    self.at(now + timedelta(seconds=delay), self.claim, e.payload["round_id"], sid)
                else:
                    self.at(deadline, self.expire)

    def claim(self, round_id: int, sid: int) -> None:
        """A consultant presses 抢单."""
        self.react(self.floor.claim(round_id, self.by_id[sid]).change.events)

    def expire(self) -> None:
        """The hub's timer closes rounds past their deadline."""
        self.react(self.floor.expire_due().events)

    def answer(self, sid: int, lead_id: int) -> None:
        """The consultant calls the customer."""
        self.floor.log_follow_up(self.by_id[sid], lead_id, "call")

    def follow_up(self, name: str, key: str) -> None:
        """A consultant sends a WeChat to a customer they already have."""
        self.floor.log_follow_up(self.staff[name], self.lead_ids[key], "wechat")

    def hand_out(self, key: str, name: str) -> None:
        """The manager assigns a lead from their queue."""
        change = self.floor.reassign(self.lead_ids[key], self.staff[name].id, self.boss, "早到的线索")
        self.react(change.events)


def record_saturday(registry, clock) -> HubDay:
    """Friday evening 李娜 takes a customer; Saturday runs the grab pool with three consultants."""
    hub = HubDay(registry, clock, {"王磊": (3, 60), "李娜": (6, 240), "赵强": (20, 720)})
    friday = datetime(2026, 11, 20, 20, 0, tzinfo=BUSINESS_TZ)
    hub.at(friday, hub.status, "李娜", "on_duty")
    hub.at(friday + timedelta(minutes=1), hub.lead, "old", "13800000007")
    hub.at(friday + timedelta(hours=1), hub.status, "李娜", "off")
    hub.at(NINE - timedelta(minutes=30), hub.lead, "early", "13800000001")  # nobody on duty: the manager's queue
    for name in ("王磊", "李娜"):
        hub.at(NINE, hub.status, name, "on_duty")
    hub.at(NINE + timedelta(minutes=5), hub.hand_out, "early", "王磊")
    hub.at(NINE + timedelta(hours=1), hub.status, "赵强", "on_duty")
    hub.at(NINE + timedelta(minutes=50), hub.follow_up, "李娜", "old")  # other work: 李娜 looks busy to dispatch
    hub.at(NINE + timedelta(hours=3), hub.status, "王磊", "paused")
    hub.at(NINE + timedelta(hours=4), hub.status, "王磊", "on_duty")
    minutes = [10, 11, 12, 40, 65, 66, 67, 68, 100, 190, 200, 201, 202, 260, 300]
    for i, m in enumerate(minutes):
        hub.at(NINE + timedelta(minutes=m), hub.lead, f"s{i}", f"139000000{i:02d}")
    hub.at(NINE + timedelta(minutes=120), hub.lead, "back", "13800000007")  # 李娜's customer returns
    for name in ("王磊", "李娜", "赵强"):
        hub.at(NINE + timedelta(hours=10), hub.status, name, "off")
    hub.play()
    return hub


def test_the_reader_builds_the_recorded_day(registry, clock):
    hub = record_saturday(registry, clock)
    now = NINE + timedelta(hours=12)
    with registry.engine.connect() as conn:
        day = read_day(conn, SATURDAY, now)
        [row] = kpi(conn, SATURDAY, SATURDAY, now)
    ids = {n: m.id for n, m in hub.staff.items()}
    assert day.mode is DispatchMode.GRAB and day.grab_seconds == 15 and len(day.leads) == 17
    assert [c.name for c in day.consultants] == ["王磊", "李娜", "赵强"]  # 李娜 was off since Friday: from 09:00
    duty = {c.name: c.duty for c in day.consultants}
    assert duty["王磊"] == ((NINE, NINE + timedelta(hours=3)), (NINE + timedelta(hours=4), NINE + timedelta(hours=10)))
    assert duty["赵强"] == ((NINE + timedelta(hours=1), NINE + timedelta(hours=10)),)
    early = next(x for x in day.leads if x.lead_id == hub.lead_ids["early"])
    assert early.consultant_id == ids["王磊"] and early.manager_wait_s == 35 * 60
    back = next(x for x in day.leads if x.lead_id == hub.lead_ids["back"])
    assert back.prior_owner_id == ids["李娜"] and back.consultant_id == ids["李娜"]
    assert {c.staff_id for c in day.claims} <= {ids["王磊"], ids["李娜"]}
    assert day.other_work == ((ids["李娜"], NINE + timedelta(minutes=50)),)
    assert {c.latency_s for c in day.claims if c.staff_id == ids["王磊"]} == {3.0}
    mine = figures(day)  # the simulator's figures of the recorded day are the dashboard's
    assert (mine.leads, mine.rate_5, mine.rate_2h, mine.median_s) == (row.leads, row.rate_5, row.rate_2h, row.median_s)
    assert mine.unanswered == row.unanswered_late
    learned = learn([day])
    assert learned[ids["王磊"]].response_s[:1] == (60.0,) and learned[ids["王磊"]].claim_s[0] == 3.0


def test_the_hub_day_replays_close_to_what_happened(registry, clock):
    record_saturday(registry, clock)
    with registry.engine.connect() as conn:
        data = load_day(conn, SATURDAY, NINE + timedelta(hours=12), history_days=2)
    assert data.actual.rate_5 == figures(data.recorded).rate_5
    assert [d.day for d in data.history] == [date(2026, 11, 20)]  # Thursday had no leads
    result = predict(data.recorded, RULES, Scenario(runs=10), data.history)
    assert abs(result.baseline.rate_5 - data.actual.rate_5) <= TOLERANCE
    more = predict(data.recorded, RULES, Scenario(consultants=2, runs=10), data.history)
    assert more.predicted.rate_5 >= more.baseline.rate_5


def test_a_day_without_leads_names_the_days_that_have_data(registry, clock):
    with registry.engine.connect() as conn, pytest.raises(NoLeadsError, match="has no dispatched leads on any day"):
        read_day(conn, SATURDAY, clock.now())
    record_saturday(registry, clock)
    with registry.engine.connect() as conn, pytest.raises(NoLeadsError) as caught:
        read_day(conn, date(2026, 11, 22), clock.now())
    assert str(caught.value) == (
        "2026-11-22 has no leads in this database; days with data: 2026-11-21 (17), 2026-11-20 (1)"
    )


# --- the command ------------------------------------------------------------------------------------


def _salesfloor() -> click.Group:
    """The `salesfloor` group with `simulate` attached (app/cli.py registers it in the product)."""
    return click.Group(
        cli.name, {**cli.commands, "simulate": simulate_command}, callback=cli.callback, params=cli.params
    )


def test_the_command_prints_the_report_and_json(registry, clock, db_url, tmp_path, monkeypatch):
    record_saturday(registry, clock)
    monkeypatch.setenv("SALESFLOOR_MASTER_KEY", encode_key(TEST_KEY))
    base = ["--db", db_url, "--data-dir", str(tmp_path), "simulate", "--day", "2026-11-21", "--runs", "4"]
    shown = CliRunner().invoke(_salesfloor(), [*base, "--consultants", "+2"], terminal_width=160)
    assert shown.exit_code == 0, shown.output
    text = shown.output
    assert "5分钟达标率" in text and "新增顾问1" in text and "王磊" in text
    assert re.search(r"周六增加 2 名顾问：5分钟达标率 预计 \d+% → \d+%", text)
    assert not re.search(r"1\d{10}", text)  # no mobile ever
    as_json = CliRunner().invoke(_salesfloor(), [*base, "--mode", "idle", "--idle-minutes", "20", "--json"])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.output)
    assert data["day"] == "2026-11-21" and data["scenario"]["mode"] == "auto" and data["rules"]["idle_minutes"] == 20
    assert data["actual"]["leads"] == 17 and 0 <= data["predicted"]["rate_5"] <= 1
    assert {r["name"] for r in data["predicted"]["consultants"]} >= {"王磊", "李娜", "赵强"}
    empty = CliRunner().invoke(_salesfloor(), [*base[:-4], "--day", "2026-11-23"])
    assert empty.exit_code != 0 and "days with data: 2026-11-21 (17)" in empty.output
    fewer = CliRunner().invoke(_salesfloor(), [*base, "--consultants", "-1"], terminal_width=160)
    assert fewer.exit_code == 0 and "周六减少 1 名顾问" in fewer.output and "赵强（移除）" in fewer.output
    bad = CliRunner().invoke(_salesfloor(), [*base, "--consultants", "two"])
    assert bad.exit_code == 2 and "+2" in bad.output
