"""Full re-resolution: resolve every lead of a database at once, and check the incremental result.

Incremental ingest (models/reconcile.py) only re-resolves the neighbourhood of new leads. Resolution
is a function of the set of links, so resolving everything from scratch must give the same partition;
`verify_against_database` checks exactly that. `rebuild` does not write anything back: it returns
the partition (and statistics) for the caller to compare or report.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from models.identifiers import IdentifierKind
from models.resolution import KIND_CODES, LinkGraph, MatchRules, Resolution, partition, resolve, sorted_distinct
from models.schema import identifiers, leads, manual_links

_NO_EDGES = np.zeros(0, dtype=np.int64)


def resolve_rows(
    n_leads: int,
    lead_idx: np.ndarray,
    key_idx: np.ndarray,
    kind_code: np.ndarray,
    rules: MatchRules,
    must_a: np.ndarray | None = None,
    must_b: np.ndarray | None = None,
) -> Resolution:
    """Resolve leads 0..n_leads-1 from identifier rows (lead, key, kind code) and staff links."""
    keys, key_of_row = np.unique(np.asarray(key_idx), return_inverse=True)
    key_of_row = key_of_row.astype(np.int64).ravel()
    lead_idx = np.asarray(lead_idx, dtype=np.int64)
    n_keys = len(keys)
    key_kind = np.zeros(n_keys, dtype=np.int64)
    key_kind[key_of_row] = np.asarray(kind_code, dtype=np.int64)
    pairs = sorted_distinct(lead_idx * max(n_keys, 1) + key_of_row)
    degree = np.bincount(pairs % max(n_keys, 1), minlength=n_keys)  # distinct leads per key
    graph = LinkGraph(
        n_leads=n_leads,
        edge_lead=lead_idx,
        edge_key=key_of_row,
        key_kind=key_kind,
        key_saturated=degree > rules.max_leads_per_identifier,
        must_a=_NO_EDGES if must_a is None else np.asarray(must_a, dtype=np.int64),
        must_b=_NO_EDGES if must_b is None else np.asarray(must_b, dtype=np.int64),
    )
    return resolve(graph, rules)


@dataclass
class RebuildStats:
    """Outcome of a full rebuild: sizes, timing and the label of every lead (by lead id)."""

    leads: int
    customers: int
    held_keys: int
    flagged: int
    seconds: float
    lead_ids: np.ndarray
    labels: np.ndarray
    stored: np.ndarray  # leads.customer_id as read in the same snapshot (-1 where none)
    held_by_reason: dict[str, int] = field(default_factory=dict)

    def groups(self) -> list[list[int]]:
        """The rebuilt customers as sorted lists of lead ids, ordered by their first lead."""
        return [[int(self.lead_ids[i]) for i in g] for g in partition(self.labels)]


@dataclass
class _Snapshot:
    """Everything a rebuild reads, taken in one read transaction."""

    lead_ids: np.ndarray
    stored: np.ndarray  # customer id per lead, -1 where none
    rows: list
    links: list


def _read(engine: Engine) -> _Snapshot:
    """Lead ids with their stored customers, matchable identifier rows and active staff links."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            if conn.dialect.name == "sqlite" and not conn.connection.dbapi_connection.in_transaction:
                conn.exec_driver_sql("BEGIN")  # legacy pysqlite defers BEGIN to the first write; pin one snapshot
            lead_rows = conn.execute(sa.select(leads.c.id, leads.c.customer_id).order_by(leads.c.id)).all()
            rows = conn.execute(
                sa.select(identifiers.c.lead_id, identifiers.c.match_key, identifiers.c.kind).where(
                    identifiers.c.match_key.is_not(None)
                )
            ).all()
            links = conn.execute(
                sa.select(manual_links.c.lead_a, manual_links.c.lead_b).where(manual_links.c.active)
            ).all()
    lead_ids = np.array([r[0] for r in lead_rows], dtype=np.int64)
    stored = np.array([-1 if r[1] is None else r[1] for r in lead_rows], dtype=np.int64)
    return _Snapshot(lead_ids, stored, rows, links)


def rebuild(engine: Engine, rules: MatchRules) -> RebuildStats:
    """Resolve every lead in the database from scratch and return the partition with statistics."""
    started = time.perf_counter()
    snap = _read(engine)
    lead_ids = snap.lead_ids
    if snap.rows:
        r_lead, r_key, r_kind = zip(*snap.rows, strict=True)
        lead_pos = np.searchsorted(lead_ids, np.array(r_lead, dtype=np.int64))
        key_ids = np.unique(np.array(r_key, dtype=str), return_inverse=True)[1].ravel()
        kind_names, kind_of_row = np.unique(np.array(r_kind, dtype=str), return_inverse=True)
        code_of_name = np.array([KIND_CODES[IdentifierKind(k)] for k in kind_names], dtype=np.int64)
        kind_code = code_of_name[kind_of_row.ravel()]
    else:
        lead_pos = key_ids = kind_code = _NO_EDGES
    link_arr = np.array(snap.links, dtype=np.int64).reshape(-1, 2)
    must_a = np.searchsorted(lead_ids, link_arr[:, 0])
    must_b = np.searchsorted(lead_ids, link_arr[:, 1])
    res = resolve_rows(len(lead_ids), lead_pos, key_ids, kind_code, rules, must_a, must_b)
    held: dict[str, int] = {}
    for reason in res.held.values():
        held[reason] = held.get(reason, 0) + 1
    return RebuildStats(
        leads=len(lead_ids),
        customers=len(np.unique(res.labels)),
        held_keys=len(res.held),
        flagged=len(res.flagged),
        seconds=time.perf_counter() - started,
        lead_ids=lead_ids,
        labels=res.labels,
        stored=snap.stored,
        held_by_reason=held,
    )


@dataclass(frozen=True)
class Mismatch:
    """One place where the stored partition and the rebuilt one disagree.

    kind `db_apart`: the rebuild puts `lead_ids` in one customer, the database spreads them over
    `customers`. kind `db_together`: one stored customer holds leads the rebuild puts apart.
    kind `unassigned`: leads stored without any customer.
    """

    kind: str
    lead_ids: tuple[int, ...]
    customers: tuple[int, ...]


def compare_partitions(lead_ids: np.ndarray, labels: np.ndarray, stored: np.ndarray) -> list[Mismatch]:
    """Differences between a rebuilt labelling and stored customer ids (-1 = none) of the same leads."""
    out: list[Mismatch] = []
    missing = stored < 0
    if missing.any():
        out.append(Mismatch("unassigned", tuple(int(i) for i in lead_ids[missing]), ()))
    keep = ~missing
    ids, lab, cust = lead_ids[keep], labels[keep], stored[keep]
    pairs = np.unique(np.stack([lab, cust], axis=1), axis=0) if len(ids) else np.zeros((0, 2), dtype=np.int64)
    for col, kind in ((0, "db_apart"), (1, "db_together")):
        values, counts = np.unique(pairs[:, col], return_counts=True)
        for value in values[counts > 1]:
            sel = (lab if col == 0 else cust) == value
            owners = tuple(int(c) for c in np.unique(cust[sel]))
            out.append(Mismatch(kind, tuple(int(i) for i in ids[sel]), owners))
    return out


def verify_against_database(engine: Engine, rules: MatchRules) -> list[Mismatch]:
    """Rebuild from scratch and list every difference with the stored `leads.customer_id` (empty = equal)."""
    stats = rebuild(engine, rules)
    return compare_partitions(stats.lead_ids, stats.labels, stats.stored)
