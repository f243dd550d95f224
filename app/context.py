"""The process context: settings plus lazily opened engine, key vault, rules and registry."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy.engine import Engine

from app.keys import load_master_key
from app.settings import Settings, load_settings
from models.clock import Clock, SystemClock
from models.db import open_database
from models.privacy import Vault
from models.registry import CustomerRegistry
from models.rules import ProjectRules, load_rules


@dataclass
class AppContext:
    """Shared by every subcommand; nothing is opened until first used."""

    settings: Settings
    clock: Clock = field(default_factory=SystemClock)

    @classmethod
    def from_options(cls, **options) -> AppContext:
        """Build from command-line options (None means: environment or default)."""
        return cls(load_settings(**options))

    @cached_property
    def engine(self) -> Engine:
        """The database engine, migrated to the newest schema."""
        if self.settings.db_url.startswith("sqlite"):
            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        return open_database(self.settings.db_url)

    @cached_property
    def vault(self) -> Vault:
        """Encryption and blind-index keys derived from the master key."""
        return Vault(load_master_key(self.settings.key_file, self.settings.key_source))

    @cached_property
    def rules(self) -> ProjectRules:
        """Project rules (defaults overlaid with the configured rules file)."""
        return load_rules(self.settings.rules_file)

    @cached_property
    def registry(self) -> CustomerRegistry:
        """The customer registry bound to this context."""
        return CustomerRegistry(self.engine, self.vault, self.rules, self.clock)
