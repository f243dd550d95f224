"""`salesfloor desk`: the desktop client. Wires the window's intents to the sync engine and the
engine's change sets back to the window through queued signals; the GUI thread never waits."""

from __future__ import annotations

import json
import os
import socket
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer, QUrl, Signal
from PySide6.QtNetwork import QNetworkAccessManager, QNetworkReply, QNetworkRequest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.credentials import CredentialStoreError, load_token, save_token
from app.i18n import install_translator
from models.clock import SystemClock
from models.quick_replies import load_quick_replies
from sync.client.engine import ClientSettings, SyncEngine
from views.desk_window import DeskWindow
from views.enroll_dialog import EnrollDialog

SMOKE_ENV = "SALESFLOOR_SMOKE"  # =1: open the main window with no hub and no keyring, quit after it painted
SMOKE_TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class HubAddress:
    """Where the hub is: its HTTP base (enrollment) and its websocket URL."""

    http: str
    ws: str


def ws_url_for(http: str, ws_port: int, tls: bool) -> str:
    """The websocket URL next to a hub's HTTP address."""
    host = urlsplit(http if "://" in http else f"http://{http}").hostname or "127.0.0.1"
    if ":" in host:  # an IPv6 address goes in brackets
        host = f"[{host}]"
    return f"{'wss' if tls else 'ws'}://{host}:{ws_port}/"


class EngineBridge(QObject):
    """Carries engine callbacks (any thread) into the GUI thread as queued signals."""

    changed = Signal(object)
    """A DeskChange from the sync engine."""
    answered = Signal(str, object)
    """(query type, result dict) for a read the window asked for."""


class Enrollment(QObject):
    """Exchanges an enrollment code for a token over HTTP without blocking the GUI thread."""

    done = Signal(str, str, object)
    """(hub http base, token, enrollment answer) on success."""
    failed = Signal(str)
    """Why enrollment failed, in words."""

    def __init__(self, parent: QObject | None = None):
        """One network manager for the exchange."""
        super().__init__(parent)
        self._net = QNetworkAccessManager(self)

    def start(self, hub: str, code: str, device: str) -> None:
        """POST the code to the hub's /enroll."""
        base = hub if "://" in hub else f"http://{hub}"
        request = QNetworkRequest(QUrl(base.rstrip("/") + "/enroll"))
        request.setHeader(QNetworkRequest.KnownHeaders.ContentTypeHeader, "application/json")
        body = json.dumps({"code": code, "device": device}, ensure_ascii=False).encode()
        reply = self._net.post(request, body)
        reply.finished.connect(lambda: self._finished(base, reply))

    def _finished(self, base: str, reply: QNetworkReply) -> None:
        raw = bytes(reply.readAll().data())
        try:
            answer = json.loads(raw or b"{}")
        except ValueError:
            answer = {}
        if reply.error() == QNetworkReply.NetworkError.NoError and "token" in answer:
            self.done.emit(base, answer["token"], answer)
        elif answer.get("error"):
            self.failed.emit(answer["error"])
        else:
            self.failed.emit(reply.errorString())
        reply.deleteLater()


class DeskApp(QObject):
    """The running client: window, engine and the wiring between them."""

    def __init__(self, settings: QSettings, data_dir: Path):
        """Remember where state lives; nothing starts before `start`."""
        super().__init__()
        self.settings = settings
        self.data_dir = data_dir
        self.clock = SystemClock()
        self.bridge = EngineBridge()
        self.engine: SyncEngine | None = None
        self.window = DeskWindow(self.clock.now, load_quick_replies(data_dir / "quick_replies.toml"), settings)
        self.bridge.changed.connect(self.window.apply)
        self.bridge.answered.connect(self._answered)
        self.window.mutation_requested.connect(self._submit)
        self.window.claim_requested.connect(self._claim)
        self.window.query_requested.connect(self._query)
        self.window.ack_requested.connect(lambda alert_id: self._query("alert.ack", {"alert_id": alert_id}))

    def client_id(self) -> str:
        """Stable per installation."""
        value = self.settings.value("desk/client_id")
        if not value:
            value = f"desk-{uuid.uuid4().hex[:12]}"
            self.settings.setValue("desk/client_id", value)
        return str(value)

    def start_engine(self, address: HubAddress, token: str) -> None:
        """Connect to the hub (in the engine's own thread) and show the window."""
        replica = self.data_dir / f"replica-{uuid.uuid5(uuid.NAMESPACE_URL, address.ws).hex[:12]}.db"
        settings = ClientSettings(ws_url=address.ws, token=token, client_id=self.client_id(), replica_path=replica)
        self.engine = SyncEngine(settings, self.bridge.changed.emit)
        self.engine.start()
        self.window.show()

    def stop(self) -> None:
        """Stop syncing (the outbox stays on disk for next time) and close the window: its refresh
        timers ask for nothing more."""
        if self.engine is not None:
            self.engine.stop()
            self.engine = None
        self.window.close()

    def _submit(self, kind: str, fields: dict) -> None:
        if self.engine is not None:
            self.engine.submit(kind, fields)

    def _claim(self, round_id: int) -> None:
        if self.engine is not None:
            self.engine.claim(round_id)

    def _query(self, kind: str, fields: dict) -> None:
        if self.engine is None:
            return
        self.engine.query(kind, fields, lambda result, kind=kind, fields=fields: self._answer(kind, fields, result))

    def _answer(self, kind: str, fields: dict, result: dict) -> None:
        """Engine thread: offline duplicate hints fall back to the local replica."""
        if kind == "customer.lookup" and result.get("error") == "offline" and self.engine is not None:
            self.engine.local_duplicate_hint(
                fields["mobile"], lambda rows: self.bridge.answered.emit(kind, {"local": rows})
            )
            return
        self.bridge.answered.emit(kind, result)

    def _answered(self, kind: str, result: dict) -> None:
        self.window.show_query_result(kind, result)


