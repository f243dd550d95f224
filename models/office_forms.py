"""What people type and setup files say, as office settings: date lists and ranges, setup files.

A setup file (`salesfloor setup --non-interactive --from FILE.toml`) holds hub.toml's tables, the
rules file's tables, [office] name and [[staff]] people, all optional; a key nothing reads is refused.
"""

from __future__ import annotations

import re
from dataclasses import fields, replace
from datetime import date, timedelta
from typing import Any

from models.alerts import AlertRules
from models.office_setup import OfficeSettings, StaffEntry, apply_hub_tables, apply_rules_tables
from models.office_staff import parse_role
from models.office_texts import Problem
from models.rules import ProtectionRules

RANGE_DAYS = 366
_RANGE = re.compile(r"\s*(?:~|～|\.\.|至)\s*")
_SEPARATORS = re.compile(r"[\s,，、;；]+")


def parse_day(text: str) -> date | None:
    """An ISO date ('2026-10-01'), or None."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def split_dates(text: str) -> tuple[str, ...]:
    """Dates as typed ('2026-10-01, 2026-10-02' or a range '2026-10-01~2026-10-07'), ranges spelt out; bad ones kept."""
    out: list[str] = []
    for token in _SEPARATORS.split(_RANGE.sub("~", text.strip())):
        if not token:
            continue
        first, _, last = token.partition("~")
        start, stop = parse_day(first), parse_day(last) if last else None
        if last and start and stop and timedelta(0) <= stop - start <= timedelta(days=RANGE_DAYS):
            out.extend((start + timedelta(days=n)).isoformat() for n in range((stop - start).days + 1))
        else:
            out.append(token)
    return tuple(dict.fromkeys(out))


def join_dates(days: tuple[str, ...]) -> str:
    """Dates as one line, runs of three days or more written as a range ('2026-10-01~2026-10-07')."""
    good = sorted({d for d in (parse_day(x) for x in days) if d})
    bad = [x for x in days if parse_day(x) is None]
    parts: list[str] = []
    run: list[date] = []
    for day in [*good, None]:
        if run and (day is None or day - run[-1] != timedelta(days=1)):
            parts += [f"{run[0]}~{run[-1]}"] if len(run) >= 3 else [d.isoformat() for d in run]
            run = []
        if day is not None:
            run.append(day)
    return ", ".join([*parts, *bad])


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
    for source, table in data.get("channels", {}).items():
        if isinstance(table, dict):
            out += [f"channels.{source}.{k}" for k in table if k not in ("secret", "fields", "identifiers")]
    return out


def apply_setup_file(settings: OfficeSettings, data: dict[str, Any]) -> tuple[OfficeSettings, list[Problem]]:
    """Settings with a setup file's tables on top (hub.toml's and the rules file's, [office], [[staff]])."""
    unknown = unknown_setup_keys(data)
    if unknown:
        return settings, [Problem("", "setup_unknown", {"keys": ", ".join(unknown)})]
    people = []
    for person in data.get("staff", []):
        person = person if isinstance(person, dict) else {"name": str(person)}
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
