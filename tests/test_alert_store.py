"""Alerts in the database on SQLite and PostgreSQL: open once, survive restarts, resolve on follow-up."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import sqlalchemy as sa

from models.alert_store import acknowledge, resolve_for_follow_up, sweep
from models.alerts import AlertRules
from models.db import write_transaction
from models.floor import Floor
from models.hub_schema import alerts, notifications
from models.leads import LeadIn
from models.registry import CustomerRegistry
from models.staff import add_staff
from models.suggestions import load_suggestions

ALL_ON = AlertRules(red=True, yellow=True, blue=True)


def setup_floor(registry, clock):
    """One consultant on duty and one assigned Douyin lead with a union id."""
    floor = Floor(registry)
    with write_transaction(registry.engine) as conn:
        wang = add_staff(conn, registry.vault, "王磊", "consultant", clock.now())[0]
    floor.set_status(wang.id, "on_duty", "test")
    lead = LeadIn(
        "douyin",
        "m1",
        "douyin",
        "online_lead",
        clock.now(),
        "李敏",
        [("mobile", "13812345678"), ("wx_union_id", "o6_union_1")],
    )
    change = floor.intake([lead], "test")
    return floor, wang, change.result["leads"][0]


def save_favourite_plan(floor, clock) -> None:
    """The customer saves the 128㎡ plan in the mini program a minute from now; two minutes pass."""
    body = {
        "message_id": "e1",
        "kind": "favourite_plan",
        "plan_id": "C-1203",
        "occurred_at": (clock.now() + timedelta(minutes=1)).isoformat(),
        "identifiers": {"wx_union_id": "o6_union_1"},
    }
    floor.behaviour("mini_program", body)
    clock.advance(minutes=2)


def run_sweep(registry, clock, rules=ALL_ON):
    with write_transaction(registry.engine) as conn:
        return sweep(conn, rules, load_suggestions(), clock.now())


def open_alerts(engine):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(alerts.c.rule, alerts.c.state).order_by(alerts.c.id))]


def test_red_opens_once_after_48_hours_and_survives_a_restart(registry, clock, engine, vault, rules):
    _floor, wang, _lead = setup_floor(registry, clock)
    clock.advance(hours=48)
    assert run_sweep(registry, clock) == []
    clock.advance(seconds=1)
    [opened] = run_sweep(registry, clock)
    assert opened.type == "alert.opened" and opened.staff_id == wang.id
    assert opened.payload["suggestion"].startswith("李*客户-48小时未跟进")
    assert run_sweep(registry, clock) == []  # one open alert per customer and rule
    restarted = CustomerRegistry(engine, vault, rules, clock)  # a new hub process reads the same state
    assert run_sweep(restarted, clock) == []
    assert open_alerts(engine) == [("no_follow_up", "open")]


def test_a_follow_up_by_the_owner_resolves_and_acknowledgement_is_logged(registry, clock):
    floor, wang, lead = setup_floor(registry, clock)
    clock.advance(hours=49)
    [opened] = run_sweep(registry, clock)
    with write_transaction(registry.engine) as conn:
        [ack] = acknowledge(conn, opened.payload["alert_id"], "王磊", clock.now())
    assert ack.payload["state"] == "acknowledged" and ack.payload["by"] == "王磊"
    change = floor.log_follow_up(wang, lead["lead_id"], "call")  # the follow-up closes the customer's alerts
    [done] = [e for e in change.events if e.type == "alert.updated"]
    assert done.payload["state"] == "resolved" and done.payload["by"] == "王磊"
    with write_transaction(registry.engine) as conn:
        assert resolve_for_follow_up(conn, lead["customer_id"], "王磊", clock.now()) == []
    assert run_sweep(registry, clock) == []
    assert open_alerts(registry.engine) == [("no_follow_up", "resolved")]


def test_price_dwell_opens_yellow_and_queues_wecom_with_masked_data_only(registry, clock):
    floor, wang, _lead = setup_floor(registry, clock)
    view = {
        "message_id": "e1",
        "kind": "page_view",
        "page_path": "/pages/price/index",
        "dwell_s": 150,
        "occurred_at": clock.now().isoformat(),
        "identifiers": {"wx_union_id": "o6_union_1"},
    }
    floor.behaviour("mini_program", view)
    assert run_sweep(registry, clock, replace(ALL_ON, yellow=False)) == []
    [opened] = run_sweep(registry, clock)
    assert opened.payload["level"] == "yellow" and "首付分期" in opened.payload["suggestion"]
    with registry.engine.connect() as conn:
        [note] = conn.execute(sa.select(notifications)).all()
    assert note.state == "queued" and note.payload["owner_id"] == wang.id
    assert "13812345678" not in str(note.payload) and "李敏" not in str(note.payload)


def test_switching_a_level_off_resolves_its_open_alerts(registry, clock):
    floor, _wang, _lead = setup_floor(registry, clock)
    save_favourite_plan(floor, clock)
    [opened] = run_sweep(registry, clock)
    assert opened.payload["suggestion"] == "李*客户-收藏128㎡三居户型-建议发送户型详细资料与一房一价"
    [closed] = run_sweep(registry, clock, replace(ALL_ON, blue=False))
    assert closed.payload["state"] == "resolved"


def test_each_level_is_delivered_its_own_way(registry, clock):
    """Red: an event for the owner's popup; yellow: a queued WeCom message; blue: report only (no message)."""
    floor, wang, _lead = setup_floor(registry, clock)
    save_favourite_plan(floor, clock)
    [blue] = run_sweep(registry, clock)
    assert blue.payload["level"] == "blue"
    with registry.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(notifications)).scalar_one() == 0
    clock.advance(hours=49)
    [red] = run_sweep(registry, clock)
    assert red.payload["level"] == "red" and red.staff_id == wang.id
    with registry.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(notifications)).scalar_one() == 0
