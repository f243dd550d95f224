"""One settings object for the process: where data lives, which database, which rules, which key."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from models.db import sqlite_url

APP_NAME = "salesfloor"


@dataclass(frozen=True)
class Settings:
    """Resolved configuration (command-line flags > environment > defaults)."""

    data_dir: Path
    db_url: str
    rules_file: Path | None
    key_source: str  # "auto" | "env" | "file" | "keyring"

    @property
    def key_file(self) -> Path:
        """The 0600 master key file (outside the database)."""
        return self.data_dir / "master.key"


def default_data_dir() -> Path:
    """The platform data directory (e.g. ~/.local/share/salesfloor)."""
    return Path(os.environ.get("SALESFLOOR_DATA_DIR") or platformdirs.user_data_dir(APP_NAME, appauthor=False))


def load_settings(
    db: str | None = None, data_dir: str | Path | None = None, rules: str | None = None, key_source: str | None = None
) -> Settings:
    """Build settings from explicit values, then SALESFLOOR_* environment variables, then defaults."""
    folder = Path(data_dir) if data_dir else default_data_dir()
    url = db or os.environ.get("SALESFLOOR_DB") or sqlite_url(folder / "salesfloor.db")
    rules_file = rules or os.environ.get("SALESFLOOR_RULES")
    if not rules_file and (folder / "rules.toml").is_file():  # what `salesfloor setup` writes
        rules_file = folder / "rules.toml"
    source = key_source or os.environ.get("SALESFLOOR_KEY_SOURCE", "auto")
    return Settings(folder, url, Path(rules_file) if rules_file else None, source)
