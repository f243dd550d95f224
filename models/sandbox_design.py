"""Policy sandbox (政策沙盒) without the database: what an experiment is, its checks with clear errors,
and the deterministic, sticky assignment of a customer to a variant.

Screens import this module (it has no SQL); `models.sandbox` stores what it checks. Messages follow
`models.messages`: a code and parameters, rendered in Simplified Chinese (default) or English.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from models.clock import business_time, to_utc
from models.privacy import Vault
from models.sandbox_texts import STATE_ZH, TEXTS, render

STATES = ("draft", "running", "stopped")
THROUGH = ("consultant", "phone", "wechat", "sms", "mini_program", "other")
KINDS = ("subscription", "signing")
DEFAULT_SHARE_BP = 500  # 5 %
FULL_SHARE_BP = 10_000
NAME_MAX, KEY_MAX, HYPOTHESIS_MAX = 80, 48, 2000
VARIANT_NAME_MAX, POLICY_MAX, MAX_VARIANTS, MAX_WEIGHT = 32, 200, 8, 100
_SPACE = 2**64


def stamp(at: datetime | None) -> str:
    """Business time as YYYY-MM-DD HH:MM for messages."""
    return "—" if at is None else business_time(at).strftime("%Y-%m-%d %H:%M")


class ExperimentError(ValueError):
    """An experiment, exposure or conversion that cannot be accepted; `field` names the form field."""

    def __init__(self, code: str, field: str = "", **params: Any):
        """A message code, the field it concerns and the message's parameters."""
        self.code, self.field, self.params = code, field, params
        super().__init__(render(TEXTS, code, params, "en"))

    def text(self, lang: str = "zh") -> str:
        """The message in Simplified Chinese (default) or English."""
        return render(TEXTS, self.code, self.params, lang)


@dataclass(frozen=True)
class Variant:
    """One arm: a short name ("A"), the policy it offers ("9.5折") and its relative weight."""

    name: str
    policy: str
    weight: int = 1
    variant_id: int | None = None


@dataclass(frozen=True)
class ExperimentPlan:
    """A checked definition: ready to be stored as a draft (times in UTC, share in basis points)."""

    name: str
    policy_key: str
    hypothesis: str
    share_bp: int
    starts_at: datetime
    stops_at: datetime
    variants: tuple[Variant, ...]
    allow_overlap: bool = False


@dataclass(frozen=True)
class ExperimentSummary:
    """A stored experiment as lists and the comparison panel show it."""

    experiment_id: int
    name: str
    policy_key: str
    hypothesis: str
    share_bp: int
    allow_overlap: bool
    starts_at: datetime
    stops_at: datetime
    state: str
    created_by: str
    created_at: datetime
    variants: tuple[Variant, ...]
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    exposures: int = 0
    conversions: int = 0

    @property
    def window_end(self) -> datetime:
        """When exposures stop and conversions stop counting: the planned stop, or an earlier stop."""
        if self.stopped_at is not None and self.stopped_at < self.stops_at:
            return self.stopped_at
        return self.stops_at

    def phase(self, now: datetime) -> str:
        """draft | scheduled (started, window not open yet) | running | ended (window over) | stopped."""
        if self.state != "running":
            return self.state
        if now < self.starts_at:
            return "scheduled"
        return "running" if now < self.stops_at else "ended"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (times as ISO 8601) for the hub's answers."""
        out: dict[str, Any] = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "variants"}
        for k in ("starts_at", "stops_at", "created_at", "started_at", "stopped_at"):
            out[k] = None if out[k] is None else out[k].isoformat()
        out["variants"] = [
            {"name": v.name, "policy": v.policy, "weight": v.weight, "variant_id": v.variant_id} for v in self.variants
        ]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ExperimentSummary:
        """The inverse of `as_dict`."""
        values = dict(data)
        for k in ("starts_at", "stops_at", "created_at", "started_at", "stopped_at"):
            values[k] = None if values.get(k) is None else to_utc(datetime.fromisoformat(values[k]))
        values["variants"] = tuple(Variant(**v) for v in data["variants"])
        return cls(**values)


