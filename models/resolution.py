"""Identity resolution (客户唯一ID) as a pure function over a link graph.

Leads and identifier values are the two kinds of node; a lead carrying a matchable identifier is an
edge. Which edges count ("accepted links") is decided only by the *set* of edges, never by the
order leads arrived in, so an incremental ingest and a full rebuild give the same partition:

1. A lead carrying two different valid ID numbers is a conflict: its ID-number links are held back.
2. An identifier carried by more than `max_leads_per_identifier` leads is saturated (a call-centre
   number, a demo iPad): held back.
3. A non-ID identifier shared by leads with two different ID numbers is contested (the family phone):
   held back and sent to review.
4. Customers are the connected components of the remaining links plus staff's manual links.
   A component that still breaks a limit (two ID numbers through a chain, more than N distinct
   mobiles) has its links of the weakest kind held back and is recomputed, until none breaks a
   limit; one held together only by ID numbers or staff links is kept and flagged for review.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from models.identifiers import STRENGTH, IdentifierKind

KIND_CODES: dict[IdentifierKind, int] = {kind: i for i, kind in enumerate(IdentifierKind)}
CODE_KINDS = {code: kind for kind, code in KIND_CODES.items()}
_NID = KIND_CODES[IdentifierKind.NATIONAL_ID]
_STRENGTH_BY_CODE = np.array([STRENGTH[CODE_KINDS[c]] for c in range(len(CODE_KINDS))], dtype=np.int16)

# Why a link was held back.
HELD_SATURATED = "saturated"
HELD_FAMILY = "shared_by_different_ids"
HELD_LIMIT = "customer_over_limit"
# Why a component was flagged but kept.
FLAG_LIMIT_ID_ONLY = "over_limit_id_backed"
FLAG_CONFLICT_LEAD = "lead_with_two_ids"


@dataclass(frozen=True)
class MatchRules:
    """Tunable limits of identity resolution (defaults in resources/rules/default.toml)."""

    max_leads_per_identifier: int = 100
    max_distinct: dict[str, int] = field(
        default_factory=lambda: {
            "national_id": 1,
            "mobile": 5,
            "idfa": 10,
            "gaid": 10,
            "douyin_open_id": 5,
            "anjuke_member_id": 5,
            "wx_union_id": 5,
            "wx_open_id": 10,
            "browser_fp": 10,
        }
    )

    def limit_array(self) -> np.ndarray:
        """Per-kind-code limits as an array (large where unlimited)."""
        out = np.full(len(CODE_KINDS), 1 << 30, dtype=np.int64)
        for kind, limit in self.max_distinct.items():
            out[KIND_CODES[IdentifierKind(kind)]] = limit
        return out


@dataclass
class LinkGraph:
    """Edges between leads (0..n_leads-1) and identifier keys (0..n_keys-1)."""

    n_leads: int
    edge_lead: np.ndarray
    edge_key: np.ndarray
    key_kind: np.ndarray
    key_saturated: np.ndarray
    must_a: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    must_b: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def n_keys(self) -> int:
        """Number of identifier nodes."""
        return len(self.key_kind)


@dataclass
class Resolution:
    """The outcome: one label per lead, plus every held-back link and flagged customer with why."""

    labels: np.ndarray
    held: dict[int, str]
    flagged: dict[int, str]
    conflict_leads: np.ndarray
    accepted: np.ndarray  # bool mask over the graph's (deduplicated) edges
    edge_lead: np.ndarray
    edge_key: np.ndarray


def components(n_nodes: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Connected components by hooking and pointer jumping; each node gets its component's min node."""
    lab = np.arange(n_nodes, dtype=np.int64)
    if len(u) == 0:
        return lab
    while True:
        lu, lv = lab[u], lab[v]
        if np.array_equal(lu, lv):
            return lab
        low = np.minimum(lu, lv)
        np.minimum.at(lab, lu, low)
        np.minimum.at(lab, lv, low)
        while True:
            jumped = lab[lab]
            if np.array_equal(jumped, lab):
                break
            lab = jumped


