"""Alert rules in three levels, as pure functions over a customer's stored state and an injected now.

- red (一级): an owned customer with no follow-up for `red_hours` (48) — a forced popup;
- yellow (二级): the price page viewed longer than `price_dwell_s` (120) in one visit, or the same
  unit's VR viewed `vr_repeat` (3) times in a row — WeCom to the owner only;
- blue (三级): a floor plan saved as favourite — report only.

Every candidate carries a dedup key (customer, rule): at most one open alert per customer and rule.
Computed from stored timestamps, never from in-memory timers, so a restart changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class Level(StrEnum):
    """How loud an alert is."""

    RED = "red"
    YELLOW = "yellow"
    BLUE = "blue"


class Rule(StrEnum):
    """Which rule raised it."""

    NO_FOLLOW_UP = "no_follow_up"
    PRICE_DWELL = "price_dwell"
    VR_REPEAT = "vr_repeat"
    FAVOURITE_PLAN = "favourite_plan"


LEVEL_OF = {
    Rule.NO_FOLLOW_UP: Level.RED,
    Rule.PRICE_DWELL: Level.YELLOW,
    Rule.VR_REPEAT: Level.YELLOW,
    Rule.FAVOURITE_PLAN: Level.BLUE,
}


@dataclass(frozen=True)
class AlertRules:
    """Thresholds and a switch per level (the [alerts] table of the rules file)."""

    red: bool = True
    yellow: bool = False  # the seed's advice: start with red only, add the others after two weeks
    blue: bool = False
    red_hours: int = 48
    price_dwell_s: int = 120
    price_paths: tuple[str, ...] = ("price",)
    vr_repeat: int = 3

    def enabled(self, level: Level) -> bool:
        """Whether a level raises alerts at all."""
        return {Level.RED: self.red, Level.YELLOW: self.yellow, Level.BLUE: self.blue}[level]


@dataclass(frozen=True)
class Behaviour:
    """One behaviour event of a customer (see models.behaviour)."""

    id: int
    kind: str  # page_view | vr_view | favourite_plan
    occurred_at: datetime
    page_path: str = ""
    dwell_s: int = 0
    unit_id: str = ""
    plan_id: str = ""


@dataclass(frozen=True)
class CustomerWatch:
    """What the rules need to know about one owned customer."""

    customer_id: int
    owner_id: int | None
    assigned_at: datetime | None  # when the current owner got the customer
    last_follow_up_at: datetime | None
    behaviours: Sequence[Behaviour] = ()


@dataclass(frozen=True)
class AlertCandidate:
    """An alert the rules say should be open, with its evidence."""

    customer_id: int
    rule: Rule
    level: Level
    since: datetime
    evidence: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple[int, str]:
        """At most one open alert per customer and rule."""
        return (self.customer_id, self.rule.value)


def quiet_since(watch: CustomerWatch) -> datetime | None:
    """From when the customer has been waiting: the last follow-up, else the assignment."""
    return watch.last_follow_up_at or watch.assigned_at


def red_due(watch: CustomerWatch, now: datetime, rules: AlertRules) -> AlertCandidate | None:
    """No follow-up for `red_hours` (strictly more) since the last one or since assignment."""
    start = quiet_since(watch)
    if watch.owner_id is None or start is None:
        return None
    due = start + timedelta(hours=rules.red_hours)
    if now <= due:
        return None
    hours = int((now - start).total_seconds() // 3600)
    return AlertCandidate(watch.customer_id, Rule.NO_FOLLOW_UP, Level.RED, due, {"hours": hours})


def _after_follow_up(watch: CustomerWatch) -> list[Behaviour]:
    """Behaviour since the last follow-up (older signals were already talked about)."""
    ordered = sorted(watch.behaviours, key=lambda b: (b.occurred_at, b.id))
    if watch.last_follow_up_at is None:
        return ordered
    return [b for b in ordered if b.occurred_at > watch.last_follow_up_at]


def yellow_due(watch: CustomerWatch, rules: AlertRules) -> list[AlertCandidate]:
    """Price page dwell over the threshold; the same VR unit viewed N times in a row."""
    out = []
    recent = _after_follow_up(watch)
    price = [
        b
        for b in recent
        if b.kind == "page_view"
        and b.dwell_s > rules.price_dwell_s
        and any(p in b.page_path for p in rules.price_paths)
    ]
    if price:
        first = price[0]
        evidence = {"dwell_s": first.dwell_s, "page_path": first.page_path, "behaviour_id": first.id}
        out.append(AlertCandidate(watch.customer_id, Rule.PRICE_DWELL, Level.YELLOW, first.occurred_at, evidence))
    run_unit, run, hit = "", 0, None
    for b in (b for b in recent if b.kind == "vr_view"):
        run = run + 1 if b.unit_id == run_unit else 1
        run_unit = b.unit_id
        if run >= rules.vr_repeat and b.unit_id and hit is None:
            hit = b
    if hit is not None:
        evidence = {"unit_id": hit.unit_id, "views": rules.vr_repeat, "behaviour_id": hit.id}
        out.append(AlertCandidate(watch.customer_id, Rule.VR_REPEAT, Level.YELLOW, hit.occurred_at, evidence))
    return out


def blue_due(watch: CustomerWatch) -> AlertCandidate | None:
    """A floor plan saved as favourite since the last follow-up."""
    saved = [b for b in _after_follow_up(watch) if b.kind == "favourite_plan"]
    if not saved:
        return None
    first = saved[0]
    evidence = {"plan_id": first.plan_id, "behaviour_id": first.id}
    return AlertCandidate(watch.customer_id, Rule.FAVOURITE_PLAN, Level.BLUE, first.occurred_at, evidence)


def evaluate(watch: CustomerWatch, now: datetime, rules: AlertRules) -> list[AlertCandidate]:
    """Every alert that should be open for this customer now (levels switched off raise nothing)."""
    found: list[AlertCandidate] = []
    if rules.red and (red := red_due(watch, now, rules)):
        found.append(red)
    if rules.yellow:
        found += yellow_due(watch, rules)
    if rules.blue and (blue := blue_due(watch)):
        found.append(blue)
    return found


def to_resolve(open_keys: set[tuple[int, str]], candidates: list[AlertCandidate]) -> set[tuple[int, str]]:
    """Open alerts whose condition no longer holds (e.g. the owner followed up): they resolve themselves."""
    return open_keys - {c.key for c in candidates}


def parse_alert_rules(table: dict) -> AlertRules:
    """Validate the [alerts] table of the rules file; ValueError names the key."""
    base = AlertRules()
    known = set(AlertRules.__dataclass_fields__)
    unknown = set(table) - known
    if unknown:
        raise ValueError(f"alerts: unknown key(s) {sorted(unknown)}; known: {sorted(known)}")
    values: dict = {}
    for key in ("red", "yellow", "blue"):
        if key in table:
            if not isinstance(table[key], bool):
                raise ValueError(f"alerts.{key} must be true or false, got {table[key]!r}")
            values[key] = table[key]
    for key, minimum in (("red_hours", 1), ("price_dwell_s", 1), ("vr_repeat", 2)):
        if key in table:
            raw = table[key]
            if isinstance(raw, bool) or not isinstance(raw, int) or raw < minimum:
                raise ValueError(f"alerts.{key} must be a whole number >= {minimum}, got {raw!r}")
            values[key] = raw
    if "price_paths" in table:
        paths = table["price_paths"]
        if not isinstance(paths, list) or not paths or not all(isinstance(p, str) and p for p in paths):
            raise ValueError("alerts.price_paths must be a non-empty list of text")
        values["price_paths"] = tuple(paths)
    return AlertRules(**{**base.__dict__, **values})
