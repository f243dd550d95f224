"""Apply identity resolution to the database: find the affected neighbourhood, resolve it, write changes.

The neighbourhood of a set of leads is everything reachable from them through matchable identifiers
(except saturated ones) and staff links, plus every lead of every customer met on the way. Resolving
it with `models.resolution.resolve` gives the same answer as resolving the whole database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from models.clock import business_time
from models.identifiers import STRENGTH, IdentifierKind
from models.leads import CHANNEL_LABELS_ZH, Channel
from models.messages import Reason
from models.prepare import chunks, db_params, executemany, fetch_in, next_ids
from models.resolution import (
    CODE_KINDS,
    HELD_FAMILY,
    HELD_LIMIT,
    HELD_SATURATED,
    KIND_CODES,
    LinkGraph,
    MatchRules,
    partition,
    resolve,
)
from models.schema import customers, identifiers, leads, manual_links

_KIND_VALUE = {code: kind.value for code, kind in CODE_KINDS.items()}
_KIND_STRENGTH = {code: STRENGTH[kind] for code, kind in CODE_KINDS.items()}

# A matchable identifier occurrence in the neighbourhood: (lead_id, match_key, kind, masked). A plain
# tuple of atoms, which the garbage collector stops tracking: a batch holds thousands of them.
IdentifierRow = tuple[int, str, str, str]


@dataclass
class Neighbourhood:
    """Leads to re-resolve, with their identifiers, staff links and global key degrees."""

    lead_ids: list[int]
    rows: list[IdentifierRow]
    degree: dict[str, int]
    must: list[tuple[int, int]]
    lead_customer: dict[int, int | None]
    lead_info: dict[int, tuple[str, datetime]]
    lead_names: dict[int, str] = field(default_factory=dict)  # masked display names of the stored leads


def _ids(name: str) -> sa.BindParameter:
    return sa.bindparam(name, expanding=True)


# The walk reads many small rows: straight from the driver's cursor (`fetch_in`), with the SQL
# SQLAlchemy would render. `{in}` is the chunk's placeholder list.
_ROWS_OF_LEADS = (
    "SELECT lead_id, match_key, kind, masked FROM identifiers WHERE lead_id IN ({in}) AND match_key IS NOT NULL"
)
_LEADS_OF_CUSTOMERS = "SELECT id FROM leads WHERE customer_id IN ({in})"
# every holder of the keys: counting them here costs SQLite a table read per row anyway
_ROWS_OF_KEYS = "SELECT lead_id, match_key, kind, masked FROM identifiers WHERE match_key IN ({in})"
_LEAD_INFO = "SELECT id, customer_id, channel, occurred_at, name_masked FROM leads WHERE id IN ({in})"
# Statements are built once: SQLAlchemy then reuses their compiled form on every call.
_ANY_MANUAL = sa.select(manual_links.c.id).where(manual_links.c.active).limit(1)
_MANUAL_OF_LEADS = sa.select(manual_links.c.lead_a, manual_links.c.lead_b).where(
    manual_links.c.active, sa.or_(manual_links.c.lead_a.in_(_ids("ids")), manual_links.c.lead_b.in_(_ids("ids")))
)
_DEGREES = (
    sa.select(identifiers.c.match_key, sa.func.count(sa.distinct(identifiers.c.lead_id)))
    .where(identifiers.c.match_key.in_(_ids("keys")))
    .group_by(identifiers.c.match_key)
)

_BULK_NEW_CUSTOMER = "INSERT INTO customers (id, status, created_at, updated_at) VALUES (?, ?, ?, ?)"
_BULK_MOVE_LEAD = "UPDATE leads SET customer_id = ? WHERE id = ?"
_MOVE_LEAD = leads.update().where(leads.c.id == sa.bindparam("b_id")).values(customer_id=sa.bindparam("b_cid"))
_PLACE_NEW_LEAD = (
    leads.update()
    .where(leads.c.id == sa.bindparam("b_id"))
    .values(customer_id=sa.bindparam("b_cid"), match_reason=sa.bindparam("b_reason"))
)


def key_degrees(conn: Connection, keys: list[str]) -> dict[str, int]:
    """How many distinct leads carry each match key (the whole database)."""
    out: dict[str, int] = {}
    for part in chunks(keys):
        out.update({k: n for k, n in conn.execute(_DEGREES, {"keys": part})})
    return out


def gather(
    conn: Connection,
    seed_leads: Iterable[int],
    new_key_counts: dict[str, int],
    cap: int,
    new_rows: dict[int, list[IdentifierRow]] | None = None,
    new_info: dict[int, tuple[str, datetime]] | None = None,
    new_stored: bool = True,
) -> Neighbourhood:
    """Breadth-first walk from the seed leads over non-saturated keys, staff links and customers.

    `new_rows` and `new_info` give the identifier rows and (channel, time) of leads inserted in this
    transaction (no customer, no staff links yet), so the walk need not read them back. With
    `new_stored` false those leads are not in the database yet: the walk counts them in by itself.
    """
    new_rows = new_rows or {}
    unstored: dict[str, list[IdentifierRow]] = {}
    if not new_stored:
        for new in new_rows.values():
            for r in new:
                unstored.setdefault(r[1], []).append(r)
    has_manual: bool | None = None
    rows: dict[tuple[int, str], IdentifierRow] = {}
    lead_set: set[int] = set(seed_leads)
    frontier_keys: set[str] = set()
    for lead in lead_set & set(new_rows):
        for r in new_rows[lead]:
            rows[(lead, r[1])] = r
            frontier_keys.add(r[1])
    frontier = lead_set - set(new_rows)  # old leads whose rows, links and customers must be read
    seen_keys: set[str] = set()
    degree: dict[str, int] = {}
    must: set[tuple[int, int]] = set()
    limit = cap + max(new_key_counts.values(), default=0)
    lead_customer: dict[int, int | None] = {}
    lead_info: dict[int, tuple[str, datetime]] = {}
    lead_names: dict[int, str] = {}
    for lead, (channel, at) in (new_info or {}).items():
        lead_customer[lead] = None
        lead_info[lead] = (channel, at)
    read_stamp = db_params(conn).read_stamp
    expanded: set[int] = set()  # customers whose leads are all in the walk already
    while frontier or frontier_keys:
        more: set[int] = set()
        for part in chunks(sorted(frontier)):
            for r in fetch_in(conn, _ROWS_OF_LEADS, part):
                rows[(r[0], r[1])] = r
                if r[1] not in seen_keys:
                    frontier_keys.add(r[1])
            if has_manual is None:
                has_manual = conn.execute(_ANY_MANUAL).first() is not None
            if has_manual:
                for a, b in conn.execute(_MANUAL_OF_LEADS, {"ids": part}):
                    must.add((a, b))
                    more |= {a, b}
            met: set[int] = set()
            for lead, customer, channel, at, name in fetch_in(conn, _LEAD_INFO, part):
                lead_customer[lead] = customer
                lead_info[lead] = (channel, read_stamp(at))
                lead_names[lead] = name
                if customer is not None and customer not in expanded:
                    met.add(customer)
            expanded |= met
            for customers_part in chunks(sorted(met)):
                more.update(i for (i,) in fetch_in(conn, _LEADS_OF_CUSTOMERS, customers_part))
        fresh = sorted(frontier_keys - seen_keys)
        seen_keys |= frontier_keys
        frontier_keys = set()
        per_key: dict[str, dict[int, IdentifierRow]] = {k: {} for k in fresh}
        for part in chunks(fresh):
            for r in fetch_in(conn, _ROWS_OF_KEYS, part):
                per_key[r[1]][r[0]] = r
            for key in part:
                for r in unstored.get(key, ()):
                    per_key[key][r[0]] = r
        for key, found in per_key.items():
            if not found or len(found) > limit:  # saturated before this batch as well
                degree[key] = cap + 1
                continue
            for lead, r in found.items():
                if (lead, key) not in rows:
                    rows[(lead, key)] = r
            degree[key] = len(found)
            # a key that only now went over the cap must still re-split the leads it used to join
            if len(found) - new_key_counts.get(key, 0) <= cap:
                more.update(found)
        frontier = more - lead_set
        lead_set |= frontier
    ids = sorted(lead_set)
    hood_rows = [r for r in rows.values() if r[0] in lead_set]
    return Neighbourhood(ids, hood_rows, degree, sorted(must), lead_customer, lead_info, lead_names)


def build_graph(hood: Neighbourhood, cap: int) -> tuple[LinkGraph, list[str]]:
    """Index the neighbourhood into arrays for `resolve`; returns the graph and the key list."""
    index = {lead: i for i, lead in enumerate(hood.lead_ids)}
    kind_of = {key: kind for _, key, kind, _ in hood.rows}
    keys = sorted(kind_of)
    kidx = {k: i for i, k in enumerate(keys)}
    graph = LinkGraph(
        n_leads=len(hood.lead_ids),
        edge_lead=np.array([index[r[0]] for r in hood.rows], dtype=np.int64),
        edge_key=np.array([kidx[r[1]] for r in hood.rows], dtype=np.int64),
        key_kind=np.array([KIND_CODES[IdentifierKind(kind_of[k])] for k in keys], dtype=np.int64),
        key_saturated=np.array([hood.degree.get(k, 0) > cap for k in keys], dtype=bool),
        must_a=np.array([index[a] for a, _ in hood.must if a in index], dtype=np.int64),
        must_b=np.array([index[b] for a, b in hood.must if a in index], dtype=np.int64),
    )
    return graph, keys


@dataclass
class Outcome:
    """What re-resolving a neighbourhood changed."""

    lead_customer: dict[int, int] = field(default_factory=dict)
    explanations: dict[int, Reason] = field(default_factory=dict)
    texts: dict[int, str] = field(default_factory=dict)  # the explanations of new leads, rendered
    lead_names: dict[int, str] = field(default_factory=dict)  # masked names of the neighbourhood's stored leads
    merged: list[tuple[int, int, list[int]]] = field(default_factory=list)  # (survivor, absorbed, leads)
    bridges: dict[tuple[int, int], int] = field(default_factory=dict)  # (survivor, absorbed) -> bridging new lead
    split: list[tuple[int, int, list[int]]] = field(default_factory=list)  # (kept, new, leads moved)
    created: list[int] = field(default_factory=list)
    touched_customers: set[int] = field(default_factory=set)
    held: list[tuple[str, str, list[int], str, str]] = field(default_factory=list)  # (reason, key, leads, kind, masked)
    flagged: list[tuple[int, str]] = field(default_factory=list)


def apply(
    conn: Connection,
    hood: Neighbourhood,
    rules: MatchRules,
    now: datetime,
    new_leads: set[int],
    keep_with: dict[int, int] | None = None,
    bulk: bool = False,
) -> Outcome:
    """Resolve the neighbourhood and write customer assignments; return what changed.

    `keep_with` maps a customer id to a lead: that customer stays with the group holding the lead
    (the side staff kept in a split, the customer named KEEP in a merge). `bulk` writes with the
    driver's `executemany` and leaves the new leads to the caller, who stores them already placed
    (`Outcome.lead_customer`, `Outcome.texts`).
    """
    graph, keys = build_graph(hood, rules.max_leads_per_identifier)
    res = resolve(graph, rules)
    out = Outcome(lead_names=hood.lead_names)
    ids = hood.lead_ids
    groups = [[ids[i] for i in g] for g in partition(res.labels)]
    claimed: set[int] = set()
    group_customer: list[int] = [-1] * len(groups)
    group_of = {lead: gi for gi, group in enumerate(groups) for lead in group}
    for cid, lead in (keep_with or {}).items():
        gi = group_of.get(lead)
        if gi is not None and group_customer[gi] == -1 and cid not in claimed:
            group_customer[gi] = cid
            claimed.add(cid)
    to_create = []
    for gi, group in enumerate(groups):
        if group_customer[gi] != -1:
            continue
        firsts: dict[int, int] = {}
        for lead in group:
            c = hood.lead_customer.get(lead)
            if c is not None and c not in firsts:
                firsts[c] = lead
        choice = next((c for c in sorted(firsts, key=firsts.get) if c not in claimed), None)
        if choice is None:
            to_create.append(gi)
        else:
            claimed.add(choice)
            group_customer[gi] = choice
    new_ids = _new_customers(conn, len(to_create), now, bulk) if to_create else []
    for pos, cid in zip(to_create, new_ids, strict=True):
        group_customer[pos] = cid
        out.created.append(cid)
    explain = _Explainer(hood, graph, keys, res)
    moves: list[tuple[int, int]] = []  # (customer, lead)
    for group, cid in zip(groups, group_customer, strict=True):
        for lead in group:
            out.lead_customer[lead] = cid
            if lead in new_leads:
                out.explanations[lead] = explain.why(lead, group)
                out.texts[lead] = out.explanations[lead].text()
            elif hood.lead_customer.get(lead) != cid:
                moves.append((cid, lead))
        out.touched_customers.add(cid)
        for other in sorted({hood.lead_customer.get(lead) for lead in group} - {None, cid}):
            moved = [lead for lead in group if hood.lead_customer.get(lead) == other]
            if other in claimed:
                out.split.append((other, cid, moved))
            else:
                out.merged.append((cid, other, moved))
                bridge = explain.bridge(group, set(moved), new_leads)
                if bridge is not None:
                    out.bridges[(cid, other)] = bridge
    if bulk:  # the new leads are not stored yet: the caller stores them placed
        executemany(conn, db_params(conn).sql(_BULK_MOVE_LEAD), moves)
    else:
        if moves:
            conn.execute(_MOVE_LEAD, [{"b_cid": cid, "b_id": lead} for cid, lead in moves])
        placed = [{"b_cid": out.lead_customer[i], "b_reason": text, "b_id": i} for i, text in out.texts.items()]
        if placed:
            conn.execute(_PLACE_NEW_LEAD, placed)
    absorbed = {(other, survivor) for survivor, other, _ in out.merged}
    for other, survivor in sorted(absorbed):
        conn.execute(
            customers.update()
            .where(customers.c.id == other)
            .values(status="merged", merged_into=survivor, updated_at=now)
        )
        out.touched_customers.add(other)
    for kept, _new, _moved in out.split:
        out.touched_customers.add(kept)
    held_keys = np.array(sorted(res.held), dtype=np.int64)
    members_of: dict[int, set[int]] = defaultdict(set)
    mask = np.isin(res.edge_key, held_keys)
    for lead_i, key_i in zip(res.edge_lead[mask], res.edge_key[mask], strict=True):
        members_of[int(key_i)].add(ids[lead_i])
    for k, reason in sorted(res.held.items()):
        members = sorted(members_of[k])
        if len(members) >= 2 and reason in (HELD_FAMILY, HELD_LIMIT, HELD_SATURATED):
            out.held.append(
                (reason, keys[k], members, CODE_KINDS[int(graph.key_kind[k])].value, explain.masked[keys[k]])
            )
    for label, reason in res.flagged.items():
        out.flagged.append((out.lead_customer[ids[label]], reason))
    return out


def _new_customers(conn: Connection, n: int, now: datetime, bulk: bool) -> list[int]:
    """Create `n` active customers; their ids in order."""
    if bulk:
        ids = next_ids(conn, "customers", n)
        db = db_params(conn)
        stamp = db.stamp(now)
        executemany(conn, db.sql(_BULK_NEW_CUSTOMER), [(cid, "active", stamp, stamp) for cid in ids])
        return ids
    rows = [{"status": "active", "created_at": now, "updated_at": now} for _ in range(n)]
    insert = customers.insert().returning(customers.c.id, sort_by_parameter_order=True)
    return list(conn.execute(insert, rows).scalars().all())


class _Explainer:
    """Finds, for a lead, the strongest accepted link that put it in its customer."""

    def __init__(self, hood: Neighbourhood, graph: LinkGraph, keys: list[str], res) -> None:
        self.hood = hood
        self.ids = hood.lead_ids
        self.keys = keys
        self.masked = {key: masked for _, key, _, masked in hood.rows}
        codes = graph.key_kind.tolist()
        self.kind = {k: _KIND_VALUE[code] for k, code in zip(keys, codes, strict=True)}
        self.strength = [_KIND_STRENGTH[code] for code in codes]  # by key index
        self.by_lead: dict[int, list[int]] = defaultdict(list)
        self.by_key: dict[int, list[int]] = defaultdict(list)
        ids = self.ids
        accepted = res.accepted
        for lead_i, key_i in zip(res.edge_lead[accepted].tolist(), res.edge_key[accepted].tolist(), strict=True):
            self.by_lead[ids[lead_i]].append(key_i)
            self.by_key[key_i].append(ids[lead_i])
        self.must = defaultdict(set)
        for a, b in hood.must:
            self.must[a].add(b)
            self.must[b].add(a)

    def bridge(self, group: list[int], moved: set[int], new_leads: set[int]) -> int | None:
        """The new lead that links the absorbed customer's leads to the rest of the group, if one does."""
        for lead in sorted(set(group) & new_leads):
            near = {other for k in self.by_lead.get(lead, []) for other in self.by_key[k]} - {lead}
            if near & moved and near - moved:
                return lead
        return None

    def why(self, lead: int, group: list[int]) -> Reason:
        """A Reason naming the identifier and the earlier lead this lead was matched with."""
        best = None
        for k in self.by_lead.get(lead, []):
            strength = self.strength[k]
            for other in self.by_key[k]:
                if other == lead:
                    continue
                rank = (-strength, other > lead, other)
                if best is None or rank < best[0]:
                    best = (rank, k, other)
        if best is not None:
            _, k, other = best
            channel, at = self.hood.lead_info[other]
            return Reason(
                "same_identifier",
                {
                    "kind": self.kind[self.keys[k]],
                    "masked": self.masked[self.keys[k]],
                    "lead_id": other,
                    "channel": CHANNEL_LABELS_ZH.get(Channel(channel), channel),
                    "at": business_time(at).strftime("%m-%d %H:%M"),
                },
            )
        if self.must.get(lead):
            return Reason("manual_link", {"actor": "staff", "note": f"lead #{min(self.must[lead])}"})
        return Reason("new_customer")
