"""`salesfloor office` (what `make run` starts): the whole sales office on one machine.

A hub on an embedded SQLite database of its own (a few days of history already in it), simulated
channels posting real signed webhooks at a pace a viewer can follow, and every screen: reception, two
consultant workbenches, the manager's desk with the dashboard, the lobby wall and a control window.
Closing the control window closes everything. The office's data never mixes with a real office's:
it lives in `<data dir>/office-demo/`, made afresh on each start, with a key of its own.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import shutil
import sys
import threading
from concurrent.futures import Future
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from app.desk import DeskApp, HubAddress, start_qt
from app.office_sim import OfficeWorld
from app.wall import WallApp
from models.clock import BUSINESS_TZ, Clock, FakeClock, SystemClock
from models.db import open_database, sqlite_url, write_transaction
from models.dispatch import OfficeCalendar
from models.floor import Floor
from models.office_figures import assigned_to, office_figures
from models.office_traffic import office_traffic, response_delay_s
from models.privacy import Vault
from models.registry import CustomerRegistry
from models.rules import ProjectRules, load_rules
from models.staff import add_staff, enroll, list_staff, set_status
from models.synthetic import generate_leads
from sync.hub.config import HubConfig
from sync.hub.server import RunningHub, start_hub

log = logging.getLogger("salesfloor.office")
SECRETS = {s: f"demo-{s}-secret" for s in ("douyin", "anjuke", "xiaohongshu", "mini_program", "generic")}
CONSULTANTS = ("王磊", "李敏", "陈晨", "赵雪", "刘洋", "孙悦")
SHOWN = ("王磊", "李敏")
PEOPLE = (("小周", "reception"), *((n, "consultant") for n in CONSULTANTS), ("张经理", "manager"), ("大屏", "wall"))
EVERY_DAY = frozenset(range(1, 8))


def calendar_for(mode: str) -> OfficeCalendar:
    """A calendar that runs one mode all week: 'auto' (idle consultant) or 'grab' (grab pool)."""
    return OfficeCalendar(auto_assign_weekdays=EVERY_DAY if mode == "auto" else frozenset())


@dataclass(frozen=True)
class Staffer:
    """One person of the demo office and the token their screen signs in with."""

    id: int
    name: str
    role: str
    token: str


class HubLoop:
    """The hub on an event loop of its own thread (the GUI thread never waits for it)."""

    def __init__(self) -> None:
        """A loop thread, not started."""
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="office-hub", daemon=True)
        self.running: RunningHub | None = None

    def start(self, registry: CustomerRegistry, config: HubConfig) -> RunningHub:
        """Start the loop and the hub; returns once it listens."""
        self.thread.start()
        self.running = self.run(start_hub(registry, config, timers=True)).result(60)
        return self.running

    def run(self, coro) -> Future:
        """Schedule a coroutine on the hub's loop."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def stop(self) -> None:
        """Stop the hub and the loop."""
        if self.running is not None:
            self.run(self.running.stop()).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def _people(registry: CustomerRegistry, now: datetime) -> dict[str, Staffer]:
    """Everyone of the office, enrolled (their tokens go straight to their screens: no keyring here)."""
    out = {}
    with write_transaction(registry.engine) as conn:
        for name, role in PEOPLE:
            member, code = add_staff(conn, registry.vault, name, role, now)
            _, token = enroll(conn, code, "demo", now)
            if role == "consultant":
                set_status(conn, member.id, "on_duty", now)
            out[name] = Staffer(member.id, name, role, token)
    return out


def seed_history(registry: CustomerRegistry, now: datetime, days: int = 4, per_day: int = 50, seed: int = 5) -> None:
    """A few past days through the real floor (dispatch and follow-ups), so charts and the wall have a past;
    two leads were never called back, so red alerts are waiting."""
    rng = random.Random(seed)
    clock = FakeClock(now)
    floor = Floor(CustomerRegistry(registry.engine, registry.vault, registry.rules, clock), clock)
    with registry.engine.connect() as conn:
        staff = {m.id: m for m in list_staff(conn) if m.role.value == "consultant"}
    never = 0
    for back in range(days, 0, -1):
        opening = datetime.combine((now - timedelta(days=back)).astimezone(BUSINESS_TZ).date(), datetime.min.time())
        start = opening.replace(hour=9, tzinfo=BUSINESS_TZ)
        for item in generate_leads(per_day, seed + back, start, days=0.5):
            clock.set(item.lead.occurred_at)
            lead_id = floor.intake([item.lead], "history").result["leads"][0]["lead_id"]
            owner = staff.get(assigned_to(registry.engine, lead_id))
            if owner is None:
                continue
            delay = response_delay_s(rng)
            if delay is None and (never >= 2 or back < 3):
                delay = rng.uniform(600, 3600)
            if delay is None:
                never += 1
                continue
            clock.set(item.lead.occurred_at + timedelta(seconds=delay))
            floor.log_follow_up(owner, lead_id, "call", "电话沟通")
            if back >= 2:  # a diligent office calls back within two days: red alerts stay the exception
                clock.set(max(clock.now() + timedelta(hours=1), now - timedelta(hours=rng.uniform(2, 40))))
                floor.log_follow_up(owner, lead_id, "wechat", "回访")


