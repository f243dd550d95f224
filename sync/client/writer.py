"""What the hub's stream and its answers change in the replica, written by one DB job at a time:
whatever arrives while a job runs goes into the next one, in one transaction (events in stream order,
then answers in send order; see `ReplicaStore.catch_up`).

A desk replaying its outbox gets, per action, an event and an answer a millisecond or two apart; one
transaction (and one fsync) each would make the replica, not the hub, set the pace. A job that fails
stops the writer (nothing after it is written, so the stream has no gap) and ends the session, which
resubscribes from the last seq the replica holds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.client.engine import SyncEngine


class ReplicaWriter:
    """Events and mutation answers queued in arrival order; committed in batches on the DB worker."""

    def __init__(self, engine: SyncEngine, on_failure: Callable[[BaseException], None]):
        """Nothing queued; `on_failure` is told once if a job fails."""
        self.engine = engine
        self.on_failure = on_failure
        self.pending: list[tuple[str, Any]] = []  # ("events", [event, ...]) | ("answer", (mutation_id, reply))
        self.task: asyncio.Task | None = None
        self.failed = False

    def events(self, events: list[dict[str, Any]]) -> None:
        """Queue a run of stream events."""
        self._add(("events", events))

    def answer(self, mutation_id: int, reply: dict[str, Any]) -> None:
        """Queue the hub's answer (result or error reply) to a mutation."""
        self._add(("answer", (mutation_id, reply)))

    def _add(self, entry: tuple[str, Any]) -> None:
        if self.failed:
            return  # the session is ending; the hub sends it all again to the next one
        self.pending.append(entry)
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._write())

    async def _write(self) -> None:
        while self.pending:
            try:
                await asyncio.shield(self._submit())  # a session that ends meanwhile does not cancel the write
            except Exception as exc:
                self.failed = True
                self.pending.clear()
                self.on_failure(exc)
                raise

    def _submit(self) -> asyncio.Future:
        batch, self.pending = self.pending, []
        future = self.engine.db_submit(self.engine.store.catch_up, batch)
        self.engine.emit_when_done(future)
        return future

    async def written(self) -> None:
        """Until everything queued so far is committed and its change set emitted (a failure is raised)."""
        task = self.task
        if task is None:
            return
        await asyncio.wait([task])  # not cancelled with it: a flushed writer has handed its work on
        if not task.cancelled() and task.exception() is not None:
            raise task.exception()

    def flush(self) -> None:
        """The session is ending: queue what is still waiting (the DB worker finishes it, in order)."""
        if self.task is not None:
            self.task.cancel()
        if self.pending and not self.failed:
            self._submit()
