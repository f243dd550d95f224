"""The project rules file: identity limits, channel weights and 报备 protection, validated on load."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from models.alerts import AlertRules, parse_alert_rules
from models.dispatch import DispatchRules, FallbackStep, OfficeCalendar
from models.identifiers import DEFAULT_BLOCKLIST, IdentifierKind, IdentifierPolicy
from models.leads import Channel, TouchKind
from models.resolution import MatchRules

DEFAULT_RULES_FILE = Path(__file__).resolve().parent.parent / "resources" / "rules" / "default.toml"


class RulesError(ValueError):
    """The rules file is malformed; the message names the key and the problem."""


@dataclass(frozen=True)
class ProtectionRules:
    """报备/判客 protection parameters (see docs/attribution.md)."""

    report_valid_days: int = 7
    min_report_lead_minutes: int = 30
    report_required: bool = False
    visit_protection_days: int = 30
    deal_protection_days: int = 90
    visit_decides: bool = True


@dataclass(frozen=True)
class CommissionRules:
    """Commission pools and settlement (see docs/commission.md)."""

    pool_rate: Decimal = Decimal("0.015")
    settlement_target_days: int = 3


@dataclass(frozen=True)
class ProjectRules:
    """Everything configurable about identity and attribution for one project."""

    match: MatchRules = field(default_factory=MatchRules)
    identifiers: IdentifierPolicy = field(default_factory=IdentifierPolicy)
    weights: dict[str, Decimal] = field(default_factory=dict)
    protection: ProtectionRules = field(default_factory=ProtectionRules)
    dispatch: DispatchRules = field(default_factory=DispatchRules)
    calendar: OfficeCalendar = field(default_factory=OfficeCalendar)
    alerts: AlertRules = field(default_factory=AlertRules)
    commission: CommissionRules = field(default_factory=CommissionRules)

    def weight(self, channel: str, kind: str) -> Decimal:
        """Contribution weight of a touch: 'channel.kind', else '*.kind', else 0."""
        return self.weights.get(f"{channel}.{kind}", self.weights.get(f"*.{kind}", Decimal(0)))


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge two TOML tables (override wins)."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _parse_weights(table: dict[str, Any]) -> dict[str, Decimal]:
    """Validate 'channel.kind' keys and decimal weights."""
    channels = {c.value for c in Channel} | {"*"}
    kinds = {k.value for k in TouchKind}
    out: dict[str, Decimal] = {}
    for key, raw in table.items():
        channel, _, kind = key.partition(".")
        if channel not in channels or kind not in kinds:
            raise RulesError(
                f"weights: {key!r} is not 'channel.kind' (channels {sorted(channels)}, kinds {sorted(kinds)})"
            )
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            raise RulesError(f"weights: {key!r} = {raw!r} is not a number") from None
        if value < 0:
            raise RulesError(f"weights: {key!r} = {raw!r} must not be negative")
        out[key] = value
    return out


def _parse_protection(table: dict[str, Any]) -> ProtectionRules:
    """Validate the [protection] table against ProtectionRules' fields."""
    known = {f.name: f for f in fields(ProtectionRules)}
    values: dict[str, Any] = {}
    for key, raw in table.items():
        if key not in known:
            raise RulesError(f"protection: unknown key {key!r}; known: {sorted(known)}")
        expected = bool if known[key].type in ("bool", bool) else int
        if expected is int and (isinstance(raw, bool) or not isinstance(raw, int) or raw < 0):
            raise RulesError(f"protection: {key} must be a whole number >= 0, got {raw!r}")
        if expected is bool and not isinstance(raw, bool):
            raise RulesError(f"protection: {key} must be true or false, got {raw!r}")
        values[key] = raw
    return ProtectionRules(**values)


def _parse_identity(table: dict[str, Any]) -> tuple[MatchRules, IdentifierPolicy]:
    """Validate the [identity] table."""
    cap = table.get("max_leads_per_identifier", 100)
    if not isinstance(cap, int) or cap < 2:
        raise RulesError(f"identity: max_leads_per_identifier must be a whole number >= 2, got {cap!r}")
    limits = dict(MatchRules().max_distinct)
    for kind, limit in table.get("max_distinct", {}).items():
        try:
            IdentifierKind(kind)
        except ValueError:
            raise RulesError(f"identity.max_distinct: unknown identifier kind {kind!r}") from None
        if not isinstance(limit, int) or limit < 1:
            raise RulesError(f"identity.max_distinct.{kind} must be a whole number >= 1, got {limit!r}")
        limits[kind] = limit
    blocked = table.get("blocked_values", [])
    if not isinstance(blocked, list) or not all(isinstance(v, str) for v in blocked):
        raise RulesError("identity: blocked_values must be a list of strings")
    policy = IdentifierPolicy(DEFAULT_BLOCKLIST, frozenset(v.strip().lower() for v in blocked))
    return MatchRules(max_leads_per_identifier=cap, max_distinct=limits), policy


def _whole(where: str, raw: Any, minimum: int) -> int:
    """A whole number of at least `minimum`, or a RulesError naming the key."""
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < minimum:
        raise RulesError(f"{where} must be a whole number >= {minimum}, got {raw!r}")
    return raw


