"""Policy sandbox storage: reading experiments, and the people in them — exposures (sticky, once per
person) and conversions (once per person and kind, after exposure, within the window).

A person is the surviving customer with every customer merged into it: an exposure or a conversion
recorded under any of them is theirs. Functions ending in `_in` run inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from models.deal_schema import deals
from models.experiment_schema import (
    experiment_conversions,
    experiment_exposures,
    experiment_variants,
    experiments,
)
from models.prepare import chunks
from models.sandbox_design import (
    KINDS,
    THROUGH,
    Assignment,
    ExperimentError,
    ExperimentSummary,
    Variant,
    assign,
    parse_time,
    stamp,
    state_name,
)
from models.sandbox_texts import KIND_ZH, TEXTS, render
from models.schema import customers


@dataclass(frozen=True)
class ConversionOutcome:
    """Whether a subscription or signing counts in an experiment, and why."""

    experiment_id: int
    customer_id: int
    kind: str
    counted: bool
    reason: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "zh") -> str:
        """Why it counts or not, in zh (default) or en."""
        return render(TEXTS, self.reason.get("code", ""), self.reason, lang)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with the reason in both languages, for the hub's answer."""
        return {**asdict(self), "text": self.text("zh"), "text_en": self.text("en")}


# --- reading -----------------------------------------------------------------------------------


def experiment_summaries(conn: Connection, where: Any = None, counts: bool = True) -> list[ExperimentSummary]:
    """Experiments matching a condition (all by default), newest first, with variants (and raw counts)."""
    q = sa.select(experiments).order_by(experiments.c.id.desc())
    rows = conn.execute(q if where is None else q.where(where)).all()
    ids = [r.id for r in rows]
    variants: dict[int, list[Variant]] = {i: [] for i in ids}
    tallies: dict[tuple[str, int], int] = {}
    for part in chunks(ids):
        vq = sa.select(experiment_variants).where(experiment_variants.c.experiment_id.in_(part))
        for v in conn.execute(vq.order_by(experiment_variants.c.experiment_id, experiment_variants.c.position)):
            variants[v.experiment_id].append(Variant(v.name, v.policy, v.weight, v.id))
        if not counts:
            continue
        for name, table in (("exposures", experiment_exposures), ("conversions", experiment_conversions)):
            cq = sa.select(table.c.experiment_id, sa.func.count()).where(table.c.experiment_id.in_(part))
            for eid, n in conn.execute(cq.group_by(table.c.experiment_id)):
                tallies[(name, eid)] = n
    return [
        ExperimentSummary(
            r.id,
            r.name,
            r.policy_key,
            r.hypothesis,
            r.share_bp,
            bool(r.allow_overlap),
            r.starts_at,
            r.stops_at,
            r.state,
            r.created_by,
            r.created_at,
            tuple(variants[r.id]),
            r.started_at,
            r.stopped_at,
            tallies.get(("exposures", r.id), 0),
            tallies.get(("conversions", r.id), 0),
        )
        for r in rows
    ]


def list_experiments(conn: Connection) -> list[ExperimentSummary]:
    """Every experiment, newest first, with its variants and raw exposure and conversion counts."""
    return experiment_summaries(conn)


def load_experiment(conn: Connection, experiment_id: Any, counts: bool = True) -> ExperimentSummary:
    """One experiment (ExperimentError if there is none); `counts=False` skips the raw counts."""
    try:
        eid = int(experiment_id)
    except (TypeError, ValueError):
        raise ExperimentError("unknown_experiment", id=str(experiment_id)[:16]) from None
    found = experiment_summaries(conn, experiments.c.id == eid, counts)
    if not found:
        raise ExperimentError("unknown_experiment", id=experiment_id)
    return found[0]


def survivors(conn: Connection, customer_ids: Iterable[int]) -> dict[int, int]:
    """Merged customer id → the customer it survives as (only merged ones appear), following chains."""
    pointer: dict[int, int] = {}
    frontier = set(customer_ids)
    seen: set[int] = set()
    while frontier:
        seen |= frontier
        found: dict[int, int] = {}
        for part in chunks(sorted(frontier)):
            q = sa.select(customers.c.id, customers.c.merged_into).where(
                customers.c.id.in_(part), customers.c.status == "merged", customers.c.merged_into.is_not(None)
            )
            found.update((row[0], row[1]) for row in conn.execute(q))
        pointer.update(found)
        frontier = set(found.values()) - seen
    out: dict[int, int] = {}
    for cid in pointer:
        current, path = cid, {cid}
        while current in pointer and pointer[current] not in path:
            current = pointer[current]
            path.add(current)
        out[cid] = current
    return out


