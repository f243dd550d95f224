"""Office settings checked field by field in plain words, then by the very loaders the hub uses, then saved.

`check_fields` is quick and pure (the settings screen runs it as one types). `validate_office` also
renders the files saving would write into a private temporary folder and reads them back with the
hub's `load_hub_config` (passed in: the hub lives above this layer), `load_rules` and the channel
file parser, so whatever they refuse is refused before anything is replaced. `save_office` writes
only settings that passed both.
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from models.channel_mapping import ChannelConfigError, parse_source
from models.dispatch import FallbackStep
from models.leads import Channel, TouchKind
from models.office_forms import parse_day
from models.office_setup import MAPPING_KEYS, OfficePaths, OfficeSettings
from models.office_staff import check_staff
from models.office_texts import Problem, field_label
from models.office_toml import OfficeFileError
from models.office_write import OfficeTexts, render_office, write_office
from models.rules import DEFAULT_RULES_FILE, RulesError, load_rules

HubLoader = Callable[[Path], Any]  # sync.hub.config.load_hub_config: raises ValueError naming the key
MIN_SECRET = 8
MAX_OFFICE_NAME = 60
MAX_WEIGHT = Decimal(100)
_PATH = re.compile(r"header:[A-Za-z0-9-]+|[^\s.:]+(?:\.[^\s.:]+)*")
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")
_EMAIL = re.compile(r"[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+")
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
# (field, minimum, maximum) of every whole number a form holds
WHOLE = (
    ("wecom.per_minute", 1, 20),
    ("dispatch.idle_minutes", 0, 24 * 60),
    ("dispatch.grab_seconds", 1, 3600),
    ("protection.report_valid_days", 0, 3650),
    ("protection.min_report_lead_minutes", 0, 7 * 24 * 60),
    ("protection.visit_protection_days", 0, 3650),
    ("protection.deal_protection_days", 0, 3650),
    ("alerts.red_hours", 1, 24 * 30),
    ("alerts.price_dwell_s", 1, 3600),
    ("alerts.vr_repeat", 2, 100),
)
SWITCHES = ("protection.report_required", "protection.visit_decides", "alerts.red", "alerts.yellow", "alerts.blue")


def _value(settings: OfficeSettings, key: str) -> Any:
    """A field's value by its dotted name ('protection.report_valid_days')."""
    section, _, name = key.partition(".")
    holder = {"protection": settings.protection, "alerts": settings.alerts}.get(section)
    if holder is not None:
        return getattr(holder, name)
    return getattr(settings, "wecom_per_minute" if key == "wecom.per_minute" else name)


def _is_whole(value: Any, low: int, high: int) -> bool:
    """A whole number (not a boolean) within bounds."""
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _channels(settings: OfficeSettings) -> list[Problem]:
    """Secrets and field mappings of each source."""
    out = []
    for ch in settings.channels:
        where = f"channels.{ch.source}"
        secret = ch.secret.strip()
        if secret and len(secret) < MIN_SECRET:
            out.append(Problem(f"{where}.secret", "secret_short", {"source": ch.source, "min": MIN_SECRET}))
        elif any(c.isspace() for c in secret):
            out.append(Problem(f"{where}.secret", "secret_space", {"source": ch.source}))
        for key, paths in ch.mapping.items():
            if key not in MAPPING_KEYS:
                out.append(Problem(f"{where}.mapping", "mapping_key", {"source": ch.source, "key": key}))
            for path in paths:
                if not isinstance(path, str) or not _PATH.fullmatch(path):
                    params = {"source": ch.source, "key": key, "path": str(path)}
                    out.append(Problem(f"{where}.mapping", "mapping_path", params))
        mapped = {k for k, v in ch.mapping.items() if any(v)}
        if not mapped - {"agency_code", "broker_code", "broker_name", "report_code"}:
            out.append(Problem(f"{where}.mapping", "mapping_empty", {"source": ch.source}))
    return out