def sorted_distinct(values: np.ndarray) -> np.ndarray:
    """Distinct values, sorted (sort + mask: numpy 2.x's hashing `np.unique` is far slower on big int arrays)."""
    if len(values) == 0:
        return values
    ordered = np.sort(values)
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _dedupe_edges(graph: LinkGraph) -> tuple[np.ndarray, np.ndarray]:
    """Drop repeated (lead, key) edges."""
    if len(graph.edge_lead) == 0:
        return graph.edge_lead.astype(np.int64), graph.edge_key.astype(np.int64)
    combo = graph.edge_lead.astype(np.int64) * max(graph.n_keys, 1) + graph.edge_key.astype(np.int64)
    combo = sorted_distinct(combo)
    return combo // max(graph.n_keys, 1), combo % max(graph.n_keys, 1)


def _distinct_count(groups: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """For each group id, how many distinct values occur with it."""
    if len(groups) == 0:
        return np.zeros(n_groups, dtype=np.int64)
    span = int(values.max()) + 1
    pairs = sorted_distinct(groups.astype(np.int64) * span + values)
    return np.bincount(pairs // span, minlength=n_groups)


def resolve(graph: LinkGraph, rules: MatchRules | None = None) -> Resolution:
    """Partition leads into customers by the accepted links; see the module docstring."""
    rules = rules or MatchRules()
    if graph.n_leads == 1 and len(graph.must_a) == 0:
        return _resolve_one(graph, rules)
    n, n_keys = graph.n_leads, graph.n_keys
    e_lead, e_key = _dedupe_edges(graph)
    e_kind = graph.key_kind[e_key].astype(np.int64) if len(e_key) else np.zeros(0, dtype=np.int64)
    held: dict[int, str] = {}
    held_mask = np.zeros(n_keys, dtype=bool)

    # 2. saturation: the caller knows global degrees (a neighbourhood is only part of the graph).
    degree = np.bincount(e_key, minlength=n_keys) if n_keys else np.zeros(0, dtype=np.int64)
    saturated = graph.key_saturated.astype(bool) | (degree > rules.max_leads_per_identifier)
    for k in np.flatnonzero(saturated):
        held[int(k)] = HELD_SATURATED
    held_mask |= saturated

    # 1. leads with two different ID numbers: their ID links are held back.
    is_nid = e_kind == _NID
    nid_per_lead = _distinct_count(e_lead[is_nid], e_key[is_nid], n)
    conflict_leads = np.flatnonzero(nid_per_lead > 1)
    usable_edge = ~(is_nid & (nid_per_lead[e_lead] > 1))

    # 3. the family phone: a non-ID key shared by leads carrying different ID numbers.
    lead_nid = np.full(n, -1, dtype=np.int64)
    single = is_nid & usable_edge
    lead_nid[e_lead[single]] = e_key[single]
    other = ~is_nid & (lead_nid[e_lead] >= 0)
    family = _distinct_count(e_key[other], lead_nid[e_lead[other]], n_keys) >= 2
    for k in np.flatnonzero(family & ~held_mask):
        held[int(k)] = HELD_FAMILY
    held_mask |= family

    # 4. components, then hold back the weakest links of any component over a limit.
    limits = rules.limit_array()
    must_a = graph.must_a.astype(np.int64)
    must_b = graph.must_b.astype(np.int64)
    flagged: dict[int, str] = {}
    settled = np.zeros(n + n_keys, dtype=bool)
    while True:
        active = usable_edge & ~held_mask[e_key]
        u = np.concatenate([e_lead[active], must_a])
        v = np.concatenate([n + e_key[active], must_b])
        labels = components(n + n_keys, u, v)
        a_lead, a_key, a_kind = e_lead[active], e_key[active], e_kind[active]
        a_lab = labels[a_lead]
        over = _over_limit(a_lab, a_key, a_kind, limits, n)
        over &= ~settled[:n]
        bad = np.flatnonzero(over)
        if len(bad) == 0:
            break
        in_bad = over[a_lab]
        key_deg = np.bincount(a_key[in_bad], minlength=n_keys)
        linking = in_bad & (key_deg[a_key] >= 2) & (a_kind != _NID)
        strength = _STRENGTH_BY_CODE[a_kind]
        weakest = np.full(n, 1 << 14, dtype=np.int64)
        np.minimum.at(weakest, a_lab[linking], strength[linking])
        hold = linking & (strength == weakest[a_lab])
        for k in np.unique(a_key[hold]):
            held[int(k)] = HELD_LIMIT
            held_mask[k] = True
        for lab in bad:
            if weakest[lab] >= 1 << 14:  # only ID numbers or staff links hold it together
                flagged[int(lab)] = FLAG_LIMIT_ID_ONLY
                settled[lab] = True
    lead_labels = labels[:n]
    for lead in conflict_leads:
        flagged.setdefault(int(lead_labels[lead]), FLAG_CONFLICT_LEAD)
    accepted = usable_edge & ~held_mask[e_key] if len(e_key) else np.zeros(0, dtype=bool)
    return Resolution(lead_labels, held, flagged, conflict_leads, accepted, e_lead, e_key)


def _resolve_one(graph: LinkGraph, rules: MatchRules) -> Resolution:
    """The same rules for a lone lead (the common new-customer case), without numpy's fixed costs."""
    keys = sorted({int(k) for k in graph.edge_key})
    kinds = [int(graph.key_kind[k]) for k in keys]
    held = {k: HELD_SATURATED for k in keys if graph.key_saturated[k]}
    nids = [k for k, kind in zip(keys, kinds, strict=True) if kind == _NID]
    conflict = len(nids) > 1
    usable = [not (conflict and kind == _NID) for kind in kinds]
    active = [ok and k not in held for k, ok in zip(keys, usable, strict=True)]
    counts: dict[int, int] = {}
    for kind, on in zip(kinds, active, strict=True):
        if on:
            counts[kind] = counts.get(kind, 0) + 1
    limits = rules.limit_array()
    flagged: dict[int, str] = {}
    if any(count > limits[kind] for kind, count in counts.items()):
        flagged[0] = FLAG_LIMIT_ID_ONLY  # nothing links it to another lead: keep it, flag it
    if conflict:
        flagged.setdefault(0, FLAG_CONFLICT_LEAD)
    accepted = np.array(active, dtype=bool)
    return Resolution(
        labels=np.zeros(1, dtype=np.int64),
        held=held,
        flagged=flagged,
        conflict_leads=np.array([0] if conflict else [], dtype=np.int64),
        accepted=accepted,
        edge_lead=np.zeros(len(keys), dtype=np.int64),
        edge_key=np.array(keys, dtype=np.int64),
    )


def _over_limit(a_lab: np.ndarray, a_key: np.ndarray, a_kind: np.ndarray, limits: np.ndarray, n: int) -> np.ndarray:
    """Boolean per lead label: does that component hold more distinct keys of a kind than allowed?"""
    over = np.zeros(n, dtype=bool)
    if len(a_lab) == 0:
        return over
    n_kinds = len(limits)
    # a key belongs to exactly one component, so distinct (component, key) pairs are distinct keys
    _, first = np.unique(a_key, return_index=True)
    combo = a_lab[first] * n_kinds + a_kind[first]
    cells, counts = np.unique(combo, return_counts=True)
    bad = counts > limits[cells % n_kinds]
    over[cells[bad] // n_kinds] = True
    return over


def partition(labels: np.ndarray) -> list[list[int]]:
    """Group lead indices by label, each group sorted, groups ordered by their first lead."""
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    cuts = np.flatnonzero(np.diff(sorted_labels)) + 1
    groups = [g.tolist() for g in np.split(order, cuts)] if len(order) else []
    return sorted(groups, key=lambda g: g[0])