def _person(conn: Connection, customer_id: int) -> tuple[int, set[int]]:
    """The surviving customer and every customer merged into it (the same person)."""
    try:
        cid = int(customer_id)
    except (TypeError, ValueError):
        raise ExperimentError("unknown_customer", id=customer_id) from None
    if conn.execute(sa.select(customers.c.id).where(customers.c.id == cid)).first() is None:
        raise ExperimentError("unknown_customer", id=cid)
    root = survivors(conn, [cid]).get(cid, cid)
    group, frontier = {root}, {root}
    while frontier:
        q = sa.select(customers.c.id).where(
            customers.c.merged_into.in_(sorted(frontier)), customers.c.status == "merged"
        )
        frontier = set(conn.execute(q).scalars()) - group
        group |= frontier
    return root, group


def _first_exposure(conn: Connection, experiment_id: int, group: set[int]):
    q = (
        sa.select(experiment_exposures)
        .where(experiment_exposures.c.experiment_id == experiment_id, experiment_exposures.c.customer_id.in_(group))
        .order_by(experiment_exposures.c.exposed_at, experiment_exposures.c.id)
    )
    return conn.execute(q).first()


# --- exposures ---------------------------------------------------------------------------------


def _assignment(exp: ExperimentSummary, root: int, position: int | None, first_at=None) -> Assignment:
    if position is None:
        share = format(exp.share_bp / 100, "g")
        return Assignment(exp.experiment_id, root, False, reason={"code": "holdout", "share": share})
    v = exp.variants[position]
    reason = {"code": "sticky" if first_at else "assigned", "variant": v.name, "policy": v.policy}
    if first_at is not None:
        reason["at"] = stamp(first_at)
    return Assignment(exp.experiment_id, root, True, position, v.name, v.policy, first_at, reason)


def preview_in(conn: Connection, key: bytes, experiment_id: int, customer_id: int) -> Assignment:
    """What this customer gets in this experiment (their stored variant, else the draw); records nothing."""
    exp = load_experiment(conn, experiment_id, counts=False)
    root, group = _person(conn, customer_id)
    first = _first_exposure(conn, exp.experiment_id, group)
    if first is not None:
        position = next(i for i, v in enumerate(exp.variants) if v.variant_id == first.variant_id)
        return _assignment(exp, root, position, first.exposed_at)
    return _assignment(exp, root, assign(key, exp.experiment_id, root, exp.share_bp, [v.weight for v in exp.variants]))


def expose_in(
    conn: Connection,
    key: bytes,
    experiment_id: int,
    customer_id: int,
    through: str,
    actor: str,
    now: datetime,
    staff_id: int | None = None,
    at: Any = None,
) -> Assignment:
    """Offer the policy: the customer's sticky variant is recorded (once; repeats are counted), or
    the customer is outside the exposed share and nothing is recorded."""
    exp = load_experiment(conn, experiment_id, counts=False)
    when = now if at is None else parse_time(at, "at")
    if when > now:
        raise ExperimentError("time_future", "at", at=stamp(when), now=stamp(now))
    if exp.state != "running":
        raise ExperimentError("not_running", name=exp.name, state=state_name(exp.state), state_en=exp.state)
    opens = max(exp.starts_at, exp.started_at or exp.starts_at)
    if when < opens:
        raise ExperimentError("not_open_yet", name=exp.name, start=stamp(opens))
    if when >= exp.window_end:
        raise ExperimentError("ended", name=exp.name, stop=stamp(exp.window_end))
    if through not in THROUGH:
        raise ExperimentError("through_invalid", "through", value=str(through)[:24], choices=", ".join(THROUGH))
    root, group = _person(conn, customer_id)
    first = _first_exposure(conn, exp.experiment_id, group)
    if first is not None:
        conn.execute(
            experiment_exposures.update()
            .where(experiment_exposures.c.id == first.id)
            .values(times=experiment_exposures.c.times + 1, last_exposed_at=max(first.last_exposed_at, when))
        )
        position = next(i for i, v in enumerate(exp.variants) if v.variant_id == first.variant_id)
        return _assignment(exp, root, position, first.exposed_at)
    position = assign(key, exp.experiment_id, root, exp.share_bp, [v.weight for v in exp.variants])
    if position is None:
        return _assignment(exp, root, None)
    conn.execute(
        experiment_exposures.insert().values(
            experiment_id=exp.experiment_id,
            variant_id=exp.variants[position].variant_id,
            customer_id=root,
            exposed_at=when,
            through=through,
            staff_id=staff_id,
            staff_name=actor,
            last_exposed_at=when,
        )
    )
    return _assignment(exp, root, position)


def open_experiments(conn: Connection, now: datetime) -> list[ExperimentSummary]:
    """Running experiments whose window is open now."""
    return [e for e in experiment_summaries(conn, experiments.c.state == "running") if e.phase(now) == "running"]


# --- conversions -------------------------------------------------------------------------------