def _wecom_and_smtp(settings: OfficeSettings) -> list[Problem]:
    """Robots, the mail server and the report time."""
    out = []
    names = [name.strip() for name, _ in settings.wecom_robots]
    for name, url in settings.wecom_robots:
        if not name.strip():
            out.append(Problem("wecom.robots", "robot_name"))
        elif not url.strip().startswith(("https://", "http://")) or any(c.isspace() for c in url.strip()):
            out.append(Problem("wecom.robots", "robot_url", {"name": name.strip()}))
    for name in {n for n in names if n and names.count(n) > 1}:
        out.append(Problem("wecom.robots", "robot_duplicate", {"name": name}))
    smtp = settings.smtp
    if smtp.host.strip() and not _HOST.fullmatch(smtp.host.strip()):
        out.append(Problem("smtp.host", "smtp_host"))
    if not smtp.host.strip() and smtp.recipients:
        out.append(Problem("smtp.host", "smtp_host_missing"))
    if not _is_whole(smtp.port, 1, 65535):
        out.append(Problem("smtp.port", "smtp_port"))
    if smtp.security not in ("starttls", "ssl", "none"):
        out.append(Problem("smtp.security", "smtp_security"))
    if smtp.sender.strip() and not _EMAIL.fullmatch(smtp.sender.strip()):
        out.append(Problem("smtp.sender", "smtp_sender"))
    for address in smtp.recipients:
        if not _EMAIL.fullmatch(str(address).strip()):
            out.append(Problem("smtp.recipients", "smtp_recipient", {"address": str(address)}))
    if not isinstance(settings.report_at, str) or not _TIME.fullmatch(settings.report_at):
        out.append(Problem("report_at", "report_at"))
    return out


def _calendar_and_dispatch(settings: OfficeSettings) -> list[Problem]:
    """Weekdays, holidays and workdays, and the fallback chain."""
    out = []
    if not all(_is_whole(d, 1, 7) for d in settings.auto_assign_weekdays):
        out.append(Problem("calendar.auto_assign_weekdays", "weekday"))
    for key in ("holidays", "workdays"):
        for raw in getattr(settings, key):
            if not isinstance(raw, str) or parse_day(raw) is None:
                out.append(Problem(f"calendar.{key}", "date_bad", {"value": str(raw)}))
    both = sorted(set(settings.holidays) & set(settings.workdays))
    if both:
        out.append(Problem("calendar.workdays", "date_both", {"dates": ", ".join(both)}))
    if not settings.grab_fallback:
        out.append(Problem("dispatch.grab_fallback", "fallback_empty"))
    for step in settings.grab_fallback:
        if step not in {s.value for s in FallbackStep}:
            out.append(Problem("dispatch.grab_fallback", "fallback_step", {"step": str(step)}))
    return out


@cache
def _shipped_weights() -> tuple[str, ...]:
    """The weight keys of the shipped rules file (read once)."""
    with DEFAULT_RULES_FILE.open("rb") as fh:
        return tuple(tomllib.load(fh).get("weights", {}))


def _weights(settings: OfficeSettings) -> list[Problem]:
    """Keys are 'channel.kind', values are numbers from 0 to 100, shipped keys stay."""
    out = []
    channels, kinds = {c.value for c in Channel} | {"*"}, {k.value for k in TouchKind}
    for key, raw in settings.weights.items():
        channel, _, kind = key.partition(".")
        if channel not in channels or kind not in kinds:
            out.append(Problem(f"weights.{key}", "weight_key", {"key": key}))
            continue
        text = str(raw).strip()
        if not text:
            continue
        try:
            value = Decimal(text)
        except InvalidOperation:
            out.append(Problem(f"weights.{key}", "weight_number", {"key": key, "value": text}))
            continue
        if not value.is_finite() or not Decimal(0) <= value <= MAX_WEIGHT:
            out.append(Problem(f"weights.{key}", "weight_range", {"key": key}))
    for key in _shipped_weights():
        if not str(settings.weights.get(key, "")).strip():
            out.append(Problem(f"weights.{key}", "weight_removed", {"key": key}))
    return out