def start_qt(lang: str | None) -> QApplication:
    """The application object with its names and translation."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("salesfloor")
    app.setOrganizationName("salesfloor")
    install_translator(app, lang)
    return app


def sign_in(settings: QSettings, hub: str | None) -> tuple[HubAddress, str] | None:
    """The saved hub and token from the OS keyring, or a first sign-in with an enrollment code."""
    saved_http = hub or str(settings.value("desk/hub_http", "") or "")
    saved_ws = str(settings.value("desk/hub_ws", "") or "")
    token = load_token(saved_ws) if saved_ws and not hub else None
    if token:
        return HubAddress(saved_http, saved_ws), token
    dialog = EnrollDialog(saved_http or "http://127.0.0.1:8766", socket.gethostname())
    enrollment = Enrollment(dialog)
    dialog.enroll_requested.connect(enrollment.start)
    enrollment.failed.connect(dialog.show_error)
    outcome: list[tuple[HubAddress, str]] = []

    def enrolled(base: str, new_token: str, answer: dict) -> None:
        address = HubAddress(base, ws_url_for(base, int(answer.get("ws_port") or 8765), bool(answer.get("tls"))))
        settings.setValue("desk/hub_http", address.http)
        settings.setValue("desk/hub_ws", address.ws)
        try:
            save_token(address.ws, new_token)
        except CredentialStoreError as exc:
            QMessageBox.warning(dialog, dialog.tr("Token not saved"), str(exc))
        outcome.append((address, new_token))
        dialog.accept()

    enrollment.done.connect(enrolled)
    if dialog.exec() != EnrollDialog.DialogCode.Accepted or not outcome:
        return None
    return outcome[0]


class FirstPaint(QObject):
    """Smoke check: after the window's first paint, say "window shown: <title>" on stdout, close it, quit."""

    def __init__(self, app: QApplication, window: QWidget):
        """Watch every paint until one belongs to `window`; give up (exit 1) after SMOKE_TIMEOUT_MS."""
        super().__init__(window)
        self.app, self.window = app, window
        self.timeout = QTimer(self, singleShot=True, interval=SMOKE_TIMEOUT_MS)
        self.timeout.timeout.connect(lambda: self._finish("window not shown", 1))
        self.timeout.start()
        app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Let every event through; the first paint of the window (or a child) finishes once it is done."""
        if event.type() == QEvent.Type.Paint and isinstance(watched, QWidget) and watched.window() is self.window:
            self.app.removeEventFilter(self)
            QTimer.singleShot(0, self, lambda: self._finish(f"window shown: {self.window.windowTitle()}", 0))
        return False

    def _finish(self, line: str, code: int) -> None:
        self.timeout.stop()
        self.app.removeEventFilter(self)
        print(line, flush=True)
        self.window.close()
        self.window.deleteLater()
        self.app.exit(code)


def smoke_show(app: QApplication, window: QWidget) -> int:
    """Show `window` without a hub or keyring; exit 0 after its first paint, 1 if it never paints."""
    FirstPaint(app, window)
    window.show()
    return app.exec()


def run_desk(data_dir: Path, hub: str | None = None, lang: str | None = None) -> int:
    """Open the desk: sign in on first run (token into the OS keyring), then sync and show the window."""
    app = start_qt(lang)
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = QSettings(str(data_dir / "desk.ini"), QSettings.Format.IniFormat)
    if os.environ.get(SMOKE_ENV) == "1":
        return smoke_show(app, DeskApp(settings, data_dir).window)
    signed_in = sign_in(settings, hub)
    if signed_in is None:
        return 1
    desk = DeskApp(settings, data_dir)
    desk.start_engine(*signed_in)
    code = app.exec()
    desk.stop()
    return code
