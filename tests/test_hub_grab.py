"""The weekend grab pool: offers, one winner under concurrency, fallback, and a hub restart mid-countdown."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime

import pytest
import sqlalchemy as sa

from models.clock import BUSINESS_TZ
from models.db import write_transaction
from models.floor import Floor, FloorError
from models.hub_schema import assignments, grab_rounds, lead_dispatch
from models.leads import LeadIn
from models.staff import add_staff, get_staff
from tests.hubkit import enrolled, open_client, running_hub

pytestmark = pytest.mark.asyncio
SATURDAY = datetime(2026, 11, 21, 10, 0, tzinfo=BUSINESS_TZ)


def lead(n: int, when: datetime) -> LeadIn:
    """A Douyin lead of a distinct person."""
    return LeadIn("douyin", f"m{n}", "douyin", "online_lead", when, f"客户{n}", [("mobile", f"1391234{n:04d}")])


async def test_weekend_lead_is_offered_to_all_and_the_first_claim_wins(registry, clock):
    clock.set(SATURDAY)
    async with running_hub(registry) as hub:
        _wang, t1 = await enrolled(hub, "王磊", "consultant", status="on_duty")
        li, t2 = await enrolled(hub, "李敏", "consultant", status="on_duty")
        a, b = await open_client(hub, t1, "a"), await open_client(hub, t2, "b")
        for c in (a, b):
            await c.call("subscribe", since=hub.hub.last_seq)
        hub.hub.publish(await hub.hub.db(hub.hub.floor.intake, [lead(1, SATURDAY)], "test"))
        offer_a, offer_b = await a.next_event("grab.offered"), await b.next_event("grab.offered")
        assert offer_a["payload"]["round_id"] == offer_b["payload"]["round_id"]
        assert offer_a["payload"]["deadline"] == "2026-11-21T02:00:15+00:00"
        round_id = offer_a["payload"]["round_id"]
        won = await b.call("grab.claim", round_id=round_id)
        lost = await a.call("grab.claim", round_id=round_id)
        assert won["result"]["won"] and won["result"]["winner_name"] == "李敏"
        assert not lost["result"]["won"] and lost["result"]["winner_name"] == "李敏"
        told = await a.next_event("grab.claimed")
        assert told["payload"]["winner_id"] == li
        assert (await b.next_event("lead.assigned"))["payload"]["how"] == "grab"
        for c in (a, b):
            await c.close()


async def test_fifty_claimants_a_thousand_rounds_exactly_one_winner_each(registry, clock):
    clock.set(SATURDAY)
    async with running_hub(registry) as hub:
        people = []
        for i in range(50):

            def add(i=i):
                with write_transaction(registry.engine) as conn:
                    return add_staff(conn, registry.vault, f"顾问{i}", "consultant", clock.now())[0]

            people.append(await hub.hub.db(add))
        ids = [p.id for p in people]
        for p in people:
            await hub.hub.db(hub.hub.floor.set_status, p.id, "on_duty", "test")
        change = await hub.hub.db(hub.hub.floor.intake, [lead(1, SATURDAY)], "test")
        lead_id = change.result["leads"][0]["lead_id"]

        def more_rounds():
            with write_transaction(registry.engine) as conn:
                conn.execute(
                    grab_rounds.insert(),
                    [
                        {
                            "lead_id": lead_id,
                            "attempt": 1,
                            "offered": ids,
                            "opened_at": SATURDAY,
                            "deadline": datetime(2026, 11, 22, tzinfo=BUSINESS_TZ),
                            "status": "open",
                        }
                        for _ in range(999)
                    ],
                )
            with registry.engine.connect() as conn:
                return [r for (r,) in conn.execute(sa.select(grab_rounds.c.id).order_by(grab_rounds.c.id))]

        rounds = await hub.hub.db(more_rounds)
        assert len(rounds) == 1000
        for round_id in rounds:
            results = await asyncio.gather(*(hub.hub.claim(round_id, p) for p in people))
            winners = {r["winner_id"] for r in results}
            assert sum(r["won"] for r in results) == 1 and len(winners) == 1
        with registry.engine.connect() as conn:
            claimed = conn.execute(sa.select(sa.func.count()).where(grab_rounds.c.status == "claimed")).scalar_one()
            grabs = conn.execute(sa.select(sa.func.count()).where(assignments.c.how == "grab")).scalar_one()
        assert claimed == 1000 and grabs == 1000


async def test_claims_from_parallel_writers_have_one_winner(engine, vault, rules, clock):
    """Separate threads and connections race the conditional update directly (no hub in between)."""
    from models.registry import CustomerRegistry

    clock.set(SATURDAY)
    registry = CustomerRegistry(engine, vault, rules, clock)
    floor = Floor(registry)
    with write_transaction(engine) as conn:
        people = [add_staff(conn, vault, f"顾问{i}", "consultant", clock.now())[0] for i in range(6)]
    for p in people:
        floor.set_status(p.id, "on_duty", "test")
    people = [get_staff(engine.connect(), p.id) for p in people]
    for n in range(20):
        change = floor.intake([lead(n, SATURDAY)], "test")
        round_id = next(e.payload["round_id"] for e in change.events if e.type == "grab.offered")
        wins: list[bool] = []
        barrier = threading.Barrier(len(people))

        def go(member, round_id=round_id, wins=wins, barrier=barrier):
            barrier.wait()
            wins.append(floor.claim(round_id, member).won)

        threads = [threading.Thread(target=go, args=(p,)) for p in people]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(wins) == [False] * 5 + [True]


async def test_unclaimed_round_falls_back_reoffer_then_assign(registry, clock):
    clock.set(SATURDAY)
    floor = Floor(registry)
    with write_transaction(registry.engine) as conn:
        wang = add_staff(conn, registry.vault, "王磊", "consultant", clock.now())[0]
    floor.set_status(wang.id, "on_duty", "test")
    floor.intake([lead(1, SATURDAY)], "test")
    clock.advance(seconds=14)
    assert floor.expire_due().events == []  # 14 s: still open
    clock.advance(seconds=2)
    kinds = [(e.type, e.payload.get("next")) for e in floor.expire_due().events]
    assert kinds == [("grab.expired", "reoffer"), ("grab.offered", None)]
    clock.advance(seconds=16)
    events = floor.expire_due().events
    assert [e.type for e in events] == ["grab.expired", "lead.assigned"]
    assert events[1].staff_id == wang.id and events[1].payload["how"] == "fallback"
    assert "无人抢单" in events[1].payload["reason"]
    with pytest.raises(FloorError):
        floor.claim(999, wang)


async def test_nobody_on_duty_goes_straight_to_the_manager_queue(registry, clock):
    clock.set(SATURDAY)
    floor = Floor(registry)
    change = floor.intake([lead(1, SATURDAY)], "test")
    assigned = next(e for e in change.events if e.type == "lead.assigned")
    assert assigned.payload["how"] == "manager" and assigned.staff_id is None
    with registry.engine.connect() as conn:
        assert conn.execute(sa.select(lead_dispatch.c.state)).scalar_one() == "manager"


async def test_a_hub_restarted_mid_countdown_finishes_the_round_once(registry, clock):
    clock.set(SATURDAY)
    async with running_hub(registry) as first:
        _wang, _ = await enrolled(first, "王磊", "consultant", status="on_duty")
        li, _ = await enrolled(first, "李敏", "consultant", status="on_duty")
        first.hub.publish(await first.hub.db(first.hub.floor.intake, [lead(1, SATURDAY)], "test"))
    # the first hub is gone with the round still open; the deadline passes while nobody runs
    clock.advance(seconds=20)
    async with running_hub(registry) as second:  # start() expires what fell due while down
        with registry.engine.connect() as conn:
            rounds = conn.execute(
                sa.select(grab_rounds.c.attempt, grab_rounds.c.status).order_by(grab_rounds.c.id)
            ).all()
        assert [tuple(r) for r in rounds] == [(1, "expired"), (2, "open")]
        member = await second.hub.db(lambda: get_staff(registry.engine.connect(), li))
        late = await second.hub.claim(1, member)
        assert not late["won"] and late["status"] == "expired"
        now = await second.hub.claim(2, member)
        assert now["won"]
    async with running_hub(registry):  # a third start changes nothing
        with registry.engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(grab_rounds)).scalar_one() == 2
            assert conn.execute(sa.select(sa.func.count()).select_from(assignments)).scalar_one() == 1
