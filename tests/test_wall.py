"""The lobby wall: figures, a scrolling masked alert stream, staleness, keys, and a live hub feeding it."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from datetime import timedelta

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox

from app.desk import HubAddress
from app.screenshots import NOW, sample_alerts, sample_leads
from app.wall import WallApp
from models.desk_state import ConnectionState, DeskChange
from models.leads import LeadIn
from sync.hub.alert_loop import AlertSweeper
from tests.hubkit import HubThread
from tests.test_desk_e2e import staff_token
from views.wall import WallWindow, today_figures


def test_figures_count_unanswered_leads_against_the_rate_once_past_five_minutes():
    rows = sample_leads()
    figures = today_figures(rows, NOW)
    assert figures.new_leads == 18 and figures.visits == 6  # every lead and visit today; 6 of them visits
    answered_fast = sum(
        1 for r in rows if r.first_follow_up_at and (r.first_follow_up_at - r.received_at) <= timedelta(minutes=5)
    )
    assert figures.answered_in_5 == answered_fast and figures.counted == 18
    fresh = replace(rows[0], lead_id=999, received_at=NOW - timedelta(minutes=2), first_follow_up_at=None)
    assert today_figures([*rows, fresh], NOW).counted == 18  # two minutes old: not yet counted


def test_the_stream_scrolls_smoothly_when_it_does_not_fit_and_never_shows_a_number(qtbot):
    wall = WallWindow(lambda: NOW)
    qtbot.addWidget(wall)
    wall.resize(1280, 600)
    many = [replace(a, alert_id=a.alert_id + 10 * k) for k in range(6) for a in sample_alerts()]
    wall.apply(DeskChange(reset=True, leads=sample_leads(), alerts=many, connection=ConnectionState(True, NOW, 0)))
    wall.show()
    qtbot.waitExposed(wall)
    assert [a.level for a in wall.ticker.rows()][:12] == ["red"] * 12
    start = wall.ticker._offset
    qtbot.waitUntil(lambda: wall.ticker._offset > start + 5, timeout=3000)
    assert wall.rate.value.text().endswith("%")
    shown = " ".join(a.suggestion for a in wall.ticker.rows())
    assert not re.search(r"1\d{10}", shown)  # names masked, no mobile on the wall
    wall.apply(DeskChange(alerts=[replace(many[0], state="resolved")]))
    assert many[0].alert_id not in {a.alert_id for a in wall.ticker.rows()}


def test_the_wall_says_when_it_is_stale_and_handles_its_keys(qtbot, monkeypatch):
    wall = WallWindow(lambda: NOW)
    qtbot.addWidget(wall)
    wall.apply(DeskChange(connection=ConnectionState(False, NOW - timedelta(minutes=3), 0)))
    assert wall.stale.isVisibleTo(wall) and "10:27" in wall.stale.text()
    wall.apply(DeskChange(connection=ConnectionState(True, NOW, 0)))
    assert not wall.stale.isVisibleTo(wall)
    with qtbot.waitSignal(wall.leave_requested):
        qtbot.keyClick(wall, Qt.Key.Key_Escape)
    wall.show()
    qtbot.keyClick(wall, Qt.Key.Key_F11)
    assert wall.isFullScreen()
    qtbot.keyClick(wall, Qt.Key.Key_F11)
    assert not wall.isFullScreen()


def test_a_live_hub_feeds_the_wall_its_alerts(qtbot, tmp_path, registry, clock, monkeypatch):
    hub = HubThread(registry)
    running = hub.start()
    try:
        wang, _ = staff_token(registry, "王磊", "consultant")
        _, token = staff_token(registry, "大屏", "wall")
        hub.call(running.hub.floor.set_status, wang, "on_duty", "test")
        lead = LeadIn("douyin", "m1", "douyin", "online_lead", clock.now(), "李敏", [("mobile", "13812345678")])
        hub.call(running.hub.floor.intake, [lead], "test")
        app = WallApp(QSettings(str(tmp_path / "wall.ini"), QSettings.Format.IniFormat), tmp_path, clock)
        qtbot.addWidget(app.window)
        app.start(HubAddress(running.http_url, running.ws_url), token)
        qtbot.waitUntil(lambda: app.window.new_leads.value.text() == "1", timeout=10000)
        clock.advance(hours=49)
        asyncio.run_coroutine_threadsafe(AlertSweeper(running.hub).run_once(), hub.loop).result(10)
        qtbot.waitUntil(lambda: len(app.window.ticker.rows()) == 1, timeout=10000)
        [alert] = app.window.ticker.rows()
        assert alert.level == "red" and alert.suggestion.startswith("李*客户") and "13812345678" not in alert.suggestion
        monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
        app.confirm_leave()
        assert app.window.isVisible()
        monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
        app.confirm_leave()
        assert not app.window.isVisible()
        app.stop()
    finally:
        hub.stop()
