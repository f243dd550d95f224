"""The admin settings screen on this machine's hub files (`salesfloor settings`, in app/cmd_setup.py).

The controller reads hub.toml, the rules file and the office's channel mappings, hands the screen
plain settings, checks every edit (`check_fields`), and on Save checks once more with the hub's own
loaders before replacing the files (each previous one kept as *.bak). The hub reads its files when
it starts, so the screen says changes take effect when the hub restarts.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject

from models.clock import business_time
from models.office_checks import HubLoader, check_fields, save_office
from models.office_setup import OfficePaths, OfficeSettings, load_office_settings
from models.office_toml import OfficeFileError
from sync.hub.config import load_hub_config
from views.settings_screen import SettingsScreen


class SettingsController(QObject):
    """Between the screen and the files: load, check as edited, save, revert."""

    def __init__(
        self,
        screen: SettingsScreen,
        paths: OfficePaths,
        hub_loader: HubLoader = load_hub_config,
        now: Callable[[], datetime] | None = None,
    ):
        """Wire the screen's intents to the office files."""
        super().__init__(screen)
        self.screen, self.paths, self.hub_loader = screen, paths, hub_loader
        self.now = now or (lambda: datetime.now().astimezone())
        screen.settings_edited.connect(self.check)
        screen.save_requested.connect(self.save)
        screen.revert_requested.connect(self.load)

    def load(self) -> OfficeSettings | None:
        """Show the settings on file (and what is already wrong with them)."""
        try:
            settings = load_office_settings(self.paths)
        except OfficeFileError as exc:
            self.screen.show_error(str(exc))
            return None
        self.screen.show_settings(settings, (str(self.paths.hub_file), str(self.paths.rules_file)))
        self.screen.show_problems(check_fields(settings))
        return settings

    def check(self, settings: OfficeSettings) -> None:
        """Check an edit field by field; the screen shows each problem under its field."""
        self.screen.show_problems(check_fields(settings))

    def save(self, settings: OfficeSettings) -> bool:
        """Check with the hub's loaders too, then replace the files; False (and the problems shown) if refused."""
        result = save_office(settings, self.paths, self.hub_loader)
        if result.problems:
            self.screen.show_problems(result.problems)
            return False
        self.load()
        self.screen.show_saved(business_time(self.now()).strftime("%H:%M:%S"))
        return True


def run_settings(paths: OfficePaths, lang: str | None = None) -> int:
    """Open the settings screen on these files until it is closed."""
    from PySide6.QtWidgets import QApplication

    from app.i18n import install_translator

    app = QApplication.instance() or QApplication(sys.argv[:1])
    install_translator(app, lang)
    screen = SettingsScreen()
    screen.resize(1100, 720)
    controller = SettingsController(screen, paths)
    controller.load()
    screen.show()
    return app.exec()
