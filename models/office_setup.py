"""The office's settings as one object: read from hub.toml, the rules file and channel files, written back.

`OfficeSettings` is what the setup wizard and the admin settings screen edit: the office name, people
to create, channel secrets and field mappings, WeCom robots, SMTP and the report time (hub.toml), the
dispatch calendar, idle and grab times, the fallback chain, contribution weights, 报备 protection and
alert switches (the rules file). Loading is tolerant (a wrong value is kept so the checks in
`models.office_checks` can name it); writing keeps every key of the files it does not manage.
A source's field mapping that differs from the shipped one is written to `<data dir>/channels/`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import Any

from models.alerts import AlertRules
from models.channel_mapping import CHANNELS_DIR, FIELDS, ChannelSource, load_sources
from models.dispatch import DispatchRules
from models.identifiers import IdentifierKind
from models.office_toml import read_toml
from models.rules import DEFAULT_RULES_FILE, ProtectionRules

HUB_FILE = "hub.toml"
RULES_FILE = "rules.toml"
CHANNELS_FOLDER = "channels"
MAPPING_KEYS = (*FIELDS, *(k.value for k in IdentifierKind))  # lead fields, then identifier kinds


@dataclass(frozen=True)
class OfficePaths:
    """Where the hub's files are: hub.toml, the rules file and the folder of the office's channel mappings."""

    hub_file: Path
    rules_file: Path
    channels_dir: Path

    @classmethod
    def in_data_dir(cls, data_dir: Path, rules_file: Path | None = None, hub_file: Path | None = None) -> OfficePaths:
        """The usual places: hub.toml, rules.toml and channels/ in the data dir (unless given)."""
        data_dir = Path(data_dir)
        return cls(
            Path(hub_file) if hub_file else data_dir / HUB_FILE,
            Path(rules_file) if rules_file else data_dir / RULES_FILE,
            data_dir / CHANNELS_FOLDER,
        )


@dataclass(frozen=True)
class StaffEntry:
    """A person to create: name, role (a `Role` value), own mobile (optional), agency code for brokers."""

    name: str
    role: str = "consultant"
    mobile: str = field(default="", repr=False)
    agency: str = ""
    row: int = 0  # the row of the staff file it came from (0: typed in)


@dataclass(frozen=True)
class ChannelSettings:
    """One webhook source: its shared secret and where each lead field and identifier is in its JSON."""

    source: str
    channel: str
    auth: str
    description: str = ""
    secret: str = field(default="", repr=False)
    mapping: dict[str, tuple[str, ...]] = field(default_factory=dict)  # MAPPING_KEYS -> JSON paths


@dataclass(frozen=True)
class SmtpForm:
    """The [smtp] table as a form holds it."""

    host: str = ""
    port: int = 587
    security: str = "starttls"  # starttls | ssl | none
    username: str = ""
    password: str = field(default="", repr=False)
    sender: str = ""
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True)
class OfficeSettings:
    """Everything an office configures in setup and in the settings screen."""

    office_name: str = ""
    staff: tuple[StaffEntry, ...] = ()
    channels: tuple[ChannelSettings, ...] = ()
    wecom_robots: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # (name, webhook URL with its key)
    wecom_per_minute: int = 20
    smtp: SmtpForm = field(default_factory=SmtpForm)
    report_at: str = "07:30"
    auto_assign_weekdays: tuple[int, ...] = (1, 2, 3, 4, 5)
    holidays: tuple[str, ...] = ()
    workdays: tuple[str, ...] = ()
    idle_minutes: int = DispatchRules.idle_minutes
    grab_seconds: int = DispatchRules.grab_seconds
    grab_fallback: tuple[str, ...] = ("reoffer", "assign", "manager")
    weights: dict[str, str] = field(default_factory=dict)  # "channel.kind" -> decimal text
    protection: ProtectionRules = field(default_factory=ProtectionRules)
    alerts: AlertRules = field(default_factory=AlertRules)

    def channel(self, source: str) -> ChannelSettings | None:
        """One source's settings, if it has a mapping file."""
        return next((c for c in self.channels if c.source == source), None)

    def with_channel(self, changed: ChannelSettings) -> OfficeSettings:
        """A copy with one source's settings replaced."""
        return replace(self, channels=tuple(changed if c.source == changed.source else c for c in self.channels))


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge TOML tables as the rules loader does (override wins)."""
    out = dict(base)
    for key, value in override.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def source_tables(paths: OfficePaths) -> dict[str, tuple[dict[str, Any], dict[str, Any] | None]]:
    """Each source's shipped table and the office's own (if any), by file stem."""
    shipped = {p.stem: read_toml(p) for p in sorted(CHANNELS_DIR.glob("*.toml"))}
    office = {p.stem: read_toml(p) for p in sorted(paths.channels_dir.glob("*.toml"))} if paths.channels_dir else {}
    return {name: (shipped.get(name) or office[name], office.get(name)) for name in {**shipped, **office}}


def mapping_of(table: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """The field and identifier paths of a source table, as one mapping."""
    out = {}
    for key, value in {**table.get("fields", {}), **table.get("identifiers", {})}.items():
        out[key] = (value,) if isinstance(value, str) else tuple(value)
    return out


def _channels(paths: OfficePaths) -> tuple[ChannelSettings, ...]:
    """Every source with a mapping file, with the office's mapping where it has one."""
    out = []
    for name, (shipped, office) in sorted(source_tables(paths).items()):
        table = office or shipped
        out.append(
            ChannelSettings(
                name,
                str(table.get("channel", "")),
                str(table.get("auth", "")),
                str(table.get("description", "")),
                mapping=mapping_of(table),
            )
        )
    return tuple(out)