def check_fields(settings: OfficeSettings, existing_staff: Mapping[str, int] | None = None) -> list[Problem]:
    """Everything wrong with the settings, field by field, in plain words (no file is touched)."""
    out = []
    name = settings.office_name.strip() if isinstance(settings.office_name, str) else ""
    if not name:
        out.append(Problem("office_name", "office_name_missing"))
    elif len(name) > MAX_OFFICE_NAME:
        out.append(Problem("office_name", "office_name_long", {"max": MAX_OFFICE_NAME}))
    out += check_staff(settings.staff, existing_staff)
    out += _channels(settings)
    out += _wecom_and_smtp(settings)
    out += _calendar_and_dispatch(settings)
    out += _weights(settings)
    for key, low, high in WHOLE:
        if not _is_whole(_value(settings, key), low, high):
            out.append(Problem(key, "whole", {**field_label(key), "min": low, "max": high}))
    for key in SWITCHES:
        if not isinstance(_value(settings, key), bool):
            out.append(Problem(key, "switch", field_label(key)))
    paths = settings.alerts.price_paths
    if not paths or not all(isinstance(p, str) and p.strip() for p in paths):
        out.append(Problem("alerts.price_paths", "price_paths"))
    return out


_LOADER_FIELDS = (
    (re.compile(r"^\[hub\] report_at"), "report_at"),
    (re.compile(r"^\[channels\.([^\]]+)\]"), "channels.{0}.secret"),
    (re.compile(r"^\[wecom\] (robots|per_minute)"), "wecom.{0}"),
    (re.compile(r"^\[smtp\] (\w+)"), "smtp.{0}"),
    (re.compile(r"^weights: '([^']+)'"), "weights.{0}"),
    (re.compile(r"^protection: (\w+)"), "protection.{0}"),
    (re.compile(r"^(dispatch|calendar|alerts)\.(\w+)"), "{0}.{1}"),
    (re.compile(r"^([\w]+)\.toml: "), "channels.{0}.mapping"),
)


def field_of(message: str) -> str:
    """The settings field a loader's message is about ('' when it names none of them)."""
    for pattern, template in _LOADER_FIELDS:
        match = pattern.match(message)
        if match:
            return template.format(*match.groups())
    return ""


def check_with_loaders(texts: OfficeTexts, hub_loader: HubLoader) -> list[Problem]:
    """Read the texts back with the hub's own loaders (in a private temporary folder); what they refuse."""
    problems = []
    with tempfile.TemporaryDirectory(prefix="salesfloor-setup-") as folder:
        hub, rules = Path(folder) / "hub.toml", Path(folder) / "rules.toml"
        for path, text in ((hub, texts.hub), (rules, texts.rules)):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
        checks: list[tuple[Callable[[], Any], type[Exception]]] = [
            (lambda: hub_loader(hub), ValueError),
            (lambda: load_rules(rules), RulesError),
        ]
        for source, text in texts.channels.items():
            if text is not None:
                checks.append(
                    (lambda s=source, t=text: parse_source(tomllib.loads(t), s, f"{s}.toml"), ChannelConfigError)
                )
        for check, error in checks:
            try:
                check()
            except error as exc:
                message = str(exc).replace(f"{folder}{os.sep}", "")
                problems.append(Problem(field_of(message), "loader", {"message": message}))
    return problems


@dataclass(frozen=True)
class SaveResult:
    """What saving did: the problems that stopped it, or the files written (each previous one kept as *.bak)."""

    problems: tuple[Problem, ...] = ()
    written: tuple[Path, ...] = ()


def validate_office(
    settings: OfficeSettings, paths: OfficePaths, hub_loader: HubLoader, existing_staff: Mapping[str, int] | None = None
) -> tuple[list[Problem], OfficeTexts | None]:
    """The problems, field by field, and (when there are none) the texts saving would write."""
    problems = check_fields(settings, existing_staff)
    if problems:
        return problems, None
    try:
        texts = render_office(settings, paths)
    except OfficeFileError as exc:
        return [Problem("", "file", {"message": str(exc)})], None
    problems = check_with_loaders(texts, hub_loader)
    return problems, None if problems else texts


def save_office(settings: OfficeSettings, paths: OfficePaths, hub_loader: HubLoader) -> SaveResult:
    """Check, then replace hub.toml, the rules file and the office's channel files atomically."""
    problems, texts = validate_office(settings, paths, hub_loader)
    if texts is None:
        return SaveResult(tuple(problems))
    try:
        return SaveResult(written=tuple(write_office(texts, paths)))
    except OSError as exc:
        return SaveResult((Problem("", "file", {"message": f"{exc.filename}: {exc.strerror}"}),))
