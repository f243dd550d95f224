"""`make run`'s office, headless, for a simulated hour: leads merged, dispatched, answered, on the wall."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.office import SHOWN, DemoOffice
from models.clock import BUSINESS_TZ, ScaledClock
from models.hub_schema import follow_ups, lead_dispatch
from models.schema import leads

FACTOR = 240  # a simulated hour in 15 seconds


def test_the_demo_office_runs_a_simulated_hour(qtbot, qapp, tmp_path):
    morning = datetime.combine(datetime.now(BUSINESS_TZ).date(), datetime.min.time()).replace(
        hour=9, tzinfo=BUSINESS_TZ
    )
    clock = ScaledClock(morning, FACTOR)
    office = DemoOffice(tmp_path / "office", clock, leads=60, minutes=60, speed=FACTOR, mode="auto", seed=11)
    running = office.start_hub()
    try:
        office.open_screens(qapp)
        office.start_world()
        qtbot.waitUntil(office.world.traffic_done, timeout=60_000)
        assert office.world.figures.errors == []
        engine = running.hub.registry.engine
        started = office.world.started_at

        def live(conn, what):
            return conn.execute(what).scalar_one()

        def answered_enough() -> bool:
            with engine.connect() as conn:
                done = live(
                    conn, sa.select(sa.func.count()).select_from(follow_ups).where(follow_ups.c.logged_at >= started)
                )
            return done >= 30

        qtbot.waitUntil(answered_enough, timeout=60_000)
        with engine.connect() as conn:
            new = sa.select(sa.func.count()).select_from(leads).where(leads.c.received_at >= started)
            n_new = live(conn, new)
            customers_new = live(
                conn, sa.select(sa.func.count(sa.distinct(leads.c.customer_id))).where(leads.c.received_at >= started)
            )
            dispatched = live(
                conn,
                sa.select(sa.func.count())
                .select_from(lead_dispatch)
                .where(lead_dispatch.c.created_at >= started, lead_dispatch.c.consultant_id.is_not(None)),
            )
        figures = office.world.figures
        assert n_new == figures.posted + figures.visits == 60  # every channel lead and visit arrived once
        assert customers_new < n_new  # the same people came through several channels: merged
        assert dispatched > 0 and figures.answered >= 30
        assert figures.visits > 0 and figures.behaviour > 0

        wall = office.wall.window
        today = clock.now().astimezone(BUSINESS_TZ).date()
        with engine.connect() as conn:
            q = (
                sa.select(sa.func.count())
                .select_from(leads)
                .where(
                    leads.c.kind != "report",
                    leads.c.received_at >= datetime.combine(today, datetime.min.time(), BUSINESS_TZ),
                )
            )
            shown_should = live(conn, q)
        qtbot.waitUntil(lambda: wall.new_leads.value.text() == str(shown_should), timeout=20_000)
        assert wall.rate.value.text().endswith("%") and int(wall.visits.value.text()) > 0
        for name in SHOWN:  # each consultant's workbench shows their own queue
            desk = office.desks[name]
            qtbot.waitUntil(lambda d=desk: d.window.workbench.model.rowCount() > 0, timeout=20_000)
    finally:
        office.stop()
    assert clock.now() - morning > timedelta(minutes=59)


def test_salesfloor_office_runs_headless_and_leaves_a_picture_of_every_window(tmp_path):
    """`make run` on a machine without a screen, in its own process as make starts it: the command runs,
    saves each window, stops cleanly."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    args = ["--data-dir", str(tmp_path), "office", "--seconds", "6", "--leads", "12", "--minutes", "0.05"]
    run = subprocess.run(
        [sys.executable, "-c", "from app.cli import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "无界面运行" in run.stdout  # it noticed there is no screen
    screens = tmp_path / "office-demo" / "screens"
    assert sorted(p.name for p in screens.glob("*.png")) == sorted(
        f"{n}.png" for n in ("小周", "王磊", "李敏", "张经理", "大屏", "控制台")
    )
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'office-demo' / 'hub.db'}")
    with engine.connect() as conn:
        live = conn.execute(sa.text("SELECT count(*) FROM leads WHERE source_message_id LIKE 'demo-%'")).scalar()
    engine.dispose()
    assert live > 0  # the simulated channels' leads reached the hub
