"""Writing the office's settings: hub.toml and the rules file built on the files as they are, channel files.

Every key the settings do not manage is kept ([hub] host and ports, [forms], [report], [identity],
[commission], …); comments are not (the previous file is kept as *.bak).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from models.alerts import AlertRules
from models.channel_mapping import CHANNELS_DIR, FIELDS
from models.office_setup import ChannelSettings, OfficePaths, OfficeSettings, mapping_of, source_tables
from models.office_toml import dumps, read_toml, remove_file, replace_file
from models.rules import ProtectionRules

RULES_HEADER = (
    "salesfloor project rules, written by `salesfloor setup` / `salesfloor settings`.\n"
    "Keys left out keep the shipped defaults (resources/rules/default.toml); the previous file is *.bak."
)
HUB_HEADER = (
    "salesfloor hub settings, written by `salesfloor setup` / `salesfloor settings` (docs/hub.md).\n"
    "Holds secrets: keep it readable by the hub's user only. The previous file is hub.toml.bak."
)
RULES_COMMENTS = {
    "dispatch": "派单: idle window (minutes), grab offer (seconds), what happens to an unclaimed lead",
    "calendar": "ISO weekdays that auto-assign (1 = Monday); holidays run the grab pool, workdays (调休) assign",
    "weights": 'contribution weight of a touch by "channel.kind" or "*.kind"',
    "protection": "报备/判客 protection (docs/attribution.md)",
    "alerts": "red / yellow / blue switches and thresholds (docs/alerts.md)",
}


@dataclass(frozen=True)
class OfficeTexts:
    """What saving writes: hub.toml, the rules file and each office channel file (None: remove it)."""

    hub: str
    rules: str
    channels: dict[str, str | None]


def _hub_data(settings: OfficeSettings, current: dict[str, Any]) -> dict[str, Any]:
    """hub.toml's tables: the current file with the managed keys replaced."""
    data = {k: dict(v) if isinstance(v, dict) else v for k, v in current.items()}
    data["office"] = {**data.get("office", {}), "name": settings.office_name.strip()}
    data["hub"] = {**data.get("hub", {}), "report_at": settings.report_at}
    channels = {k: dict(v) for k, v in data.get("channels", {}).items() if isinstance(v, dict)}
    for ch in settings.channels:
        table = {k: v for k, v in channels.get(ch.source, {}).items() if k not in ("secret", "fields", "identifiers")}
        if ch.secret.strip():
            table["secret"] = ch.secret.strip()
        channels[ch.source] = table
    data["channels"] = {k: v for k, v in channels.items() if v}
    if not data["channels"]:
        del data["channels"]
    robots = {name.strip(): url.strip() for name, url in settings.wecom_robots}
    data["wecom"] = {"per_minute": settings.wecom_per_minute, "robots": robots}
    smtp = settings.smtp
    if not smtp.host.strip() and not smtp.recipients:
        data.pop("smtp", None)
        return data
    data["smtp"] = {
        "host": smtp.host.strip(),
        "port": smtp.port,
        "security": smtp.security,
        "username": smtp.username.strip(),
        **({"password": smtp.password} if smtp.password else {}),
        "sender": smtp.sender.strip() or "salesfloor@localhost",
        "recipients": [r.strip() for r in smtp.recipients if r.strip()],
    }
    return data


def _rules_data(settings: OfficeSettings, current: dict[str, Any]) -> dict[str, Any]:
    """The rules file's tables: the current file with the managed sections replaced."""
    data = dict(current)
    data["dispatch"] = {
        "idle_minutes": settings.idle_minutes,
        "grab_seconds": settings.grab_seconds,
        "grab_fallback": list(settings.grab_fallback),
    }
    data["calendar"] = {
        "auto_assign_weekdays": sorted(settings.auto_assign_weekdays),
        "holidays": sorted(settings.holidays),
        "workdays": sorted(settings.workdays),
    }
    data["weights"] = {k: v.strip() for k, v in settings.weights.items() if v.strip()}
    data["protection"] = {f.name: getattr(settings.protection, f.name) for f in fields(ProtectionRules)}
    alerts = {f.name: getattr(settings.alerts, f.name) for f in fields(AlertRules)}
    data["alerts"] = {**alerts, "price_paths": list(settings.alerts.price_paths)}
    return data


def _channel_text(ch: ChannelSettings, shipped: dict[str, Any], is_shipped: bool) -> str | None:
    """The office's file for a source, or None when its mapping is the shipped one."""
    mapping = {k: tuple(p for p in v if p) for k, v in ch.mapping.items() if any(v)}
    if is_shipped and mapping == mapping_of(shipped):
        return None
    table = {k: v for k, v in shipped.items() if k not in ("fields", "identifiers")}
    table["fields"] = {k: list(v) for k, v in mapping.items() if k in FIELDS}
    table["identifiers"] = {k: list(v) for k, v in mapping.items() if k not in FIELDS}
    return dumps(
        table, header=f"{ch.source}: this office's field mapping (shipped: resources/channels/{ch.source}.toml)"
    )


def render_office(settings: OfficeSettings, paths: OfficePaths) -> OfficeTexts:
    """The texts saving would write, built on the files as they are now."""
    hub = dumps(_hub_data(settings, read_toml(paths.hub_file)), header=HUB_HEADER)
    rules = dumps(_rules_data(settings, read_toml(paths.rules_file)), RULES_COMMENTS, RULES_HEADER)
    tables = source_tables(paths)
    shipped = {p.stem for p in CHANNELS_DIR.glob("*.toml")}
    channels = {ch.source: _channel_text(ch, tables[ch.source][0], ch.source in shipped) for ch in settings.channels}
    return OfficeTexts(hub, rules, channels)


def write_office(texts: OfficeTexts, paths: OfficePaths) -> list[Path]:
    """Replace the files atomically (each previous one kept as *.bak); the files written or removed."""
    done = [paths.hub_file, paths.rules_file]
    replace_file(paths.hub_file, texts.hub)
    replace_file(paths.rules_file, texts.rules, 0o644)
    for source, text in texts.channels.items():
        target = paths.channels_dir / f"{source}.toml"
        if text is not None:
            replace_file(target, text, 0o644)
            done.append(target)
        elif remove_file(target) is not None:
            done.append(target)
    return done