# --- checking a definition ---------------------------------------------------------------------


def parse_share(value: Any) -> int:
    """An exposed share given in percent ("5", "5%", "12.5 %", 5, Decimal) → basis points in 1..10000."""
    text = str(value).strip().rstrip("%％").strip() if value is not None else ""
    try:
        percent = Decimal(text)
    except InvalidOperation:
        raise ExperimentError("share_invalid", "share", value=str(value)[:16]) from None
    if not percent.is_finite():
        raise ExperimentError("share_invalid", "share", value=str(value)[:16])
    if not Decimal(0) < percent <= Decimal(100):
        raise ExperimentError("share_range", "share", value=format(percent.normalize(), "f"))
    bp = percent * 100
    if bp != bp.to_integral_value():
        raise ExperimentError("share_precision", "share", value=format(percent.normalize(), "f"))
    return int(bp)


def parse_time(value: Any, field_name: str) -> datetime:
    """A datetime or ISO 8601 text (naive means business time) → aware UTC."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ExperimentError("time_invalid", field_name, value=value[:32]) from None
    if not isinstance(value, datetime):
        raise ExperimentError("time_invalid", field_name, value=str(value)[:32])
    return to_utc(value)


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return " ".join(str(value).split()) if value is not None else ""


def _variants(raw: Any) -> tuple[Variant, ...]:
    items = list(raw or [])
    if len(items) < 2:
        raise ExperimentError("variants_few", "variants[0].name" if not items else "variants[1].name")
    if len(items) > MAX_VARIANTS:
        raise ExperimentError("variants_many", f"variants[{MAX_VARIANTS}].name", max=MAX_VARIANTS)
    out: list[Variant] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        item = asdict(item) if isinstance(item, Variant) else item
        if not isinstance(item, Mapping):
            raise ExperimentError("variant_name_missing", f"variants[{i}].name", n=i + 1)
        name, policy = _text(item, "name"), _text(item, "policy")
        where = f"variants[{i}]"
        if not name:
            raise ExperimentError("variant_name_missing", f"{where}.name", n=i + 1)
        if len(name) > VARIANT_NAME_MAX:
            raise ExperimentError("variant_name_long", f"{where}.name", name=name[:40], max=VARIANT_NAME_MAX)
        if name.casefold() in seen:
            raise ExperimentError("variant_name_duplicate", f"{where}.name", name=name)
        seen.add(name.casefold())
        if not policy:
            raise ExperimentError("variant_policy_missing", f"{where}.policy", name=name)
        if len(policy) > POLICY_MAX:
            raise ExperimentError("variant_policy_long", f"{where}.policy", name=name, max=POLICY_MAX)
        weight = item.get("weight", 1)
        weight = 1 if weight in (None, "") else weight
        try:
            whole = int(str(weight).strip())
        except ValueError:
            whole = -1
        if not 1 <= whole <= MAX_WEIGHT:
            raise ExperimentError("weight_invalid", f"{where}.weight", name=name, max=MAX_WEIGHT)
        out.append(Variant(name, policy, whole))
    return tuple(out)


def plan_from_dict(data: Mapping[str, Any], now: datetime) -> ExperimentPlan:
    """Check a definition as entered (the dialog's fields, or a hub command's parameters).

    Keys: name, policy_key, hypothesis, share (percent, default 5), starts_at, stops_at (datetimes or
    ISO text), variants [{name, policy, weight?}], allow_overlap. Raises ExperimentError naming the field.
    """
    name = _text(data, "name")
    if not name:
        raise ExperimentError("name_missing", "name")
    if len(name) > NAME_MAX:
        raise ExperimentError("name_long", "name", max=NAME_MAX)
    key = _text(data, "policy_key").casefold()
    if not key:
        raise ExperimentError("key_missing", "policy_key")
    if len(key) > KEY_MAX:
        raise ExperimentError("key_long", "policy_key", max=KEY_MAX)
    hypothesis = str(data.get("hypothesis") or "").strip()
    if len(hypothesis) > HYPOTHESIS_MAX:
        raise ExperimentError("hypothesis_long", "hypothesis", max=HYPOTHESIS_MAX)
    share = data.get("share")
    share_bp = DEFAULT_SHARE_BP if share is None or str(share).strip() == "" else parse_share(share)
    starts_at = parse_time(data.get("starts_at"), "starts_at")
    stops_at = parse_time(data.get("stops_at"), "stops_at")
    if stops_at <= starts_at:
        raise ExperimentError("window_order", "stops_at", start=stamp(starts_at), stop=stamp(stops_at))
    if stops_at <= now:
        raise ExperimentError("window_past", "stops_at", stop=stamp(stops_at), now=stamp(now))
    variants = _variants(data.get("variants"))
    return ExperimentPlan(
        name, key, hypothesis, share_bp, starts_at, stops_at, variants, bool(data.get("allow_overlap", False))
    )


def check_overlap(
    policy_key: str,
    starts_at: datetime,
    stops_at: datetime,
    allow_overlap: bool,
    running: Sequence[ExperimentSummary],
    own_id: int | None = None,
) -> None:
    """Refuse a window that overlaps a running experiment on the same policy key, unless declared."""
    if allow_overlap:
        return
    for other in running:
        if other.experiment_id == own_id or other.state != "running" or other.policy_key != policy_key:
            continue
        if starts_at < other.window_end and other.starts_at < stops_at:
            raise ExperimentError(
                "overlap",
                "allow_overlap",
                other=other.experiment_id,
                name=other.name,
                key=policy_key,
                start=stamp(other.starts_at),
                stop=stamp(other.window_end),
            )


def state_name(state: str, lang: str = "zh") -> str:
    """草稿 / 进行中 / 已停止 … for a state or phase."""
    return STATE_ZH.get(state, state) if lang == "zh" else state


# --- sticky assignment -------------------------------------------------------------------------


def sandbox_key(vault: Vault) -> bytes:
    """The assignment key: a PRF of the vault's blind-index key under the sandbox's own label.

    Independent of every other use of the master key (no identifier is ever indexed under this
    kind), stable across processes and machines that share the master key, unknown to anyone without it.
    """
    return bytes.fromhex(vault.blind_index("policy-sandbox", "assignment/v1"))


@dataclass(frozen=True)
class Draw:
    """Two independent uniform 64-bit numbers for one customer in one experiment."""

    exposure: int
    variant: int


def draw(key: bytes, experiment_id: int, customer_id: int) -> Draw:
    """HMAC-SHA256(key, experiment id ‖ customer id), split into the exposure and variant numbers."""
    digest = hmac.new(key, f"sandbox\x1f{int(experiment_id)}\x1f{int(customer_id)}".encode(), hashlib.sha256).digest()
    return Draw(int.from_bytes(digest[:8], "big"), int.from_bytes(digest[8:16], "big"))


def assign(key: bytes, experiment_id: int, customer_id: int, share_bp: int, weights: Sequence[int]) -> int | None:
    """The variant position this customer gets, or None when outside the exposed share (exact integers)."""
    d = draw(key, experiment_id, customer_id)
    if d.exposure * FULL_SHARE_BP >= share_bp * _SPACE:
        return None
    total = sum(weights)
    point = d.variant * total // _SPACE
    for position, weight in enumerate(weights):
        if point < weight:
            return position
        point -= weight
    return len(weights) - 1  # unreachable: point < total


@dataclass(frozen=True)
class Assignment:
    """What to offer a customer: their variant (sticky), or the standard policy (outside the share)."""

    experiment_id: int
    customer_id: int
    exposed: bool
    position: int | None = None
    variant_name: str = ""
    policy: str = ""
    first_exposed_at: datetime | None = None
    reason: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "zh") -> str:
        """Why: the variant and policy, already in it since …, or outside the exposed share."""
        return render(TEXTS, self.reason.get("code", ""), self.reason, lang)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with the reason in both languages, for the hub's answer."""
        out = asdict(self)
        out["first_exposed_at"] = None if self.first_exposed_at is None else self.first_exposed_at.isoformat()
        return {**out, "text": self.text("zh"), "text_en": self.text("en")}