class FiguresBridge(QObject):
    """Carries the hub thread's figures to the control window."""

    figures = Signal(object)
    """A dict of counters (see OfficePanel.FIGURES)."""


class DemoOffice:
    """The hub, the simulated world and the screens of one demo office."""

    def __init__(
        self,
        folder: Path,
        clock: Clock | None = None,
        leads: int = 240,
        minutes: float = 60.0,
        speed: float = 1.0,
        mode: str | None = None,
        seed: int = 20261126,
        hub_settings: dict | None = None,
    ):
        """`leads` arrive over `minutes` of office time; `speed` > 1 runs office time faster (tests);
        `hub_settings` add to the hub's configuration (e.g. a WeCom robot, an SMTP server)."""
        self.folder = folder
        self.clock = clock or SystemClock()
        self.leads, self.minutes, self.speed, self.seed = leads, minutes, speed, seed
        self.rules: ProjectRules = load_rules()
        self.mode = mode or self.rules.calendar.mode(self.clock.now()).value
        self.hub_loop = HubLoop()
        self.desks: dict[str, DeskApp] = {}
        self.wall: WallApp | None = None
        self.world: OfficeWorld | None = None
        self.staff: dict[str, Staffer] = {}
        self.bridge = FiguresBridge()
        self.hub_settings = hub_settings or {}

    # --- start / stop ---------------------------------------------------------------------------------

    def start_hub(self) -> RunningHub:
        """A fresh database with people and history, then the hub listening on free ports."""
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True)
        engine = open_database(sqlite_url(self.folder / "hub.db"))
        alerts = replace(self.rules.alerts, red=True, yellow=True, blue=True)  # the demo shows all three levels
        rules = replace(self.rules, calendar=calendar_for("auto"), alerts=alerts)  # history: every day auto
        registry = CustomerRegistry(engine, Vault(Vault.generate_key()), rules, self.clock)
        self.staff = _people(registry, self.clock.now())
        seed_history(registry, self.clock.now())
        registry.rules = replace(rules, calendar=calendar_for(self.mode))
        config = HubConfig(ws_port=0, http_port=0, secrets=SECRETS, alert_sweep_s=5.0, **self.hub_settings)
        running = self.hub_loop.start(registry, config)
        running.hub.floor.rules = registry.rules
        return running

    def open_screens(self, app: QApplication) -> list[QWidget]:
        """Reception, two consultants, the manager and the wall, signed in and syncing."""
        running = self.hub_loop.running
        address = HubAddress(running.http_url, running.ws_url)
        for key in ("小周", *SHOWN, "张经理"):
            folder = self.folder / f"desk-{self.staff[key].id}"
            folder.mkdir()
            desk = DeskApp(QSettings(str(folder / "desk.ini"), QSettings.Format.IniFormat), folder)
            desk.start_engine(address, self.staff[key].token)
            desk.window.setWindowTitle(f"{desk.window.windowTitle()} — {key}")
            self.desks[key] = desk
        folder = self.folder / "wall"
        folder.mkdir()
        self.wall = WallApp(QSettings(str(folder / "wall.ini"), QSettings.Format.IniFormat), folder, self.clock)
        self.wall.start(address, self.staff["大屏"].token)
        self.wall.window.showNormal()  # F11 for full screen
        _tile([*(d.window for d in self.desks.values()), self.wall.window], app)
        return [*(d.window for d in self.desks.values()), self.wall.window]

    def start_world(self) -> None:
        """Channels start posting, visitors arrive, consultants work."""
        reception = self.desks["小周"]
        arrivals = office_traffic(self.leads, self.seed, self.clock.now(), self.minutes * 60)
        self.world = OfficeWorld(
            self.hub_loop.running,
            SECRETS,
            self.clock,
            arrivals,
            lambda fields: reception.engine.submit("visit.register", fields),
            self.speed,
            self.seed,
        )
        self.hub_loop.loop.call_soon_threadsafe(self.world.start)

    def set_mode(self, mode: str) -> None:
        """Weekday (idle consultant) or weekend (grab pool) dispatch from the next lead on."""
        self.mode = mode
        floor = self.hub_loop.running.hub.floor
        floor.rules = replace(floor.rules, calendar=calendar_for(mode))

    def request_figures(self) -> None:
        """Ask the hub thread for the counters; they arrive through `bridge.figures`."""
        if self.hub_loop.running is None or self.world is None:
            return
        hub, world = self.hub_loop.running.hub, self.world

        def compute() -> dict:
            with hub.registry.engine.connect() as conn:
                figures = office_figures(conn, self.clock.now())
            return figures | {
                "posted": world.figures.posted,
                "visits": world.figures.visits,
                "behaviour": world.figures.behaviour,
                "errors": list(world.figures.errors),
            }

        async def go() -> None:
            self.bridge.figures.emit(await hub.db(compute))

        self.hub_loop.run(go())

    def stop(self) -> None:
        """Stop the world, the screens' engines and the hub."""
        if self.world is not None:
            self.hub_loop.run(self.world.stop()).result(10)
        for desk in self.desks.values():
            desk.stop()
        if self.wall is not None:
            self.wall.stop()
        self.hub_loop.stop()
        self.hub_loop.running.hub.registry.engine.dispose()


