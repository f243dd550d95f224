"""Policy sandbox (政策沙盒) in the database: define, start and stop experiments, and the live
comparison per variant; `Sandbox` runs every operation (exposures and conversions too) in its own
transaction with the time from the injected clock.

The rules live in `models.sandbox_design` (definitions, sticky assignment) and `models.sandbox_stats`
(counting, tests, verdict); people and their exposures and conversions in `models.sandbox_store`.
Functions ending in `_in` run inside the caller's write transaction (a deal and its conversions commit
together).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from models.clock import Clock, SystemClock
from models.db import write_transaction
from models.experiment_schema import experiment_conversions, experiment_exposures, experiment_variants, experiments
from models.privacy import Vault
from models.sandbox_design import (
    KINDS,
    Assignment,
    ExperimentError,
    ExperimentPlan,
    ExperimentSummary,
    check_overlap,
    plan_from_dict,
    sandbox_key,
    stamp,
    state_name,
)
from models.sandbox_stats import Comparison, ConversionFact, ExposureFact, SampleRule, compare, tally
from models.sandbox_store import (
    ConversionOutcome,
    catch_up_from_deals_in,
    experiment_summaries,
    expose_in,
    list_experiments,
    load_experiment,
    open_experiments,
    pending_deal_conversions,
    preview_in,
    record_conversion_in,
    record_deal_conversions_in,
    survivors,
)

__all__ = [
    "Assignment",
    "Comparison",
    "ConversionOutcome",
    "ExperimentError",
    "ExperimentSummary",
    "Sandbox",
    "catch_up_from_deals_in",
    "comparison_in",
    "define_in",
    "expose_in",
    "list_experiments",
    "load_experiment",
    "preview_in",
    "record_conversion_in",
    "record_deal_conversions_in",
    "start_in",
    "stop_in",
]

# --- defining, starting, stopping --------------------------------------------------------------


def define_in(
    conn: Connection,
    data: Mapping[str, Any],
    actor: str,
    now: datetime,
    actor_id: int | None = None,
    experiment_id: int | None = None,
) -> int:
    """Store a new draft, or replace a draft's definition; returns its id (ExperimentError if refused)."""
    plan = plan_from_dict(data, now)
    if experiment_id is not None:
        current = load_experiment(conn, experiment_id)
        if current.state != "draft":
            raise ExperimentError(
                "not_draft", name=current.name, state=state_name(current.state), state_en=current.state
            )
        experiment_id = current.experiment_id
    running = experiment_summaries(conn, experiments.c.state == "running")
    check_overlap(plan.policy_key, plan.starts_at, plan.stops_at, plan.allow_overlap, running, experiment_id)
    values = _plan_values(plan)
    if experiment_id is None:
        experiment_id = conn.execute(
            experiments.insert().values(
                **values, state="draft", created_by=actor, created_by_id=actor_id, created_at=now, updated_at=now
            )
        ).inserted_primary_key[0]
    else:
        conn.execute(experiments.update().where(experiments.c.id == experiment_id).values(**values, updated_at=now))
        conn.execute(experiment_variants.delete().where(experiment_variants.c.experiment_id == experiment_id))
    conn.execute(
        experiment_variants.insert(),
        [
            {"experiment_id": experiment_id, "position": i, "name": v.name, "policy": v.policy, "weight": v.weight}
            for i, v in enumerate(plan.variants)
        ],
    )
    return int(experiment_id)


def _plan_values(plan: ExperimentPlan) -> dict[str, Any]:
    return {
        "name": plan.name,
        "policy_key": plan.policy_key,
        "hypothesis": plan.hypothesis,
        "share_bp": plan.share_bp,
        "allow_overlap": plan.allow_overlap,
        "starts_at": plan.starts_at,
        "stops_at": plan.stops_at,
    }


def start_in(conn: Connection, experiment_id: int, actor: str, now: datetime) -> None:
    """draft → running: the window must still be ahead and clear of running experiments on its policy."""
    exp = load_experiment(conn, experiment_id)
    if exp.state != "draft":
        raise ExperimentError("not_startable", name=exp.name, state=state_name(exp.state), state_en=exp.state)
    if exp.stops_at <= now:
        raise ExperimentError("window_past", "stops_at", stop=stamp(exp.stops_at), now=stamp(now))
    running = experiment_summaries(conn, experiments.c.state == "running")
    check_overlap(exp.policy_key, max(exp.starts_at, now), exp.stops_at, exp.allow_overlap, running, exp.experiment_id)
    conn.execute(
        experiments.update()
        .where(experiments.c.id == exp.experiment_id, experiments.c.state == "draft")
        .values(state="running", started_at=now, started_by=actor, updated_at=now)
    )


def stop_in(conn: Connection, experiment_id: int, actor: str, now: datetime) -> None:
    """running → stopped: no more exposures; conversions after now no longer count."""
    exp = load_experiment(conn, experiment_id)
    if exp.state != "running":
        raise ExperimentError("not_stoppable", name=exp.name, state=state_name(exp.state), state_en=exp.state)
    conn.execute(
        experiments.update()
        .where(experiments.c.id == exp.experiment_id, experiments.c.state == "running")
        .values(state="stopped", stopped_at=now, stopped_by=actor, updated_at=now)
    )


# --- the comparison ----------------------------------------------------------------------------


