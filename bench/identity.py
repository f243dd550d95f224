"""Identity benchmarks: ingest throughput against a raw-sqlite3 floor, the 1M-lead rebuild, pair scores.

See docs/benchmarks.md for what each figure means.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from bench import sqlite_floor
from bench.common import START, bench_clock, bench_vault, figure, fresh_sqlite, progress
from models.leads import LeadIn
from models.rebuild import resolve_rows, verify_against_database
from models.registry import CustomerRegistry
from models.rules import load_rules
from models.schema import leads
from models.synthetic import generate_leads, generate_link_rows, pair_scores, same_partition

SIZES = {  # (single leads, batched leads, rebuild leads)
    True: (1000, 5000, 100_000),
    False: (3000, 20_000, 1_000_000),
}
BATCH = 500
DAYS = 3.0
WARM_UP = 20  # leads ingested before the clock starts (statement caches, first connection)


def _registry(folder: Path, name: str) -> CustomerRegistry:
    """A registry on a fresh SQLite file."""
    return CustomerRegistry(fresh_sqlite(folder, name), bench_vault(), load_rules(), bench_clock(DAYS))


def _floor(folder: Path, name: str, batch: list[LeadIn], one_by_one: bool) -> float:
    """Seconds for raw sqlite3 to write the same rows on a fresh migrated file."""
    engine = fresh_sqlite(folder, name)
    engine.dispose()
    conn = sqlite_floor.connect(folder / f"{name}.db")
    try:
        now = bench_clock(DAYS).now()
        agencies = sqlite_floor.add_agencies(conn, [x.agency_code for x in batch if x.agency_code], now)
        rows = sqlite_floor.FloorRows(batch, bench_vault(), load_rules(), now, agencies)
        if one_by_one:
            return sqlite_floor.insert_one_by_one(conn, rows)
        return sqlite_floor.insert_batched(conn, rows, BATCH)
    finally:
        conn.close()


def ingest_single(folder: Path, n: int) -> dict[str, Any]:
    """One lead per transaction through `CustomerRegistry.ingest`."""
    batch = [s.lead for s in generate_leads(n, seed=11, start=START, days=DAYS)]
    registry = _registry(folder, "single")
    for lead in generate_leads(WARM_UP, seed=9, start=START, days=DAYS):
        registry.ingest(lead.lead)
    progress(f"ingest_single: {n} leads, one transaction each")
    started = time.perf_counter()
    for lead in batch:
        registry.ingest(lead)
    seconds = time.perf_counter() - started
    registry.engine.dispose()
    floor = _floor(folder, "single_floor", batch, one_by_one=True)
    return figure("ingest_single_leads_per_s", n / seconds, "leads/s", baseline=n / floor, target=500, leads=n)


def ingest_batched(folder: Path, n: int) -> Iterator[dict[str, Any]]:
    """`CustomerRegistry.ingest_many` in batches, then pair precision/recall of what it stored."""
    synthetic = generate_leads(n, seed=12, start=START, days=DAYS)
    batch = [s.lead for s in synthetic]
    registry = _registry(folder, "batched")
    warm = generate_leads(WARM_UP, seed=9, start=START, days=DAYS)
    registry.ingest_many([s.lead for s in warm])
    progress(f"ingest_batched: {n} leads in batches of {BATCH}")
    started = time.perf_counter()
    for i in range(0, n, BATCH):
        registry.ingest_many(batch[i : i + BATCH])
    seconds = time.perf_counter() - started
    floor = _floor(folder, "batched_floor", batch, one_by_one=False)
    yield figure(
        "ingest_batched_leads_per_s", n / seconds, "leads/s", baseline=n / floor, target=5000, leads=n, batch=BATCH
    )
    truth = {(s.lead.source, s.lead.source_message_id): s.person for s in synthetic}
    truth.update({(s.lead.source, s.lead.source_message_id): -1 - s.person for s in warm})  # other people
    with registry.engine.connect() as conn:
        stored = conn.execute(sa.select(leads.c.source, leads.c.source_message_id, leads.c.customer_id)).all()
    predicted = np.array([r.customer_id for r in stored], dtype=np.int64)
    persons = np.array([truth[(r.source, r.source_message_id)] for r in stored], dtype=np.int64)
    precision, recall = pair_scores(predicted, persons)
    yield figure("pair_precision", precision, "ratio", target=0.999, leads=len(stored))
    yield figure("pair_recall", recall, "ratio", target=0.99, leads=len(stored))
    progress("ingest_batched: rebuilding from scratch to compare with the incremental result")
    mismatches = verify_against_database(registry.engine, registry.rules.match)
    yield figure("rebuild_matches_incremental", not mismatches, "bool", mismatches=len(mismatches), leads=len(stored))
    registry.engine.dispose()


def rebuild_links(n: int) -> Iterator[dict[str, Any]]:
    """Resolve n generated leads from stored-row arrays; check against scipy's connected components."""
    progress(f"rebuild: generating link rows for {n} leads")
    rows = generate_link_rows(n, seed=13)
    rules = load_rules().match
    progress(f"rebuild: resolving {len(rows.lead_idx)} identifier rows")
    started = time.perf_counter()
    res = resolve_rows(rows.n_leads, rows.lead_idx, rows.key_idx, rows.kind_code, rules)
    seconds = time.perf_counter() - started
    customers = len(np.unique(res.labels))
    yield figure(
        "rebuild_1m_s",
        seconds,
        "s",
        target=20,
        higher_is_better=False,
        leads=n,
        rows=len(rows.lead_idx),
        customers=customers,
        held_keys=len(res.held),
    )
    progress("rebuild: scipy connected_components over the accepted links")
    started = time.perf_counter()
    u = res.edge_lead[res.accepted]
    v = n + res.edge_key[res.accepted]
    size = n + int(res.edge_key.max()) + 1 if len(res.edge_key) else n
    graph = coo_matrix((np.ones(len(u), dtype=np.int8), (u, v)), shape=(size, size)).tocsr()
    _, scipy_labels = connected_components(graph, directed=False)
    scipy_seconds = time.perf_counter() - started
    yield figure(
        "rebuild_partition_matches_scipy",
        same_partition(res.labels, scipy_labels[:n]),
        "bool",
        leads=n,
        scipy_s=round(scipy_seconds, 3),
    )
    precision, recall = pair_scores(res.labels, rows.person)
    yield figure("rebuild_pair_precision", precision, "ratio", target=0.999, leads=n)
    yield figure("rebuild_pair_recall", recall, "ratio", target=0.99, leads=n)


def run(quick: bool) -> Iterator[dict[str, Any]]:
    """All identity figures, quick or full sizes."""
    n_single, n_batched, n_rebuild = SIZES[quick]
    with tempfile.TemporaryDirectory(prefix="salesfloor-bench-") as tmp:
        folder = Path(tmp)
        yield ingest_single(folder, n_single)
        yield from ingest_batched(folder, n_batched)
    yield from rebuild_links(n_rebuild)