def _tile(windows: list[QWidget], app: QApplication) -> None:
    """Three across, two down, on the primary screen; the control window goes in the last cell."""
    screen = app.primaryScreen().availableGeometry()
    w, h = max(screen.width() // 3, 960), max(screen.height() // 2, 640)  # small screens: they overlap
    for i, window in enumerate(windows):
        window.resize(w - 8, h - 40)
        window.move(screen.x() + (i % 3) * w, screen.y() + (i // 3) * h)


def headless() -> bool:
    """No screen to show windows on: a Linux session without X11 or Wayland, or an offscreen Qt."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return os.environ["QT_QPA_PLATFORM"] == "offscreen"
    return sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def save_screens(widgets: dict[str, QWidget], folder: Path) -> list[Path]:
    """A PNG of each window (what a headless run leaves to look at)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, widget in widgets.items():
        path = folder / f"{name}.png"
        widget.grab().save(str(path))
        out.append(path)
    return out


def run_office(
    data_dir: Path, lang: str | None = None, leads: int = 240, minutes: float = 60.0, mode=None, seconds: float = 90.0
) -> int:
    """Start the whole office and show every screen until the control window closes.

    Without a screen it runs headless for `seconds`, then leaves a PNG of every window and stops.
    """
    from views.office_panel import OfficePanel

    offscreen = headless()
    if offscreen:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    app = start_qt(lang)
    office = DemoOffice(data_dir / "office-demo", leads=leads, minutes=minutes, mode=mode)
    print(f"案场销管台 · 演示案场：数据目录 {office.folder}", flush=True)
    running = office.start_hub()
    print(f"hub: websocket {running.ws_url}  http {running.http_url}", flush=True)
    windows = office.open_screens(app)
    labels = [(key, key) for key in office.desks] + [("大屏", "大屏")]
    panel = OfficePanel(labels, office.mode)
    panel.mode_requested.connect(office.set_mode)
    by_key = {**{k: d.window for k, d in office.desks.items()}, "大屏": office.wall.window}
    panel.raise_requested.connect(lambda key: (by_key[key].showNormal(), by_key[key].raise_()))
    panel.closing.connect(lambda: app.exit(0))  # exit, not quit: a red alert popup may refuse to close
    office.bridge.figures.connect(panel.show_figures)
    _tile([*windows, panel], app)
    panel.show()
    office.start_world()
    timer = QTimer(panel)
    timer.timeout.connect(office.request_figures)
    timer.start(2000)
    app.setQuitOnLastWindowClosed(False)
    if offscreen:
        print(f"没有可用的显示器：无界面运行 {seconds:.0f} 秒，然后把每个窗口截图保存到 {office.folder / 'screens'}")

        def leave() -> None:
            for path in save_screens({**by_key, "控制台": panel}, office.folder / "screens"):
                print(f"  {path}", flush=True)
            app.exit(0)

        QTimer.singleShot(int(seconds * 1000), leave)
    try:
        return app.exec()
    finally:
        office.stop()
