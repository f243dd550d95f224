"""Privacy sweep: a busy office, then every screen of every role, the wall, WeCom messages, e-mails,
exports and the logs are searched for a full mobile number or ID number. None may show: screens,
messages and files carry masked values only (full numbers only through an audited reveal)."""

from __future__ import annotations

import email
import email.policy
import json
import logging
import re
import socket
import threading
import zipfile
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from aiosmtpd.controller import Controller
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QComboBox, QLabel, QTextEdit, QWidget

from app.office import SHOWN, DemoOffice
from app.report_job import queue_daily_report
from models.clock import BUSINESS_TZ, ScaledClock
from sync.hub.config import ReportSettings
from sync.notify.email import EmailSender, SmtpSettings
from views.export import exporter_of

MOBILE = re.compile(r"(?<!\d)1\d{10}(?!\d)")
ID_NUMBER = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
FACTOR = 240


def leaks(text: str) -> list[str]:
    """Full mobiles and ID numbers in a text."""
    return MOBILE.findall(text) + ID_NUMBER.findall(text)


def screen_text(root: QWidget) -> str:
    """Everything a person can read on a window: labels, buttons, lists, tables, documents, titles."""
    parts = [root.windowTitle()]
    for w in [root, *root.findChildren(QWidget)]:
        if isinstance(w, QLabel | QAbstractButton):
            parts.append(w.text())
        elif isinstance(w, QTextEdit):
            parts.append(w.toPlainText())
        elif isinstance(w, QComboBox):
            parts += [w.itemText(i) for i in range(w.count())]
        if isinstance(w, QAbstractItemView) and w.model() is not None:
            model = w.model()
            root_index = w.rootIndex()
            try:
                columns = model.columnCount(root_index)
            except TypeError:  # a list model (one column) hides its columnCount
                columns = 1
            for r in range(model.rowCount(root_index)):
                for c in range(columns):
                    index = model.index(r, c, root_index)
                    parts += [str(index.data() or ""), str(index.data(3) or "")]  # display, tooltip
        parts.append(w.toolTip())
    return "\n".join(parts)


class WeComStandIn(BaseHTTPRequestHandler):
    """Keeps every robot message (the real WeCom API is unreachable from tests)."""

    bodies: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        """Store the body, answer like WeCom."""
        self.bodies.append(self.rfile.read(int(self.headers["Content-Length"])).decode())
        answer = b'{"errcode": 0, "errmsg": "ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args) -> None:
        """Quiet."""


class Inbox:
    """aiosmtpd handler keeping messages."""

    def __init__(self) -> None:
        """Empty."""
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        """Keep it."""
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def wecom():
    WeComStandIn.bodies = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), WeComStandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=k", WeComStandIn.bodies
    server.shutdown()


@pytest.fixture
def inbox():
    box = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    box.port = port
    yield box
    controller.stop()


def test_no_screen_message_file_or_log_shows_a_full_number(qtbot, qapp, tmp_path, wecom, inbox, caplog):
    caplog.set_level(logging.DEBUG)
    robot_url, robot_bodies = wecom
    today = datetime.now(BUSINESS_TZ).date()
    clock = ScaledClock(datetime.combine(today, datetime.min.time()).replace(hour=9, tzinfo=BUSINESS_TZ), FACTOR)
    smtp = SmtpSettings("127.0.0.1", inbox.port, "none", sender="r@office.example", recipients=("boss@x.example",))
    office = DemoOffice(
        tmp_path / "office",
        clock,
        leads=80,
        minutes=40,
        speed=FACTOR,
        mode="auto",
        seed=3,
        hub_settings={"wecom_robots": {"default": robot_url}, "smtp": smtp},
    )
    running = office.start_hub()
    try:
        office.open_screens(qapp)
        office.start_world()
        qtbot.waitUntil(office.world.traffic_done, timeout=60_000)
        qtbot.waitUntil(lambda: len(robot_bodies) > 0, timeout=30_000)  # yellow alerts reached a robot
        consultant = office.desks[SHOWN[0]].window
        qtbot.waitUntil(lambda: consultant.workbench.model.rowCount() > 0, timeout=20_000)
        consultant.workbench.table.selectRow(0)  # opens the customer card (the hub's masked detail)
        qtbot.waitUntil(lambda: "****" in screen_text(consultant.workbench), timeout=20_000)
        manager = office.desks["张经理"].window
        manager.tabs.setCurrentWidget(manager.dashboard)
        manager.dashboard.request()
        path = tmp_path / "leads.csv"
        exporter = exporter_of(manager.manager.table)
        exporter.export_to(str(path))
        qtbot.waitUntil(path.exists, timeout=20_000)
        xlsx = tmp_path / "leads.xlsx"
        exporter.export_to(str(xlsx))
        qtbot.waitUntil(xlsx.exists, timeout=20_000)
        registry = running.hub.registry
        today = clock.now().astimezone(BUSINESS_TZ).date()
        queue_daily_report(registry, today, smtp.recipients, ReportSettings(consultants={SHOWN[0]: "wl@x.example"}))
        office.hub_loop.run(EmailSender(registry, smtp).deliver_due()).result(60)
        qtbot.waitUntil(lambda: len(inbox.messages) >= 2, timeout=20_000)

        findings: dict[str, list[str]] = {}
        for name, desk in office.desks.items():
            findings[f"screen {name}"] = leaks(screen_text(desk.window))
        findings["wall"] = leaks(screen_text(office.wall.window))
        findings["wecom"] = leaks("\n".join(json.loads(b)["text"]["content"] for b in robot_bodies))
        mails = []
        for msg in inbox.messages:
            mails += [part.get_content() for part in msg.walk() if part.get_content_type().startswith("text/")]
        findings["email"] = leaks("\n".join(mails))
        findings["csv export"] = leaks(path.read_text(encoding="utf-8-sig"))
        with zipfile.ZipFile(xlsx) as zf:
            findings["xlsx export"] = leaks(" ".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist()))
        findings["logs"] = leaks(caplog.text)
        assert {k: v for k, v in findings.items() if v} == {}
        assert len(mails) >= 2 and any("****" in screen_text(d.window) for d in office.desks.values())
    finally:
        office.stop()