def record_conversion_in(
    conn: Connection,
    experiment_id: int,
    customer_id: int,
    kind: str,
    at: Any,
    actor: str,
    now: datetime,
    deal_id: int | None = None,
) -> ConversionOutcome:
    """Count a subscription or signing once, under the variant the person was first exposed to,
    if it comes at or after that exposure and by the window's end."""
    if kind not in KINDS:
        raise ExperimentError("kind_invalid", "kind", value=str(kind)[:16])
    when = parse_time(at, "at")
    exp = load_experiment(conn, experiment_id, counts=False)
    root, group = _person(conn, customer_id)
    words = {"kind": kind, "kind_zh": KIND_ZH[kind], "at": stamp(when)}

    def outcome(code: str, counted: bool = False, **more: Any) -> ConversionOutcome:
        return ConversionOutcome(exp.experiment_id, root, kind, counted, {"code": code, **words, **more})

    first = _first_exposure(conn, exp.experiment_id, group)
    if first is None:
        return outcome("not_exposed")
    if when < first.exposed_at:
        return outcome("before_exposure", exposed=stamp(first.exposed_at))
    if when > exp.window_end:
        return outcome("after_window", stop=stamp(exp.window_end))
    done = sa.select(experiment_conversions.c.id).where(
        experiment_conversions.c.experiment_id == exp.experiment_id,
        experiment_conversions.c.customer_id.in_(group),
        experiment_conversions.c.kind == kind,
    )
    if conn.execute(done).first() is not None:
        return outcome("duplicate")
    conn.execute(
        experiment_conversions.insert().values(
            experiment_id=exp.experiment_id,
            variant_id=first.variant_id,
            customer_id=root,
            exposure_id=first.id,
            kind=kind,
            converted_at=when,
            deal_id=deal_id,
            recorded_by=actor,
            recorded_at=now,
        )
    )
    name = next(v.name for v in exp.variants if v.variant_id == first.variant_id)
    return outcome("counted", True, variant=name)


def record_deal_conversions_in(
    conn: Connection, customer_id: int, kind: str, at: Any, actor: str, now: datetime, deal_id: int | None = None
) -> list[ConversionOutcome]:
    """After a deal is recorded: its subscription or signing in every experiment the person was exposed to."""
    _root, group = _person(conn, customer_id)
    q = sa.select(experiment_exposures.c.experiment_id).where(experiment_exposures.c.customer_id.in_(group))
    ids = sorted(set(conn.execute(q).scalars()))
    return [record_conversion_in(conn, i, customer_id, kind, at, actor, now, deal_id) for i in ids]


def pending_deal_conversions(conn: Connection, exp: ExperimentSummary) -> list[tuple[int, int, str, datetime]]:
    """(deal id, customer id, kind, when) of exposed people's deals that would count but are not recorded."""
    exposed = conn.execute(
        sa.select(experiment_exposures.c.customer_id, experiment_exposures.c.exposed_at).where(
            experiment_exposures.c.experiment_id == exp.experiment_id
        )
    ).all()
    if not exposed:
        return []
    in_window = sa.or_(
        deals.c.subscribed_at.between(exp.starts_at, exp.window_end),
        deals.c.signed_at.between(exp.starts_at, exp.window_end),
    )
    found = conn.execute(
        sa.select(deals.c.id, deals.c.customer_id, deals.c.subscribed_at, deals.c.signed_at)
        .where(in_window)
        .order_by(deals.c.id)
    ).all()
    recorded = conn.execute(
        sa.select(experiment_conversions.c.customer_id, experiment_conversions.c.kind).where(
            experiment_conversions.c.experiment_id == exp.experiment_id
        )
    ).all()
    ids = {e.customer_id for e in exposed} | {d.customer_id for d in found} | {c.customer_id for c in recorded}
    roots = survivors(conn, ids)
    first_at: dict[int, datetime] = {}
    for e in exposed:
        root = roots.get(e.customer_id, e.customer_id)
        first_at[root] = min(first_at.get(root, e.exposed_at), e.exposed_at)
    done = {(roots.get(c.customer_id, c.customer_id), c.kind) for c in recorded}
    out = []
    for d in found:
        root = roots.get(d.customer_id, d.customer_id)
        for kind, at in (("subscription", d.subscribed_at), ("signing", d.signed_at)):
            counts = root in first_at and at is not None and first_at[root] <= at <= exp.window_end
            if counts and (root, kind) not in done:
                out.append((d.id, d.customer_id, kind, at))
                done.add((root, kind))
    return out


def catch_up_from_deals_in(conn: Connection, experiment_id: int, actor: str, now: datetime) -> int:
    """Record the conversions of exposed people's deals that are not recorded yet (merges included)."""
    exp = load_experiment(conn, experiment_id, counts=False)
    outcomes = [
        record_conversion_in(conn, exp.experiment_id, customer_id, kind, at, actor, now, deal_id)
        for deal_id, customer_id, kind, at in pending_deal_conversions(conn, exp)
    ]
    return sum(o.counted for o in outcomes)
