"""End to end in one process tree: a real hub on port 0 and two desk clients with their windows."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from datetime import datetime

import pytest
from PySide6.QtCore import QSettings, Qt

from app.desk import DeskApp, HubAddress
from models.clock import BUSINESS_TZ
from models.db import write_transaction
from models.leads import LeadIn
from models.staff import add_staff, enroll
from sync.hub.alert_loop import AlertSweeper
from sync.hub.signatures import douyin_signature
from tests.hubkit import SECRETS, HubThread
from views.lead_model import LEAD_ROLE


def staff_token(registry, name: str, role: str) -> tuple[int, str]:
    """A person and a bearer token, straight from the store."""
    with write_transaction(registry.engine) as conn:
        member, code = add_staff(conn, registry.vault, name, role, registry.clock.now())
        return member.id, enroll(conn, code, "pc", registry.clock.now())[1]


def post_douyin(hub, msg_id: str, phone: str) -> dict:
    """A signed Douyin lead to the hub's webhook."""
    content = {"clue_id": msg_id, "telephone": phone, "name": "李敏"}
    raw = json.dumps({"event": "clue.create", "content": content}, ensure_ascii=False).encode()
    headers = {"Msg-Id": msg_id, "X-Douyin-Signature": douyin_signature(SECRETS["douyin"], raw)}
    req = urllib.request.Request(hub.http_url + "/webhooks/douyin", raw, headers, method="POST")
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


@pytest.fixture
def floor_hub(registry):
    """The hub in its own thread; stopped afterwards."""
    hub = HubThread(registry)
    hub.start()
    yield hub
    hub.stop()


def open_desk(qtbot, tmp_path, hub, token: str, name: str) -> DeskApp:
    """A desk client signed in with a token, its window shown."""
    folder = tmp_path / name
    folder.mkdir()
    desk = DeskApp(QSettings(str(folder / "desk.ini"), QSettings.Format.IniFormat), folder)
    qtbot.addWidget(desk.window)
    desk.start_engine(HubAddress(hub.running.http_url, hub.running.ws_url), token)
    return desk


def my_lead_ids(desk: DeskApp) -> set[int]:
    model = desk.window.workbench.model
    return {model.row_at(i).lead_id for i in range(model.rowCount())}


def test_a_webhook_lead_appears_in_the_chosen_consultants_queue(qtbot, tmp_path, registry, floor_hub):
    wang, wang_token = staff_token(registry, "王磊", "consultant")
    li, li_token = staff_token(registry, "李敏", "consultant")
    for person in (wang, li):
        floor_hub.call(floor_hub.running.hub.floor.set_status, person, "on_duty", "test")
    desks = [open_desk(qtbot, tmp_path, floor_hub, t, n) for t, n in ((wang_token, "wang"), (li_token, "li"))]
    try:
        for desk in desks:
            qtbot.waitUntil(lambda d=desk: d.window.connection.text() == "Online", timeout=10000)
        answer = post_douyin(floor_hub.running, "m-1", "13812345678")
        qtbot.waitUntil(lambda: answer["lead_id"] in my_lead_ids(desks[0]) | my_lead_ids(desks[1]), timeout=10000)
        owner = 0 if answer["lead_id"] in my_lead_ids(desks[0]) else 1
        assert answer["lead_id"] not in my_lead_ids(desks[1 - owner])
        row = desks[owner].window.workbench.model.row_at(0)
        assert row.mobile_masked == "138****5678" and row.channel == "douyin"
    finally:
        for desk in desks:
            desk.stop()


def test_weekend_both_see_the_grab_popup_one_claims_the_other_sees_who(qtbot, tmp_path, registry, floor_hub, clock):
    clock.set(datetime(2026, 11, 21, 10, 0, tzinfo=BUSINESS_TZ))  # Saturday: the grab pool
    wang, wang_token = staff_token(registry, "王磊", "consultant")
    li, li_token = staff_token(registry, "李敏", "consultant")
    for person in (wang, li):
        floor_hub.call(floor_hub.running.hub.floor.set_status, person, "on_duty", "test")
    desks = [open_desk(qtbot, tmp_path, floor_hub, t, n) for t, n in ((wang_token, "wang"), (li_token, "li"))]
    try:
        for desk in desks:
            qtbot.waitUntil(lambda d=desk: d.window.connection.text() == "Online", timeout=10000)
        post_douyin(floor_hub.running, "m-2", "13912345678")
        for desk in desks:
            qtbot.waitUntil(lambda d=desk: d.window.grab_popup.isVisible(), timeout=10000)
        qtbot.mouseClick(desks[1].window.grab_popup.button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: desks[1].window.grab_popup.button.text() == "Got it!", timeout=10000)
        qtbot.waitUntil(lambda: desks[0].window.grab_popup.button.text() == "Taken by 李敏", timeout=10000)
        qtbot.waitUntil(lambda: len(my_lead_ids(desks[1])) == 1, timeout=10000)
        lead = desks[1].window.workbench.model.index(0, 0).data(LEAD_ROLE)
        assert lead.consultant_id == li and my_lead_ids(desks[0]) == set()
    finally:
        for desk in desks:
            desk.stop()


def test_a_red_alert_forces_a_popup_until_the_owner_acknowledges(qtbot, tmp_path, registry, floor_hub, clock):
    wang, token = staff_token(registry, "王磊", "consultant")
    floor_hub.call(floor_hub.running.hub.floor.set_status, wang, "on_duty", "test")
    lead = LeadIn("douyin", "m1", "douyin", "online_lead", clock.now(), "李敏", [("mobile", "13812345678")])
    floor_hub.call(floor_hub.running.hub.floor.intake, [lead], "test")
    desk = open_desk(qtbot, tmp_path, floor_hub, token, "wang")
    try:
        qtbot.waitUntil(lambda: desk.window.connection.text() == "Online", timeout=10000)
        clock.advance(hours=49)
        asyncio.run_coroutine_threadsafe(AlertSweeper(floor_hub.running.hub).run_once(), floor_hub.loop).result(10)
        red = desk.window.red
        qtbot.waitUntil(red.isVisible, timeout=10000)
        assert red.isModal() and red.list.count() == 1 and "李*客户" in red.list.item(0).text()
        red.close()
        assert red.isVisible()  # only acknowledgement closes it
        qtbot.mouseClick(red.button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not red.isVisible(), timeout=10000)
    finally:
        desk.stop()
