"""佣金自动核算: split a signing's commission pool across agencies and the office's own channels.

Pure functions over the customer's touches and the project's 报备/判客 rules. The 判客 judgement at
the signing decides which agency may share (the owning one; every other agency gets a zero line
that says why); the office's own channels always share by their contribution weights. Amounts are
`Decimal`, exact to the fen, split by the largest-remainder method so the parts sum to the pool.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from models.attribution import Judgement, TouchRecord, judge
from models.clock import business_time
from models.leads import CHANNEL_LABELS_ZH, Channel
from models.messages import Reason
from models.rules import ProtectionRules

FEN = Decimal("0.01")

CATALOG: dict[str, dict[str, str]] = {
    "commission_owner_agency": {
        "zh": "判客归属{agency}（经纪人 {broker}，保护期至 {until}），参与分佣",
        "en": "attribution names {agency} (broker {broker}, protected until {until}): shares the pool",
    },
    "commission_own_channel": {
        "zh": "案场自有渠道（{channel}），按贡献参与分佣",
        "en": "the office's own channel ({channel_en}) shares by its contribution",
    },
    "commission_agency_excluded": {
        "zh": "判客未归属{agency}（归属：{owner}），不参与分佣：{why}",
        "en": "attribution does not name {agency} (owner: {owner_en}), no share: {why_en}",
    },
    "commission_share": {
        "zh": "贡献权重 {weight} / {total}，精确应得 {exact} 元，分得 {amount} 元",
        "en": "weight {weight} of {total}: exact share {exact}, paid {amount}",
    },
    "commission_rounding": {
        "zh": "含最大余数法分配的尾差 0.01 元",
        "en": "includes 0.01 from largest-remainder rounding",
    },
    "commission_unattributed": {
        "zh": "无可参与分佣的渠道贡献，佣金池 {amount} 元留归案场",
        "en": "no contribution may share: the pool of {amount} stays with the office",
    },
}


class CommissionError(ValueError):
    """A pool or weights that cannot be split as given; the message says why."""


@dataclass(frozen=True)
class CommissionReason(Reason):
    """A reason rendered from the commission catalog (same shape as the attribution reasons)."""

    def text(self, lang: str = "zh") -> str:
        """Render in 'zh' (default) or 'en'."""
        templates = CATALOG.get(self.code)
        if templates is None:
            return super().text(lang)
        template = templates.get(lang) or templates["zh"]
        try:
            return template.format(**self.params)
        except (KeyError, IndexError):
            return f"{self.code} {self.params}"


@dataclass(frozen=True)
class Party:
    """Who a split line pays: an agency (and its broker), one of the office's channels, or the office."""

    kind: str  # "agency" | "channel" | "office"
    channel: Channel | None
    agency_id: int | None = None
    agency_name: str = ""
    broker_id: int | None = None
    broker_name: str = ""
    consultant_id: int | None = None
    consultant_name: str = ""

    def label(self) -> str:
        """'链家（张三）', '抖音（王磊）' or '案场' for screens and exports."""
        if self.kind == "agency":
            return f"{self.agency_name}（{self.broker_name}）" if self.broker_name else self.agency_name
        if self.kind == "channel" and self.channel is not None:
            name = CHANNEL_LABELS_ZH.get(self.channel, self.channel.value)
            return f"{name}（{self.consultant_name}）" if self.consultant_name else name
        return "案场"


@dataclass(frozen=True)
class SplitLine:
    """One party's part of the pool, with the reasons it got what it got."""

    party: Party
    weight: Decimal
    eligible: bool
    exact: Decimal  # the unrounded share, to 0.0001 (for the explanation)
    amount: Decimal
    reasons: tuple[Reason, ...]

    def text(self, lang: str = "zh") -> str:
        """All reasons, joined."""
        return ("；" if lang == "zh" else "; ").join(r.text(lang) for r in self.reasons)