def comparison_in(
    conn: Connection, experiment_id: int, rule: SampleRule, now: datetime, kind: str = "any"
) -> Comparison:
    """The live comparison: people exposed and converted per variant (merges folded), tests, verdict.

    `kind` is what counts as converting: "any" (a subscription or a signing), "subscription" or "signing".
    """
    if kind not in ("any", *KINDS):
        raise ExperimentError("kind_invalid", "kind", value=str(kind)[:16])
    exp = load_experiment(conn, experiment_id, counts=False)
    position = {v.variant_id: i for i, v in enumerate(exp.variants)}
    exposures = [
        ExposureFact(r.id, r.customer_id, position[r.variant_id], r.exposed_at)
        for r in conn.execute(
            sa.select(experiment_exposures).where(experiment_exposures.c.experiment_id == exp.experiment_id)
        )
    ]
    conversions = [
        ConversionFact(r.customer_id, r.kind, r.converted_at)
        for r in conn.execute(
            sa.select(experiment_conversions).where(experiment_conversions.c.experiment_id == exp.experiment_id)
        )
    ]
    roots = survivors(conn, {e.customer_id for e in exposures} | {c.customer_id for c in conversions})
    counts = tally([(v.name, v.policy) for v in exp.variants], exposures, conversions, roots, exp.window_end, kind)
    return compare(counts, rule, exp.experiment_id, now)


class Sandbox:
    """The policy sandbox of one database: each operation in its own transaction, time from the clock."""

    def __init__(self, engine: Engine, vault: Vault, clock: Clock | None = None, rule: SampleRule | None = None):
        """Bind to a database, the key vault (for the assignment key), a clock and the sample rule."""
        self.engine = engine
        self.key = sandbox_key(vault)
        self.clock = clock or SystemClock()
        self.rule = rule or SampleRule()

    def experiments(self) -> list[ExperimentSummary]:
        """Every experiment, newest first."""
        with self.engine.connect() as conn:
            return list_experiments(conn)

    def experiment(self, experiment_id: int) -> ExperimentSummary:
        """One experiment."""
        with self.engine.connect() as conn:
            return load_experiment(conn, experiment_id)

    def define(
        self, data: Mapping[str, Any], actor: str, actor_id: int | None = None, experiment_id: int | None = None
    ) -> ExperimentSummary:
        """Create a draft (or edit one, given its id) from the dialog's fields."""
        with write_transaction(self.engine) as conn:
            new_id = define_in(conn, data, actor, self.clock.now(), actor_id, experiment_id)
            return load_experiment(conn, new_id)

    def start(self, experiment_id: int, actor: str) -> ExperimentSummary:
        """Start a draft."""
        with write_transaction(self.engine) as conn:
            start_in(conn, experiment_id, actor, self.clock.now())
            return load_experiment(conn, experiment_id)

    def stop(self, experiment_id: int, actor: str) -> ExperimentSummary:
        """Stop a running experiment."""
        with write_transaction(self.engine) as conn:
            stop_in(conn, experiment_id, actor, self.clock.now())
            return load_experiment(conn, experiment_id)

    def preview(self, experiment_id: int, customer_id: int) -> Assignment:
        """What the customer would be offered (nothing recorded)."""
        with self.engine.connect() as conn:
            return preview_in(conn, self.key, experiment_id, customer_id)

    def offers_for(self, customer_id: int) -> list[Assignment]:
        """The customer's assignment in every experiment open now (nothing recorded)."""
        with self.engine.connect() as conn:
            return [
                preview_in(conn, self.key, e.experiment_id, customer_id)
                for e in open_experiments(conn, self.clock.now())
            ]

    def expose(
        self, experiment_id: int, customer_id: int, through: str, actor: str, staff_id: int | None = None, at=None
    ) -> Assignment:
        """Record that the customer was offered their variant's policy (sticky; once per person)."""
        with write_transaction(self.engine) as conn:
            return expose_in(conn, self.key, experiment_id, customer_id, through, actor, self.clock.now(), staff_id, at)

    def record_conversion(
        self, experiment_id: int, customer_id: int, kind: str, at: Any, actor: str, deal_id: int | None = None
    ) -> ConversionOutcome:
        """Record a subscription or signing in one experiment (counted once)."""
        with write_transaction(self.engine) as conn:
            return record_conversion_in(conn, experiment_id, customer_id, kind, at, actor, self.clock.now(), deal_id)

    def record_deal_conversions(
        self, customer_id: int, kind: str, at: Any, actor: str, deal_id: int | None = None
    ) -> list[ConversionOutcome]:
        """Record a deal's subscription or signing in every experiment the person was exposed to."""
        with write_transaction(self.engine) as conn:
            return record_deal_conversions_in(conn, customer_id, kind, at, actor, self.clock.now(), deal_id)

    def comparison(self, experiment_id: int, kind: str = "any") -> Comparison:
        """Catch up on deals not yet recorded as conversions (a write only when some are missing), then compare."""
        now = self.clock.now()
        with self.engine.connect() as conn:
            missing = pending_deal_conversions(conn, load_experiment(conn, experiment_id))
        if missing:
            with write_transaction(self.engine) as conn:
                catch_up_from_deals_in(conn, experiment_id, "sandbox", now)
        with self.engine.connect() as conn:
            return comparison_in(conn, experiment_id, self.rule, now, kind)
