"""Policy sandbox statistics, pure: who counts, per-variant rates with Wilson intervals, tests against
the control (first variant), and a verdict in plain words only once the minimum sample is reached.

Counting (`tally`): a person counts once, under the customer they survive as (merged customers fold
into the survivor, whose earliest exposure decides the variant); a conversion counts when it comes at
or after that first exposure and no later than the experiment's window end.
Testing (`compare`): a two-proportion z-test (pooled, two-sided), or Fisher's exact test when an
expected cell of the 2×2 table is below 5; with more than one challenger the p-values are Holm-adjusted.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models.sandbox_texts import VERDICTS, render


@dataclass(frozen=True)
class ExposureFact:
    """A stored exposure: which customer saw which variant (position) when."""

    exposure_id: int
    customer_id: int
    position: int
    exposed_at: datetime


@dataclass(frozen=True)
class ConversionFact:
    """A stored conversion: a customer's subscription or signing, when."""

    customer_id: int
    kind: str
    converted_at: datetime


@dataclass(frozen=True)
class VariantCounts:
    """Exposed and converted people of one variant."""

    name: str
    policy: str
    exposures: int
    conversions: int


@dataclass(frozen=True)
class SampleRule:
    """When a verdict may be given and how sure it must be (defaults: 100 a variant, 10 conversions)."""

    min_exposures: int = 100  # exposed customers in EVERY variant
    min_conversions: int = 10  # converted customers over all variants
    alpha: float = 0.05
    confidence: float = 0.95


@dataclass(frozen=True)
class VariantResult:
    """One row of the comparison: counts, rate, its interval, and the test against the control."""

    name: str
    policy: str
    exposures: int
    conversions: int
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    is_control: bool = False
    diff: float | None = None  # rate − the control's rate
    p_value: float | None = None  # adjusted when several challengers are tested
    test: str = ""  # "z" | "fisher" | ""


@dataclass(frozen=True)
class Verdict:
    """The conclusion as a code with display-ready parameters; `text` renders it."""

    kind: str  # empty | not_enough | better | worse | no_difference | no_difference_many
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "zh") -> str:
        """The verdict in plain Chinese (default) or English."""
        return render(VERDICTS, self.kind, self.params, lang)


