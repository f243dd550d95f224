"""The consultant capability radar (销售能力画像): tag use per consultant beside the team's, and whether a
tag's use goes with shorter or longer deal cycles. Pure: the figures come from `models.transcripts`
(`load_usage`, `customer_tag_use`), so screens can import these types without the database layer.

Rates count what the consultant said (their own lines and unlabelled ones, never the customer's), per
1,000 characters of that speech or per call. The team is everyone pooled (total hits over total
characters), so a prolific talker weighs more than a quiet one, as in the office's own totals.

Tag versus deal cycle: among customers with a closed deal (cycle in days, passed in by the caller)
and at least one call, those who heard a tag are compared with those who did not, with a two-sided
Mann–Whitney U test. No claim is made unless each side has `min_each` customers; p-values are
adjusted for testing many tags at once (Benjamini–Hochberg) before a difference is called real.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass

from models.tags import Taxonomy, default_taxonomy

MIN_EACH = 10  # customers on each side before any claim
ALPHA = 0.05


@dataclass(frozen=True)
class ConsultantUsage:
    """One consultant's calls, speech length and tag hits over a period."""

    staff_id: int
    name: str
    calls: int
    chars: int
    hits: Mapping[str, int]


@dataclass(frozen=True)
class DimensionScore:
    """One radar axis: the consultant's rate, the team's, and the best consultant's (the axis scale)."""

    key: str
    name: str
    mine: float
    team: float
    best: float


@dataclass(frozen=True)
class TagScore:
    """One tag's rate for the consultant and the team; `index` = mine / team (None when the team never uses it)."""

    key: str
    name: str
    dimension: str
    mine: float
    team: float
    hits: int
    index: float | None
    risk: bool = False


@dataclass(frozen=True)
class RadarProfile:
    """Everything the radar screen shows for one consultant."""

    staff_id: int
    name: str
    per: str  # "1k_chars" | "call"
    calls: int
    chars: int
    team_size: int
    team_calls: int
    dimensions: tuple[DimensionScore, ...]
    top: tuple[TagScore, ...]  # used most above the team's rate
    bottom: tuple[TagScore, ...]  # the team uses them, this consultant least (coaching gaps)
    risks: tuple[TagScore, ...]  # non-compliant phrases heard from this consultant


@dataclass(frozen=True)
class CycleFinding:
    """Deal cycles of customers who heard a tag against those who did not."""

    tag: str
    name: str
    users: int
    non_users: int
    users_median: float | None
    non_users_median: float | None
    p_value: float | None  # adjusted for the number of tags tested
    verdict: str  # "faster" | "slower" | "no_difference" | "not_enough_data"

    @property
    def days_faster(self) -> float | None:
        """Median cycle of non-users minus that of users (positive: users close faster)."""
        if self.users_median is None or self.non_users_median is None:
            return None
        return self.non_users_median - self.users_median


def _rate(hits: int, usage_calls: int, chars: int, per: str) -> float:
    if per == "call":
        return hits / usage_calls if usage_calls else 0.0
    return hits * 1000 / chars if chars else 0.0