def _parse_dispatch(table: dict[str, Any]) -> DispatchRules:
    """Validate the [dispatch] table."""
    unknown = set(table) - {"idle_minutes", "grab_seconds", "grab_fallback"}
    if unknown:
        raise RulesError(f"dispatch: unknown key(s) {sorted(unknown)}")
    base = DispatchRules()
    steps = table.get("grab_fallback", [s.value for s in base.grab_fallback])
    if not isinstance(steps, list):
        raise RulesError("dispatch.grab_fallback must be a list")
    try:
        chain = tuple(FallbackStep(s) for s in steps)
    except ValueError:
        raise RulesError(
            f"dispatch.grab_fallback: {steps!r} may only contain {[s.value for s in FallbackStep]}"
        ) from None
    return DispatchRules(
        idle_minutes=_whole("dispatch.idle_minutes", table.get("idle_minutes", base.idle_minutes), 0),
        grab_seconds=_whole("dispatch.grab_seconds", table.get("grab_seconds", base.grab_seconds), 1),
        grab_fallback=chain,
    )


def _dates(where: str, raw: Any) -> frozenset[date]:
    """A list of ISO dates ('2026-10-01') or TOML dates."""
    if not isinstance(raw, list):
        raise RulesError(f'{where} must be a list of dates like "2026-10-01"')
    out = set()
    for item in raw:
        if isinstance(item, date):
            out.add(item)
            continue
        try:
            out.add(date.fromisoformat(str(item)))
        except ValueError:
            raise RulesError(f'{where}: {item!r} is not a date like "2026-10-01"') from None
    return frozenset(out)


def _parse_calendar(table: dict[str, Any]) -> OfficeCalendar:
    """Validate the [calendar] table."""
    unknown = set(table) - {"auto_assign_weekdays", "holidays", "workdays"}
    if unknown:
        raise RulesError(f"calendar: unknown key(s) {sorted(unknown)}")
    days = table.get("auto_assign_weekdays", [1, 2, 3, 4, 5])
    if not isinstance(days, list) or not all(isinstance(d, int) and 1 <= d <= 7 for d in days):
        raise RulesError(f"calendar.auto_assign_weekdays must list ISO weekdays 1 (Monday) to 7, got {days!r}")
    holidays = _dates("calendar.holidays", table.get("holidays", []))
    workdays = _dates("calendar.workdays", table.get("workdays", []))
    both = holidays & workdays
    if both:
        raise RulesError(f"calendar: {sorted(d.isoformat() for d in both)} are both holidays and workdays")
    return OfficeCalendar(frozenset(days), holidays, workdays)


def load_rules(path: Path | str | None = None) -> ProjectRules:
    """Load the defaults, overlay a project rules file if given, and validate everything."""
    with DEFAULT_RULES_FILE.open("rb") as fh:
        data = tomllib.load(fh)
    if path is not None:
        try:
            with Path(path).open("rb") as fh:
                data = _merge(data, tomllib.load(fh))
        except tomllib.TOMLDecodeError as exc:
            raise RulesError(f"{path}: not valid TOML ({exc})") from None
        except OSError as exc:
            raise RulesError(f"{path}: cannot read rules file ({exc.strerror})") from None
    sections = ("identity", "weights", "protection", "dispatch", "calendar", "alerts", "commission")
    unknown = set(data) - set(sections)
    if unknown:
        raise RulesError(f"unknown section(s) {sorted(unknown)}; expected {', '.join(sections)}")
    match, policy = _parse_identity(data.get("identity", {}))
    return ProjectRules(
        match=match,
        identifiers=policy,
        weights=_parse_weights(data.get("weights", {})),
        protection=_parse_protection(data.get("protection", {})),
        dispatch=_parse_dispatch(data.get("dispatch", {})),
        calendar=_parse_calendar(data.get("calendar", {})),
        alerts=_parse_alerts(data.get("alerts", {})),
        commission=_parse_commission(data.get("commission", {})),
    )


def _parse_alerts(table: dict[str, Any]) -> AlertRules:
    """Validate the [alerts] table."""
    try:
        return parse_alert_rules(table)
    except ValueError as exc:
        raise RulesError(str(exc)) from None


def _parse_commission(table: dict[str, Any]) -> CommissionRules:
    """Validate the [commission] table."""
    unknown = set(table) - {"pool_rate", "settlement_target_days"}
    if unknown:
        raise RulesError(f"commission: unknown key(s) {sorted(unknown)}")
    base = CommissionRules()
    raw = table.get("pool_rate", base.pool_rate)
    try:
        rate = Decimal(str(raw))
    except InvalidOperation:
        raise RulesError(f'commission.pool_rate {raw!r} is not a number like "0.015"') from None
    if isinstance(raw, bool) or not rate.is_finite() or not Decimal(0) <= rate <= Decimal(1):
        raise RulesError(f"commission.pool_rate must be between 0 and 1 (a share of the signed amount), got {raw!r}")
    target = table.get("settlement_target_days", base.settlement_target_days)
    return CommissionRules(rate, _whole("commission.settlement_target_days", target, 0))