@dataclass(frozen=True)
class Comparison:
    """The live comparison of one experiment."""

    experiment_id: int
    rows: tuple[VariantResult, ...]
    verdict: Verdict
    rule: SampleRule = SampleRule()
    as_of: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for the hub's answer."""
        return {
            "experiment_id": self.experiment_id,
            "rows": [vars(r).copy() for r in self.rows],
            "verdict": {"kind": self.verdict.kind, "params": dict(self.verdict.params)},
            "rule": vars(self.rule).copy(),
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Comparison:
        """The inverse of `as_dict`."""
        return cls(
            int(data["experiment_id"]),
            tuple(VariantResult(**r) for r in data["rows"]),
            Verdict(data["verdict"]["kind"], dict(data["verdict"]["params"])),
            SampleRule(**data["rule"]),
            None if data.get("as_of") is None else datetime.fromisoformat(data["as_of"]),
        )


def tally(
    variants: Sequence[tuple[str, str]],
    exposures: Sequence[ExposureFact],
    conversions: Sequence[ConversionFact],
    survivors: Mapping[int, int],
    window_end: datetime,
    kind: str = "any",
) -> list[VariantCounts]:
    """People exposed and converted per variant; `survivors` maps a merged customer to its survivor."""
    first: dict[int, ExposureFact] = {}
    for e in sorted(exposures, key=lambda e: (e.exposed_at, e.exposure_id)):
        first.setdefault(survivors.get(e.customer_id, e.customer_id), e)
    converted: set[int] = set()
    for c in conversions:
        root = survivors.get(c.customer_id, c.customer_id)
        seen = first.get(root)
        if seen is None or (kind != "any" and c.kind != kind):
            continue
        if seen.exposed_at <= c.converted_at <= window_end:
            converted.add(root)
    exposed_n = [0] * len(variants)
    converted_n = [0] * len(variants)
    for root, e in first.items():
        if 0 <= e.position < len(variants):
            exposed_n[e.position] += 1
            converted_n[e.position] += root in converted
    return [VariantCounts(n, p, exposed_n[i], converted_n[i]) for i, (n, p) in enumerate(variants)]


_NORMAL = statistics.NormalDist()


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion (None without observations)."""
    if n <= 0:
        return None
    z = _NORMAL.inv_cdf(0.5 + confidence / 2)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def two_proportion_z(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float]:
    """Pooled two-proportion z statistic (group 2 minus group 1) and its two-sided p-value."""
    if n1 <= 0 or n2 <= 0:
        return 0.0, 1.0
    pooled = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 0.0, 1.0
    z = (k2 / n2 - k1 / n1) / se
    return z, float(min(1.0, 2 * (1 - _NORMAL.cdf(abs(z)))))


def needs_exact(k1: int, n1: int, k2: int, n2: int) -> bool:
    """Whether an expected cell of the 2×2 table is below 5 (then Fisher's exact test is used)."""
    total, converted = n1 + n2, k1 + k2
    if total == 0:
        return False
    return any(n * c / total < 5 for n in (n1, n2) for c in (converted, total - converted))


def p_against_control(k1: int, n1: int, k2: int, n2: int) -> tuple[float, str]:
    """(two-sided p, "z" or "fisher") for a challenger (k2 of n2) against the control (k1 of n1)."""
    if needs_exact(k1, n1, k2, n2):
        from scipy.stats import fisher_exact  # scipy loads in about half a second: only when a test needs it

        return float(fisher_exact([[k1, n1 - k1], [k2, n2 - k2]]).pvalue), "fisher"
    return two_proportion_z(k1, n1, k2, n2)[1], "z"


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm–Bonferroni adjusted p-values, in the given order."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def format_rate(rate: float | None) -> str:
    """'8.1%' ('—' without exposures)."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


def format_p(p: float | None, alpha: float = 0.05) -> str:
    """'p=0.01', 'p=0.049', 'p<0.001': two significant digits, never rounded across alpha."""
    if p is None:
        return "p=—"
    if p < 0.001:
        return "p<0.001"
    text = f"{p:.2g}"
    if (p < alpha) != (float(text) < alpha):
        text = f"{p:.3g}"
    return f"p={text}"


def compare(
    counts: Sequence[VariantCounts], rule: SampleRule = SampleRule(), experiment_id: int = 0, as_of=None
) -> Comparison:
    """Rates, intervals, tests against the first variant and the verdict (none below the minimum sample)."""
    rows: list[VariantResult] = []
    for c in counts:
        ci = wilson_interval(c.conversions, c.exposures, rule.confidence)
        rate = c.conversions / c.exposures if c.exposures else None
        rows.append(VariantResult(c.name, c.policy, c.exposures, c.conversions, rate, *(ci or (None, None))))
    if len(rows) < 2:
        return Comparison(experiment_id, tuple(rows), Verdict("empty"), rule, as_of)
    control = counts[0]
    raw = [p_against_control(control.conversions, control.exposures, c.conversions, c.exposures) for c in counts[1:]]
    adjusted = holm([p for p, _ in raw])
    rows[0] = VariantResult(**{**vars(rows[0]), "is_control": True})
    for i, ((_p, test), p) in enumerate(zip(raw, adjusted, strict=True), start=1):
        r = rows[i]
        diff = None if r.rate is None or rows[0].rate is None else r.rate - rows[0].rate
        rows[i] = VariantResult(**{**vars(r), "diff": diff, "p_value": p, "test": test})
    return Comparison(experiment_id, tuple(rows), verdict(rows, rule), rule, as_of)


def verdict(rows: Sequence[VariantResult], rule: SampleRule) -> Verdict:
    """The plain-language conclusion of compared rows (the first is the control)."""
    least = min(r.exposures for r in rows)
    converted = sum(r.conversions for r in rows)
    if least < rule.min_exposures or converted < rule.min_conversions:
        return Verdict(
            "not_enough",
            {
                "min_exposures": rule.min_exposures,
                "min_conversions": rule.min_conversions,
                "least": least,
                "conversions": converted,
            },
        )
    control, challengers = rows[0], list(rows[1:])
    significant = [r for r in challengers if r.p_value is not None and r.p_value < rule.alpha]
    better = [r for r in significant if (r.diff or 0) > 0]
    worse = [r for r in significant if (r.diff or 0) < 0]
    pick = None
    if better:
        pick = max(better, key=lambda r: r.rate or 0)
    elif worse:
        pick = min(worse, key=lambda r: r.rate or 0)
    if pick is not None:
        return Verdict(
            "better" if pick in better else "worse",
            {
                "variant": pick.name,
                "control": control.name,
                "rate": format_rate(pick.rate),
                "control_rate": format_rate(control.rate),
                "p": format_p(pick.p_value, rule.alpha),
            },
        )
    smallest = min(r.p_value for r in challengers if r.p_value is not None)
    if len(challengers) == 1:
        return Verdict("no_difference", {"p": format_p(smallest, rule.alpha), "control": control.name})
    return Verdict("no_difference_many", {"p": format_p(smallest, rule.alpha), "control": control.name})
