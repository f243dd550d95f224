"""`salesfloor wall`: the lobby big screen. Signs in like a desk (with a `wall` account), syncs
read-only, opens full screen on the chosen screen; F11 toggles, Esc asks before leaving."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from app.desk import SMOKE_ENV, EngineBridge, HubAddress, sign_in, smoke_show, start_qt
from models.clock import Clock, SystemClock
from sync.client.engine import ClientSettings, SyncEngine
from views.wall import WallWindow


class WallApp:
    """The wall window fed by a read-only sync engine."""

    def __init__(self, settings: QSettings, data_dir: Path, clock: Clock | None = None):
        """Build the window; `start` connects."""
        self.settings = settings
        self.data_dir = data_dir
        self.clock = clock or SystemClock()
        self.bridge = EngineBridge()
        self.window = WallWindow(self.clock.now)
        self.bridge.changed.connect(self.window.apply)
        self.window.leave_requested.connect(self.confirm_leave)
        self.engine: SyncEngine | None = None

    def start(self, address: HubAddress, token: str, screen: int = 0) -> None:
        """Sync and show full screen on screen N (0 = primary)."""
        client_id = str(self.settings.value("wall/client_id") or f"wall-{uuid.uuid4().hex[:12]}")
        self.settings.setValue("wall/client_id", client_id)
        replica = self.data_dir / f"wall-{uuid.uuid5(uuid.NAMESPACE_URL, address.ws).hex[:12]}.db"
        self.engine = SyncEngine(
            ClientSettings(address.ws, token, client_id, replica), self.bridge.changed.emit, self.clock
        )
        self.engine.start()
        screens = QApplication.screens()
        if 0 <= screen < len(screens):
            self.window.setScreen(screens[screen])
            self.window.move(screens[screen].geometry().topLeft())
        self.window.showFullScreen()

    def confirm_leave(self) -> None:
        """Esc: leave full screen only if someone at the keyboard means it."""
        answer = QMessageBox.question(
            self.window, self.window.tr("Leave the wall?"), self.window.tr("Close the lobby wall?")
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.window.close()

    def stop(self) -> None:
        """Stop syncing and close the window."""
        if self.engine is not None:
            self.engine.stop()
            self.engine = None
        self.window.close()


def run_wall(data_dir: Path, hub: str | None = None, lang: str | None = None, screen: int = 0) -> int:
    """Open the lobby wall."""
    app = start_qt(lang)
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = QSettings(str(data_dir / "wall.ini"), QSettings.Format.IniFormat)
    if os.environ.get(SMOKE_ENV) == "1":
        return smoke_show(app, WallApp(settings, data_dir).window)
    signed_in = sign_in(settings, hub)
    if signed_in is None:
        return 1
    wall = WallApp(settings, data_dir)
    wall.start(*signed_in, screen=screen)
    code = app.exec()
    wall.stop()
    return code
