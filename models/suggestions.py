"""Suggested next action per alert: a table of rule -> sentence and unit id -> what the floor calls it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from models.alerts import AlertCandidate, Rule

BUILT_IN = Path(__file__).resolve().parent.parent / "resources" / "alerts" / "suggestions.toml"


class SuggestionError(ValueError):
    """The suggestions file is unusable; the message names the key."""


@dataclass(frozen=True)
class Suggestions:
    """Sentences per rule and names per unit-id prefix."""

    rules: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)

    def unit_name(self, unit_id: str) -> str:
        """'C-1203' -> '128㎡三居' by the longest matching prefix, else the id itself."""
        best = max((p for p in self.units if unit_id.startswith(p)), key=len, default=None)
        return self.units[best] if best is not None else unit_id

    def text(self, candidate: AlertCandidate, name_masked: str) -> str:
        """The suggestion for an alert, e.g. '李*客户-关注128㎡三居-建议明日提供首付分期方案'."""
        template = self.rules.get(candidate.rule.value, "")
        ev = candidate.evidence
        unit = ev.get("unit_id") or ev.get("plan_id") or ""
        values = {
            "name": name_masked or "匿名",
            "hours": ev.get("hours", ""),
            "minutes": max(1, round(ev.get("dwell_s", 0) / 60)) if "dwell_s" in ev else "",
            "unit": self.unit_name(unit) if unit else "",
        }
        try:
            return template.format(**values)
        except (KeyError, IndexError):
            return template


def load_suggestions(path: Path | None = None) -> Suggestions:
    """The office's own file if it exists, else the built-in table; every template is checked."""
    source = path if path is not None and path.exists() else BUILT_IN
    try:
        with source.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise SuggestionError(f"{source.name}: not valid TOML ({exc})") from None
    rules = data.get("rules", {})
    for key, template in rules.items():
        if key not in {r.value for r in Rule}:
            raise SuggestionError(f"{source.name}: rules.{key} is not a rule; expected {[r.value for r in Rule]}")
        try:
            template.format(name="", hours="", minutes="", unit="")
        except (KeyError, IndexError, ValueError) as exc:
            raise SuggestionError(f"{source.name}: rules.{key} has an unknown placeholder ({exc})") from None
    return Suggestions(dict(rules), {str(k): str(v) for k, v in data.get("units", {}).items()})