@dataclass(frozen=True)
class CommissionSplit:
    """A pool split at a moment: the lines (summing exactly to the pool) and the judgement behind them."""

    pool: Decimal
    at: datetime
    lines: tuple[SplitLine, ...]
    judgement: Judgement

    @property
    def total(self) -> Decimal:
        """The sum of the lines (always equal to the pool)."""
        return sum((line.amount for line in self.lines), Decimal(0))


def money(value: Any, what: str = "amount") -> Decimal:
    """A Decimal amount of yuan, exact to the fen and not negative; a CommissionError says what is wrong."""
    if isinstance(value, float | bool):
        raise CommissionError(f"{what} must be given as a decimal string or Decimal, not {type(value).__name__}")
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise CommissionError(f"{what} {str(value)[:24]!r} is not a number") from None
    if not amount.is_finite():
        raise CommissionError(f"{what} must be a finite number")
    if amount < 0:
        raise CommissionError(f"{what} {amount} must not be negative")
    if amount != amount.quantize(FEN):
        raise CommissionError(f"{what} {amount} has more than two decimals (amounts are exact to the fen)")
    return amount.quantize(FEN)


def split_pool(pool: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split `pool` by `weights` to the fen (largest remainder); the parts sum exactly to the pool."""
    return [Decimal(fens) * FEN for fens, _bumped in _split_fens(money(pool, "pool"), weights)]


def _split_fens(pool: Decimal, weights: Sequence[Decimal]) -> list[tuple[int, bool]]:
    """Each part in whole fens, and whether it got a remainder fen.

    Arithmetic is in whole fens and integer-scaled weights, so remainders compare exactly. Ties go
    to the earlier position (callers order parties by first touch).
    """
    if any(not w.is_finite() or w < 0 for w in weights):
        raise CommissionError("weights must be finite and not negative")
    if sum(weights, Decimal(0)) <= 0:
        raise CommissionError("the weights sum to zero: nothing to split by")
    scale = max(max((-int(w.as_tuple().exponent) for w in weights), default=0), 0)
    ints = [int(w.scaleb(scale)) for w in weights]
    whole = sum(ints)
    fens = int(pool.scaleb(2))
    floors = [fens * w // whole for w in ints]
    rests = [fens * w % whole for w in ints]
    bumped = set(sorted(range(len(ints)), key=lambda k: (-rests[k], k))[: fens - sum(floors)])
    return [(f + (i in bumped), i in bumped) for i, f in enumerate(floors)]


def _plain(value: Decimal) -> str:
    """A weight without trailing zeros: 0.4000 → '0.4'."""
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def _exact(value: Decimal) -> str:
    """An exact share: to the fen when it is whole fens, else to 0.0001."""
    four = value.quantize(Decimal("0.0001"))
    return f"{four:.2f}" if four == four.quantize(FEN) else f"{four:.4f}"


def _when(at: datetime | None) -> str:
    return business_time(at).strftime("%Y-%m-%d %H:%M") if at else "-"


def _parties(touches: Iterable[TouchRecord]) -> list[tuple[tuple, list[TouchRecord]]]:
    """Touches grouped by party, parties in order of their first touch (ties by lead id)."""
    groups: dict[tuple, list[TouchRecord]] = {}
    for t in sorted(touches, key=lambda t: (t.occurred_at, t.lead_id)):
        key = ("agency", t.agency_id) if t.channel is Channel.AGENCY else ("channel", t.channel)
        groups.setdefault(key, []).append(t)
    return list(groups.items())


def _owner_text(verdict: Judgement) -> tuple[str, str]:
    if verdict.owner == "agency":
        return verdict.agency_name, verdict.agency_name
    if verdict.owner == "own" and verdict.channel is not None:
        name = CHANNEL_LABELS_ZH.get(verdict.channel, verdict.channel.value)
        return f"案场自有渠道{name}", f"the office ({verdict.channel.value})"
    return "无", "nobody"


def _why_excluded(verdict: Judgement, agency: str) -> tuple[str, str]:
    """The judgement's reasons that name this agency, else all of them."""
    about = [r for r in verdict.reasons if agency and agency in (str(r.params.get("agency")), str(r.params.get("who")))]
    chosen = about or list(verdict.reasons)
    return "；".join(r.text() for r in chosen), "; ".join(r.text("en") for r in chosen)


def _eligibility(key: tuple, group: list[TouchRecord], verdict: Judgement, consultant: tuple[int | None, str]):
    """The party of a group, whether it may share, and the reason."""
    first = group[0]
    if key[0] == "channel":
        party = Party("channel", first.channel, consultant_id=consultant[0], consultant_name=consultant[1])
        label = CHANNEL_LABELS_ZH.get(first.channel, first.channel.value)
        return (
            party,
            True,
            CommissionReason("commission_own_channel", {"channel": label, "channel_en": first.channel.value}),
        )
    owner = verdict.owner == "agency" and verdict.agency_id == first.agency_id
    if owner:
        broker = (verdict.broker_id, verdict.broker_name)
    else:
        with_broker = [t for t in group if t.broker_id is not None]
        broker = (with_broker[-1].broker_id, with_broker[-1].broker_name) if with_broker else (None, "")
    party = Party("agency", Channel.AGENCY, first.agency_id, first.agency_name, broker[0], broker[1])
    if owner:
        params = {"agency": first.agency_name, "broker": broker[1] or "-", "until": _when(verdict.protected_until)}
        return party, True, CommissionReason("commission_owner_agency", params)
    owner_zh, owner_en = _owner_text(verdict)
    why, why_en = _why_excluded(verdict, first.agency_name)
    params = {"agency": first.agency_name, "owner": owner_zh, "owner_en": owner_en, "why": why, "why_en": why_en}
    return party, False, CommissionReason("commission_agency_excluded", params)


def split_commission(
    pool: Decimal,
    touches: Iterable[TouchRecord],
    rules: ProtectionRules,
    at: datetime,
    consultant: tuple[int | None, str] = (None, ""),
    deals: Sequence[datetime] = (),
) -> CommissionSplit:
    """Split a signing's pool by contribution weights among the parties the 判客 rules allow at `at`.

    `consultant` (id, name) is the deal's consultant, named on the office's channel lines; `deals`
    are the customer's 认购 times (a deal extends an agency's protection, as in `judge`).
    """
    pool = money(pool, "pool")
    seen = [t for t in touches if t.occurred_at <= at]
    verdict = judge(seen, rules, at, deals)
    groups = _parties(seen)
    parties = [_eligibility(key, group, verdict, consultant) for key, group in groups]
    weights = [sum((t.weight for t in group), Decimal(0)) for _key, group in groups]
    eligible = [w for (_party, ok, _reason), w in zip(parties, weights, strict=True) if ok]
    total = sum(eligible, Decimal(0))
    lines: list[SplitLine] = []
    parts = iter(_split_fens(pool, eligible) if total > 0 else [])
    for (party, ok, reason), weight in zip(parties, weights, strict=True):
        if not ok or total <= 0:
            lines.append(SplitLine(party, weight, False, Decimal(0), Decimal("0.00"), (reason,)))
            continue
        fens, bumped = next(parts)
        amount = Decimal(fens) * FEN
        exact = pool * weight / total
        params = {"weight": _plain(weight), "total": _plain(total), "exact": _exact(exact), "amount": str(amount)}
        why: tuple[Reason, ...] = (reason, CommissionReason("commission_share", params))
        if bumped:
            why += (CommissionReason("commission_rounding"),)
        lines.append(SplitLine(party, weight, True, exact.quantize(Decimal("0.0001")), amount, why))
    if total <= 0:
        office = CommissionReason("commission_unattributed", {"amount": str(pool)})
        lines.append(SplitLine(Party("office", None), Decimal(0), True, pool, pool, (office,)))
    return CommissionSplit(pool, at, tuple(lines), verdict)
