"""Setup files (`salesfloor setup --non-interactive --from FILE.toml`) as office settings.

A setup file holds hub.toml's tables ([hub] report_at, [channels.X] with the secret and optionally
[channels.X.fields] / [channels.X.identifiers], [wecom], [smtp]), the rules file's tables
([dispatch], [calendar], [weights], [protection], [alerts]), [office] name and [[staff]] people, all
optional. A key nothing reads is refused, so a typo is never silently dropped.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from models.alerts import AlertRules
from models.office_setup import OfficeSettings, StaffEntry, apply_hub_tables, apply_rules_tables
from models.office_staff import parse_role
from models.office_texts import Problem
from models.rules import ProtectionRules

_SETUP_KEYS: dict[str, set[str] | None] = {
    "office": {"name"},
    "staff": None,
    "hub": {"report_at"},
    "channels": None,
    "wecom": {"robots", "per_minute"},
    "smtp": {"host", "port", "security", "username", "password", "sender", "recipients"},
    "dispatch": {"idle_minutes", "grab_seconds", "grab_fallback"},
    "calendar": {"auto_assign_weekdays", "holidays", "workdays"},
    "weights": None,
    "protection": {f.name for f in fields(ProtectionRules)},
    "alerts": {f.name for f in fields(AlertRules)},
}


def unknown_setup_keys(data: dict[str, Any]) -> list[str]:
    """Keys of a setup file that nothing reads ('smtp.pasword'), so a typo is not silently dropped."""
    out = []
    for section, value in data.items():
        known = _SETUP_KEYS.get(section, set())
        if section not in _SETUP_KEYS or (known is not None and not isinstance(value, dict)):
            out.append(section)
        elif known is not None:
            out += [f"{section}.{key}" for key in value if key not in known]
    for section in ("channels", "weights"):  # tables of tables: anything else is a key nothing can read
        if section in data and not isinstance(data[section], dict):
            out.append(section)
    staff = data.get("staff", [])
    if not isinstance(staff, list) or not all(isinstance(person, dict) for person in staff):
        out.append("staff (each person a [[staff]] table)")
    channels = data.get("channels", {})
    for source, table in channels.items() if isinstance(channels, dict) else ():
        if not isinstance(table, dict):
            out.append(f"channels.{source}")
        else:
            out += [f"channels.{source}.{k}" for k in table if k not in ("secret", "fields", "identifiers")]
    return out


def apply_setup_file(settings: OfficeSettings, data: dict[str, Any]) -> tuple[OfficeSettings, list[Problem]]:
    """Settings with a setup file's tables on top (hub.toml's and the rules file's, [office], [[staff]])."""
    unknown = unknown_setup_keys(data)
    if unknown:
        return settings, [Problem("", "setup_unknown", {"keys": ", ".join(unknown)})]
    people = []
    for person in data.get("staff", []):
        role = parse_role(str(person.get("role", "")))
        entry = StaffEntry(
            str(person.get("name", "")),
            role.value if role else str(person.get("role", "")),
            str(person.get("mobile", "")),
            str(person.get("agency", "")),
        )
        people.append(entry)
    rules = {k: data[k] for k in ("dispatch", "calendar", "weights", "protection", "alerts") if k in data}
    settings = apply_rules_tables(apply_hub_tables(settings, data), rules)
    return replace(settings, staff=(*settings.staff, *people)), []
