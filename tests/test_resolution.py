"""Identity resolution as a pure function: rules, limits and order independence (no database)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from models.identifiers import IdentifierKind as K
from models.resolution import (
    HELD_FAMILY,
    HELD_LIMIT,
    HELD_SATURATED,
    KIND_CODES,
    LinkGraph,
    MatchRules,
    components,
    partition,
    resolve,
)


def graph(n_leads: int, kinds: list[K], edges: list[tuple[int, int]], must=(), saturated=()) -> LinkGraph:
    """Build a LinkGraph from (lead, key) pairs."""
    return LinkGraph(
        n_leads=n_leads,
        edge_lead=np.array([e[0] for e in edges], dtype=np.int64),
        edge_key=np.array([e[1] for e in edges], dtype=np.int64),
        key_kind=np.array([KIND_CODES[k] for k in kinds], dtype=np.int64),
        key_saturated=np.array([i in saturated for i in range(len(kinds))], dtype=bool),
        must_a=np.array([a for a, _ in must], dtype=np.int64),
        must_b=np.array([b for _, b in must], dtype=np.int64),
    )


def groups(res) -> list[list[int]]:
    return partition(res.labels)


def test_components_matches_a_simple_chain():
    lab = components(6, np.array([0, 1, 3]), np.array([1, 2, 4]))
    assert lab.tolist() == [0, 0, 0, 3, 3, 5]


def test_shared_mobile_merges_transitively():
    # 0 -(M)- 1 -(D)- 2
    res = resolve(graph(3, [K.MOBILE, K.DOUYIN_OPEN_ID], [(0, 0), (1, 0), (1, 1), (2, 1)]))
    assert groups(res) == [[0, 1, 2]] and res.held == {}


def test_family_phone_is_held_and_the_people_stay_apart():
    kinds = [K.MOBILE, K.NATIONAL_ID, K.NATIONAL_ID]
    res = resolve(graph(3, kinds, [(0, 0), (0, 1), (1, 0), (1, 2), (2, 0)]))
    assert groups(res) == [[0], [1], [2]]
    assert res.held == {0: HELD_FAMILY}


def test_chain_with_two_id_numbers_splits_at_the_weakest_link():
    # 0 (M, X) -M- 1 (M, fp) -fp- 2 (fp, Y): the browser fingerprint is weaker than the mobile
    kinds = [K.MOBILE, K.NATIONAL_ID, K.BROWSER_FP, K.NATIONAL_ID]
    res = resolve(graph(3, kinds, [(0, 0), (0, 1), (1, 0), (1, 2), (2, 2), (2, 3)]))
    assert groups(res) == [[0, 1], [2]]
    assert res.held == {2: HELD_LIMIT}


def test_more_than_five_mobiles_is_over_the_limit():
    kinds = [K.WX_UNION_ID] + [K.MOBILE] * 6
    edges = [(i, 0) for i in range(6)] + [(i, i + 1) for i in range(6)]
    res = resolve(graph(6, kinds, edges))
    assert len(groups(res)) == 6 and res.held == {0: HELD_LIMIT}
    relaxed = resolve(graph(6, kinds, edges), MatchRules(max_distinct={"mobile": 6}))
    assert groups(relaxed) == [list(range(6))]


def test_one_person_with_many_phones_backed_by_an_id_number_is_kept_and_flagged():
    kinds = [K.NATIONAL_ID] + [K.MOBILE] * 6
    edges = [(i, 0) for i in range(6)] + [(i, i + 1) for i in range(6)]
    res = resolve(graph(6, kinds, edges))
    assert groups(res) == [list(range(6))]
    assert list(res.flagged.values()) == ["over_limit_id_backed"]


def test_saturated_identifier_never_links():
    res = resolve(graph(3, [K.MOBILE], [(0, 0), (1, 0), (2, 0)], saturated={0}))
    assert groups(res) == [[0], [1], [2]] and res.held == {0: HELD_SATURATED}
    capped = resolve(graph(3, [K.MOBILE], [(0, 0), (1, 0), (2, 0)]), MatchRules(max_leads_per_identifier=2))
    assert capped.held == {0: HELD_SATURATED}


def test_lead_with_two_id_numbers_is_flagged():
    kinds = [K.NATIONAL_ID, K.NATIONAL_ID, K.MOBILE]
    res = resolve(graph(2, kinds, [(0, 0), (0, 1), (0, 2), (1, 2)]))
    assert res.conflict_leads.tolist() == [0]
    assert "lead_with_two_ids" in res.flagged.values()


def test_staff_links_are_never_held():
    kinds = [K.MOBILE, K.NATIONAL_ID, K.NATIONAL_ID]
    res = resolve(graph(2, kinds, [(0, 0), (0, 1), (1, 0), (1, 2)], must=[(0, 1)]))
    assert groups(res) == [[0, 1]]


edge_lists = st.lists(st.tuples(st.integers(0, 11), st.integers(0, 9)), min_size=0, max_size=40)
KINDS = [
    K.MOBILE,
    K.MOBILE,
    K.NATIONAL_ID,
    K.NATIONAL_ID,
    K.DOUYIN_OPEN_ID,
    K.WX_UNION_ID,
    K.BROWSER_FP,
    K.IDFA,
    K.MOBILE,
    K.NATIONAL_ID,
]


@settings(max_examples=300, deadline=None)
@given(edge_lists, st.randoms(use_true_random=False))
def test_partition_does_not_depend_on_order(edges, rnd):
    """Relabel leads and keys and shuffle the edges: the same people end up together."""
    n = 12
    base = resolve(graph(n, KINDS, edges), MatchRules(max_distinct={"mobile": 2}))
    lead_perm = list(range(n))
    rnd.shuffle(lead_perm)
    shuffled = [(lead_perm[a], b) for a, b in edges]
    rnd.shuffle(shuffled)
    other = resolve(graph(n, KINDS, shuffled), MatchRules(max_distinct={"mobile": 2}))
    inverse = {new: old for old, new in enumerate(lead_perm)}
    mapped = sorted(sorted(inverse[i] for i in g) for g in groups(other))
    assert mapped == groups(base)
    assert other.held == base.held


@settings(max_examples=200, deadline=None)
@given(edge_lists)
def test_accepted_links_explain_the_partition_exactly(edges):
    """Customers are exactly the connected components of the accepted links (checked independently)."""
    n = 12
    res = resolve(graph(n, KINDS, edges))
    parent = list(range(n + len(KINDS)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for lead, key, ok in zip(res.edge_lead, res.edge_key, res.accepted, strict=True):
        if ok:
            parent[find(int(lead))] = find(n + int(key))
    expected = {}
    for lead in range(n):
        expected.setdefault(find(lead), []).append(lead)
    assert sorted(expected.values()) == groups(res)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 9), max_size=8), st.sets(st.integers(0, 9), max_size=3))
def test_lone_lead_fast_path_agrees_with_the_general_algorithm(keys, saturated):
    """A single lead takes a shortcut; it must decide exactly what the array algorithm decides."""
    rules = MatchRules(max_distinct={"mobile": 1, "browser_fp": 1})
    one = graph(1, KINDS, [(0, k) for k in keys], saturated=saturated)
    two = graph(2, KINDS, [(0, k) for k in keys], saturated=saturated)  # lead 1 has nothing: no effect on lead 0
    fast, general = resolve(one, rules), resolve(two, rules)
    assert fast.held == {k: v for k, v in general.held.items() if k in set(keys)}
    assert fast.flagged == {k: v for k, v in general.flagged.items() if k == 0}
    assert fast.conflict_leads.tolist() == general.conflict_leads.tolist()
    assert sorted(fast.edge_key[fast.accepted].tolist()) == sorted(general.edge_key[general.accepted].tolist())
