"""Deals and settlement through the hub: who may do what, exactly once, with the answers a desk shows."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from models.clock import BUSINESS_TZ
from models.db import write_transaction
from models.deal_schema import deals
from models.schema import agencies
from models.staff import add_staff, enroll
from tests.hubkit import enrolled, open_client, running_hub
from tests.test_deals import person

pytestmark = pytest.mark.asyncio


def at(day: int, h: int, m: int = 0) -> datetime:
    """A business time in November 2026."""
    return datetime(2026, 11, day, h, m, tzinfo=BUSINESS_TZ)


def customer(registry, tag: str, mobile: str, agency: str | None) -> int:
    """A Douyin lead, then (with an agency) its report and accompanied visit."""
    touches = [("douyin", "online_lead", at(1, 9), None)]
    if agency:
        touches += [("agency", "report", at(2, 10), agency), ("agency", "accompanied_visit", at(3, 15), agency)]
    return person(registry, tag, mobile, touches)


async def broker_of(hub, agency_code: str, name: str) -> str:
    """Enroll a broker of an agency; returns the token."""
    reg = hub.hub.registry

    def add():
        with write_transaction(reg.engine) as conn:
            _member, code = add_staff(conn, reg.vault, name, "broker", reg.clock.now(), agency_code)
            return enroll(conn, code, "test", reg.clock.now())[1]

    return await hub.hub.db(add)


async def test_record_split_settle_and_dispute_through_the_hub(registry, clock):
    clock.set(at(1, 8))
    li = customer(registry, "li", "13812345678", "lianjia")
    wang = customer(registry, "wang", "13900001111", "woaiwojia")
    clock.set(at(10, 9))
    async with running_hub(registry) as hub:
        wang_lei, consultant = await enrolled(hub, "王磊", "consultant")
        _, manager = await enrolled(hub, "张经理", "manager")
        desk = await open_client(hub, consultant, client_id="desk-wl")
        office = await open_client(hub, manager, client_id="desk-mgr")
        sign = {"customer_id": li, "unit": "3-1-1202", "amount": "2860000", "at": at(9, 15).isoformat()}
        other = await desk.mutate(
            "deal.record", stage="signing", consultant_name="李敏", consultant_id=wang_lei + 99, **sign
        )
        assert other["code"] == "forbidden"
        first = await desk.mutate("deal.record", mutation_id=10, stage="signing", consultant_name="王磊", **sign)
        assert first["type"] == "result", first
        detail = first["result"]
        lines = detail["lines"]
        assert sum(Decimal(line["amount"]) for line in lines) == Decimal(detail["deal"]["signed_amount"]) * Decimal(
            "0.015"
        )
        assert detail["deal"]["consultant_id"] == wang_lei  # a consultant records as themself
        again = await desk.mutate("deal.record", mutation_id=10, stage="signing", consultant_name="王磊", **sign)
        assert again["result"]["replayed"] and again["result"]["deal"]["deal_id"] == detail["deal"]["deal_id"]
        twice = await desk.mutate(
            "deal.record", stage="signing", consultant_name="王磊", **{**sign, "customer_id": wang}
        )
        assert twice["code"] == "invalid" and "3-1-1202" in twice["message"]  # the unit is sold
        with registry.engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(deals)).scalar_one() == 1

        mine = await desk.call("deal.list")
        assert [d["deal_id"] for d in mine["result"]["deals"]] == [detail["deal"]["deal_id"]]
        prepared = await office.mutate("settlement.prepare", start="2026-11-01", end="2026-11-30")
        statement_id = prepared["result"]["statement_ids"][0]
        with registry.engine.connect() as conn:
            lianjia = conn.execute(sa.select(agencies.c.id).where(agencies.c.code == "lianjia")).scalar_one()
        broker = await open_client(hub, await broker_of(hub, "lianjia", "张经纪"), client_id="desk-broker")
        outsider = await open_client(hub, await broker_of(hub, "woaiwojia", "刘强"), client_id="desk-out")
        seen = (await broker.call("settlement.list"))["result"]["statements"]
        assert seen and all(s["agency_id"] == lianjia for s in seen)
        assert (await outsider.call("settlement.get", statement_id=statement_id))["code"] == "forbidden"
        assert (await outsider.mutate("settlement.transition", statement_id=statement_id, to="confirmed"))[
            "code"
        ] == "forbidden"
        assert (await broker.mutate("settlement.transition", statement_id=statement_id, to="paid"))["code"] == (
            "forbidden"
        )
        confirmed = await broker.mutate("settlement.transition", statement_id=statement_id, to="confirmed")
        assert confirmed["result"]["statement"]["status"] == "confirmed"
        clock.set(at(11, 10))
        paid = await office.mutate("settlement.transition", statement_id=statement_id, to="paid")
        assert paid["result"]["statement"]["status"] == "paid"
        cycle = (await office.call("settlement.cycle", start="2026-11-01", end="2026-11-30"))["result"]["cycle"]
        assert cycle["paid"] >= 1 and cycle["target_days"] == 3
        pack = (await broker.call("dispute.get", deal_id=detail["deal"]["deal_id"]))["result"]["pack"]
        assert pack["chain"]["intact"] and "13812345678" not in str(pack)
        assert (await outsider.call("dispute.get", deal_id=detail["deal"]["deal_id"]))["code"] == "forbidden"
        assert (await office.call("deal.get", deal_id=999))["code"] == "not_found"
        for client in (desk, office, broker, outsider):
            await client.close()


async def test_the_radar_report_from_imported_calls(registry, clock):
    from pathlib import Path

    from models.transcripts import import_transcript_file

    clock.set(at(19, 8))
    for who, mobile in (("li", "13812345678"), ("zhang", "13987654321")):
        customer(registry, who, mobile, None)
    async with running_hub(registry) as hub:
        wang, consultant = await enrolled(hub, "王磊", "consultant")
        li_min, _ = await enrolled(hub, "李敏", "consultant")
        _, manager = await enrolled(hub, "张经理", "manager")
        clock.set(at(20, 9))
        data = Path(__file__).parent / "data" / "transcripts" / "calls_utf8_bom.csv"
        report = await hub.hub.db(import_transcript_file, registry.engine, registry.vault, data, clock.now())
        assert report.created
        office = await open_client(hub, manager, client_id="desk-mgr")
        answer = (await office.call("radar.report", staff_id=li_min))["result"]
        assert {p[0] for p in answer["consultants"]} >= {wang, li_min}
        assert answer["profile"]["staff_id"] == li_min and len(answer["profile"]["dimensions"]) >= 6
        assert all(f["verdict"] == "not_enough_data" for f in answer["findings"])  # no deals: no claims
        desk = await open_client(hub, consultant, client_id="desk-wl")
        own = (await desk.call("radar.report", staff_id=li_min))["result"]
        assert own["profile"]["staff_id"] == wang and [p[0] for p in own["consultants"]] == [wang]
        _, newcomer = await enrolled(hub, "周新", "consultant")  # no calls yet: no radar, not a colleague's
        fresh = await open_client(hub, newcomer, client_id="desk-new")
        none = (await fresh.call("radar.report"))["result"]
        assert none["profile"] is None and none["consultants"] == []
        await fresh.close()
        for client in (office, desk):
            await client.close()


async def test_a_policy_experiment_through_the_hub(registry, clock):
    clock.set(at(1, 8))
    li = customer(registry, "li", "13812345678", None)
    clock.set(at(10, 9))
    async with running_hub(registry) as hub:
        _, consultant = await enrolled(hub, "王磊", "consultant")
        _, manager = await enrolled(hub, "张经理", "manager")
        office = await open_client(hub, manager, client_id="desk-mgr")
        desk = await open_client(hub, consultant, client_id="desk-wl")
        definition = {
            "name": "周末优惠对比",
            "policy_key": "weekend_discount",
            "hypothesis": "送车位比折扣更能促成签约",
            "share": "100",
            "starts_at": at(10, 0).isoformat(),
            "stops_at": at(30, 0).isoformat(),
            "allow_overlap": False,
            "variants": [{"name": "A", "policy": "9.5折"}, {"name": "B", "policy": "送车位"}],
        }
        refused = await desk.mutate("experiment.define", definition=definition)
        assert refused["code"] == "forbidden"
        one_variant = {**definition, "variants": definition["variants"][:1]}
        bad = await office.mutate("experiment.define", definition=one_variant)
        assert bad["code"] == "invalid" and "variants" in bad["message"]
        made = await office.mutate("experiment.define", definition=definition)
        experiment_id = made["result"]["experiment"]["experiment_id"]
        started = await office.mutate("experiment.start", experiment_id=experiment_id)
        assert started["result"]["experiment"]["state"] == "running"
        [offer] = (await desk.call("experiment.offers", customer_id=li))["result"]["offers"]
        assert offer["exposed"] and offer["policy"] in ("9.5折", "送车位")
        exposed = await desk.mutate("experiment.expose", experiment_id=experiment_id, customer_id=li)
        assert exposed["result"]["assignment"]["variant_name"] == offer["variant_name"]
        sign = {"customer_id": li, "unit": "3-1-1202", "amount": "2860000", "at": at(12, 15).isoformat()}
        clock.set(at(13, 9))
        deal = await desk.mutate("deal.record", stage="signing", consultant_name="王磊", **sign)
        assert deal["type"] == "result", deal
        comparison = (await office.call("experiment.compare", experiment_id=experiment_id))["result"]["comparison"]
        rows = {r["name"]: r for r in comparison["rows"]}
        assert rows[offer["variant_name"]]["exposures"] == 1 and rows[offer["variant_name"]]["conversions"] == 1
        assert comparison["verdict"]["kind"] == "not_enough"  # one customer: no verdict before the minimum sample
        listed = (await office.call("experiment.list"))["result"]["experiments"]
        assert [e["experiment_id"] for e in listed] == [experiment_id]
        for client in (office, desk):
            await client.close()
