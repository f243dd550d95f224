"""The policy sandbox (政策沙盒): managers define, start and stop experiments and watch the comparison;
consultants see what a customer is offered and record that they offered it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from models.db import write_transaction
from models.events import PendingEvent, append_events
from models.floor_result import FloorChange, remember
from models.mutations import MutationKey
from models.sandbox import comparison_in, define_in, start_in, stop_in
from models.sandbox_design import ExperimentError, sandbox_key
from models.sandbox_stats import SampleRule
from models.sandbox_store import (
    catch_up_from_deals_in,
    expose_in,
    list_experiments,
    load_experiment,
    open_experiments,
    pending_deal_conversions,
    preview_in,
)
from models.staff import StaffMember
from sync.hub.commands import CommandError, command, mutation
from sync.hub.core import Hub, Session
from sync.protocol import (
    ErrorCode,
    ExperimentCompare,
    ExperimentDefine,
    ExperimentExpose,
    ExperimentList,
    ExperimentOffers,
    ExperimentStart,
    ExperimentStop,
)


def _refused(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except ExperimentError as exc:
        field = f" ({exc.field})" if exc.field else ""
        raise CommandError(ErrorCode.INVALID, f"{exc.text('zh')}{field}") from None
    except LookupError as exc:
        raise CommandError(ErrorCode.NOT_FOUND, str(exc).strip("'\"")) from None


def _changed(hub: Hub, key: MutationKey | None, work: Callable) -> FloorChange:
    """One write transaction: the change, an experiment.changed event, the remembered answer."""
    with write_transaction(hub.registry.engine) as conn:
        now = hub.clock.now()
        experiment_id = _refused(lambda: work(conn, now))
        summary = load_experiment(conn, experiment_id).as_dict()
        result = {"experiment": summary}
        payload = {"experiment_id": experiment_id, "state": summary.get("state")}
        events = append_events(conn, [PendingEvent("experiment.changed", payload)], now)
        remember(conn, key, result, now)
    return FloorChange(events, result)


@mutation(ExperimentDefine)
def experiment_define(hub: Hub, member: StaffMember, msg: ExperimentDefine, key: MutationKey | None) -> FloorChange:
    """Save a definition: a new draft, or an edit of a draft."""

    def work(conn, now) -> int:
        return define_in(conn, msg.definition, member.name, now, member.id, msg.experiment_id)

    return _changed(hub, key, work)


def _step(hub: Hub, member: StaffMember, experiment_id: int, key: MutationKey | None, step: Callable) -> FloorChange:
    def work(conn, now) -> int:
        step(conn, experiment_id, member.name, now)
        return experiment_id

    return _changed(hub, key, work)


@mutation(ExperimentStart)
def experiment_start(hub: Hub, member: StaffMember, msg: ExperimentStart, key: MutationKey | None) -> FloorChange:
    """Start a draft."""
    return _step(hub, member, msg.experiment_id, key, start_in)


@mutation(ExperimentStop)
def experiment_stop(hub: Hub, member: StaffMember, msg: ExperimentStop, key: MutationKey | None) -> FloorChange:
    """Stop a running experiment."""
    return _step(hub, member, msg.experiment_id, key, stop_in)


@mutation(ExperimentExpose)
def experiment_expose(hub: Hub, member: StaffMember, msg: ExperimentExpose, key: MutationKey | None) -> FloorChange:
    """Record that a customer was offered their variant's policy (once per person and experiment)."""
    secret = sandbox_key(hub.registry.vault)
    with write_transaction(hub.registry.engine) as conn:
        now = hub.clock.now()
        ids = (msg.experiment_id, msg.customer_id)
        assignment = _refused(lambda: expose_in(conn, secret, *ids, msg.through, member.name, now, member.id))
        result = {"assignment": assignment.as_dict()}
        remember(conn, key, result, now)
    return FloorChange([], result)


def _read(hub: Hub, fn: Callable) -> Any:
    with hub.registry.engine.connect() as conn:
        return _refused(lambda: fn(conn))


@command(ExperimentList)
async def experiment_list(hub: Hub, s: Session, msg: ExperimentList, _m) -> dict[str, Any]:
    """Every experiment, newest first."""
    found = await hub.db(_read, hub, list_experiments)
    return {"experiments": [e.as_dict() for e in found]}


def _compare(hub: Hub, experiment_id: int, kind: str) -> dict[str, Any]:
    engine, now = hub.registry.engine, hub.clock.now()
    with engine.connect() as conn:
        missing = _refused(lambda: pending_deal_conversions(conn, load_experiment(conn, experiment_id)))
    if missing:  # deals recorded before their conversion: caught up first
        with write_transaction(engine) as conn:
            catch_up_from_deals_in(conn, experiment_id, "sandbox", now)
    with engine.connect() as conn:
        return {"comparison": comparison_in(conn, experiment_id, SampleRule(), now, kind).as_dict()}


@command(ExperimentCompare)
async def experiment_compare(hub: Hub, s: Session, msg: ExperimentCompare, _m) -> dict[str, Any]:
    """Variants side by side: exposed, converted, rate with its interval, the test, the verdict."""
    return await hub.db(_compare, hub, msg.experiment_id, msg.kind)


@command(ExperimentOffers)
async def experiment_offers(hub: Hub, s: Session, msg: ExperimentOffers, _m) -> dict[str, Any]:
    """What the customer is to be offered in each open experiment (nothing recorded)."""
    secret = sandbox_key(hub.registry.vault)

    def offers(conn) -> list[dict[str, Any]]:
        return [
            preview_in(conn, secret, e.experiment_id, msg.customer_id).as_dict()
            for e in open_experiments(conn, hub.clock.now())
        ]

    return {"offers": await hub.db(_read, hub, offers)}