def build_profile(
    usage: list[ConsultantUsage], staff_id: int, taxonomy: Taxonomy | None = None, per: str = "1k_chars", top_n: int = 5
) -> RadarProfile:
    """The radar of one consultant beside the pooled team (KeyError when they have no calls)."""
    taxonomy = taxonomy or default_taxonomy()
    me = next((u for u in usage if u.staff_id == staff_id), None)
    if me is None:
        raise KeyError(f"no calls for staff #{staff_id}")
    team_calls = sum(u.calls for u in usage)
    team_chars = sum(u.chars for u in usage)
    team_hits: dict[str, int] = {}
    for u in usage:
        for tag, n in u.hits.items():
            team_hits[tag] = team_hits.get(tag, 0) + n
    dims = []
    for d in taxonomy.dimensions:
        keys = [t.key for t in taxonomy.tags_of(d.key) if not t.risk]

        def dim_rate(h: Mapping[str, int], calls: int, chars: int, keys: list[str] = keys) -> float:
            return _rate(sum(h.get(k, 0) for k in keys), calls, chars, per)

        best = max(dim_rate(u.hits, u.calls, u.chars) for u in usage)
        dims.append(
            DimensionScore(
                d.key,
                d.name,
                dim_rate(me.hits, me.calls, me.chars),
                dim_rate(team_hits, team_calls, team_chars),
                best,
            )
        )
    scores = []
    for t in taxonomy.tags:
        mine_hits = me.hits.get(t.key, 0)
        team = _rate(team_hits.get(t.key, 0), team_calls, team_chars, per)
        if not team and not mine_hits:
            continue
        mine = _rate(mine_hits, me.calls, me.chars, per)
        index = mine / team if team else None
        scores.append(TagScore(t.key, t.name, t.dimension, mine, team, mine_hits, index, t.risk))
    usual = [s for s in scores if not s.risk and s.index is not None]
    above = (s for s in usual if s.hits and s.index > 1)  # "used more than the team": above it, not just first
    top = sorted(above, key=lambda s: (-s.index, -s.mine, s.key))[:top_n]
    below = (s for s in usual if s.index < 1)
    bottom = sorted(below, key=lambda s: (s.index, -s.team, s.key))[:top_n]
    risks = tuple(s for s in scores if s.risk and s.hits)
    return RadarProfile(
        me.staff_id,
        me.name,
        per,
        me.calls,
        me.chars,
        len(usage),
        team_calls,
        tuple(dims),
        tuple(top),
        tuple(bottom),
        risks,
    )


def cycle_findings(
    tag_use: Mapping[int, set[str]],
    cycle_days: Mapping[int, float],
    taxonomy: Taxonomy | None = None,
    min_each: int = MIN_EACH,
    alpha: float = ALPHA,
) -> list[CycleFinding]:
    """For every tag heard by a customer with a closed deal: faster, slower, no clear difference, or not enough data.

    `cycle_days` maps customer id → days from first touch to signing (only closed deals); customers
    with calls but no entry there are left out. Sorted: claims first (largest difference), then the rest.
    """
    from scipy.stats import false_discovery_control, mannwhitneyu  # heavy: loaded when findings are asked for

    taxonomy = taxonomy or default_taxonomy()
    sample = {cid: float(cycle_days[cid]) for cid in tag_use if cid in cycle_days}
    heard = sorted({tag for cid in sample for tag in tag_use[cid]})
    rows = []
    for tag in heard:
        users = [d for cid, d in sample.items() if tag in tag_use[cid]]
        others = [d for cid, d in sample.items() if tag not in tag_use[cid]]
        p = None
        if len(users) >= min_each and len(others) >= min_each:
            p = float(mannwhitneyu(users, others, alternative="two-sided").pvalue)
        rows.append((tag, users, others, p))
    tested = [i for i, r in enumerate(rows) if r[3] is not None]
    adjusted = dict(zip(tested, false_discovery_control([rows[i][3] for i in tested]), strict=True)) if tested else {}
    out = []
    for i, (tag, users, others, _p) in enumerate(rows):
        mu = statistics.median(users) if users else None
        mo = statistics.median(others) if others else None
        p_adj = float(adjusted[i]) if i in adjusted else None
        if p_adj is None:
            verdict = "not_enough_data"
        elif p_adj >= alpha or mu == mo:
            verdict = "no_difference"
        else:
            verdict = "faster" if mu < mo else "slower"
        name = taxonomy.tag(tag).name if tag in {t.key for t in taxonomy.tags} else tag
        out.append(CycleFinding(tag, name, len(users), len(others), mu, mo, p_adj, verdict))
    order = {"faster": 0, "slower": 0, "no_difference": 1, "not_enough_data": 2}
    return sorted(
        out,
        key=lambda f: (order[f.verdict], -abs(f.days_faster or 0) if f.p_value is None else f.p_value, -f.users, f.tag),
    )