def apply_hub_tables(settings: OfficeSettings, hub: dict[str, Any]) -> OfficeSettings:
    """Settings with what hub.toml-shaped tables say ([office], [hub] report_at, [channels], [wecom], [smtp])."""
    changes: dict[str, Any] = {}
    office = hub.get("office", {})
    if "name" in office:
        changes["office_name"] = office["name"]
    if "report_at" in hub.get("hub", {}):
        changes["report_at"] = hub["hub"]["report_at"]
    channels = []
    for ch in settings.channels:
        table = hub.get("channels", {}).get(ch.source, {})
        if isinstance(table, dict):
            mapping = dict(ch.mapping)
            if "fields" in table or "identifiers" in table:  # a setup file may choose a mapping
                mapping = mapping_of(table)
            ch = replace(ch, secret=table.get("secret", ch.secret), mapping=mapping)
        channels.append(ch)
    changes["channels"] = tuple(channels)
    wecom = hub.get("wecom", {})
    if "robots" in wecom and isinstance(wecom["robots"], dict):
        changes["wecom_robots"] = tuple(wecom["robots"].items())
    if "per_minute" in wecom:
        changes["wecom_per_minute"] = wecom["per_minute"]
    smtp = hub.get("smtp", {})
    known = {f.name for f in fields(SmtpForm)}
    values = {k: v for k, v in smtp.items() if k in known}
    if "recipients" in values and isinstance(values["recipients"], list):
        values["recipients"] = tuple(values["recipients"])
    if values:
        if "port" not in values and values.get("security") == "ssl":
            values["port"] = 465
        changes["smtp"] = replace(settings.smtp, **values)
    return replace(settings, **changes)


def _day_text(value: Any) -> Any:
    """A TOML date as ISO text; anything else as it came (the checks name what is wrong)."""
    return value.isoformat() if isinstance(value, date) else value


def apply_rules_tables(settings: OfficeSettings, rules: dict[str, Any]) -> OfficeSettings:
    """Settings with what rules-file tables say ([dispatch], [calendar], [weights], [protection], [alerts])."""
    changes: dict[str, Any] = {}
    dispatch, calendar = rules.get("dispatch", {}), rules.get("calendar", {})
    for key in ("idle_minutes", "grab_seconds"):
        if key in dispatch:
            changes[key] = dispatch[key]
    if "grab_fallback" in dispatch:
        changes["grab_fallback"] = tuple(dispatch["grab_fallback"])
    if "auto_assign_weekdays" in calendar:
        changes["auto_assign_weekdays"] = tuple(calendar["auto_assign_weekdays"])
    for key in ("holidays", "workdays"):
        if key in calendar:
            changes[key] = tuple(_day_text(d) for d in calendar[key])
    if "weights" in rules:
        changes["weights"] = {**settings.weights, **{k: str(v) for k, v in rules["weights"].items()}}
    known = {f.name for f in fields(ProtectionRules)}
    protection = {k: v for k, v in rules.get("protection", {}).items() if k in known}
    changes["protection"] = replace(settings.protection, **protection)
    known = {f.name for f in fields(AlertRules)}
    alerts = {k: v for k, v in rules.get("alerts", {}).items() if k in known}
    if isinstance(alerts.get("price_paths"), list):
        alerts["price_paths"] = tuple(alerts["price_paths"])
    changes["alerts"] = replace(settings.alerts, **alerts)
    return replace(settings, **changes)


def load_office_settings(paths: OfficePaths) -> OfficeSettings:
    """The settings as the files say now (shipped defaults where they say nothing); OfficeFileError if unreadable."""
    rules = _merge(read_toml(DEFAULT_RULES_FILE), read_toml(paths.rules_file))
    settings = OfficeSettings(channels=_channels(paths))
    return apply_rules_tables(apply_hub_tables(settings, read_toml(paths.hub_file)), rules)


def load_office_sources(channels_dir: Path) -> dict[str, ChannelSource]:
    """The webhook sources the hub should serve: the shipped ones, each replaced by the office's file if any."""
    sources = load_sources(CHANNELS_DIR)
    if Path(channels_dir).is_dir():
        sources.update(load_sources(Path(channels_dir)))
    return sources
