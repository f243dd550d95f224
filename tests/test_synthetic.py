"""The synthetic lead generator: determinism, realism of what channels hand over, households, link rows."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

import numpy as np
import pytest

from models.clock import BUSINESS_TZ, business_time
from models.identifiers import IdentifierKind, Status, parse_identifier
from models.leads import Channel, TouchKind
from models.rebuild import resolve_rows
from models.resolution import KIND_CODES, MatchRules
from models.synthetic import (
    MAX_LEADS_PER_PERSON,
    area_codes,
    generate_leads,
    generate_link_rows,
    pair_counts,
    pair_scores,
    same_partition,
)

START = datetime(2026, 11, 20, tzinfo=BUSINESS_TZ)
TODAY = START.date()


@pytest.fixture(scope="module")
def day() -> list:
    """Three thousand leads over two days, with more households than usual."""
    return generate_leads(3000, seed=5, start=START, days=2.0, family_share=0.04)


def _parsed(lead) -> list:
    return [parse_identifier(kind, raw, today=TODAY) for kind, raw in lead.identifiers]


def test_deterministic_for_a_seed_and_different_across_seeds():
    """Same seed, same leads; another seed, other leads."""
    a = [(s.person, s.lead.summary()) for s in generate_leads(200, seed=1, start=START)]
    b = [(s.person, s.lead.summary()) for s in generate_leads(200, seed=1, start=START)]
    c = [(s.person, s.lead.summary()) for s in generate_leads(200, seed=2, start=START)]
    assert a == b
    assert a != c


def test_count_ids_and_business_hours(day):
    """Exactly n leads, unique message ids, in arrival order, inside business hours of the period."""
    assert len(day) == 3000
    assert len({(s.lead.source, s.lead.source_message_id) for s in day}) == 3000
    times = [s.lead.occurred_at for s in day]
    assert times == sorted(times)
    for t in times:
        local = business_time(t)
        assert 9 <= local.hour < 21
        assert local.date() in (TODAY, TODAY.replace(day=21))


def test_zipf_repeats_and_channel_shares(day):
    """Most persons leave one lead, a few many (capped); channel shares are close to the model."""
    per_person = Counter(s.person for s in day)
    sizes = Counter(per_person.values())
    assert sizes[1] / len(per_person) > 0.6
    assert max(per_person.values()) <= MAX_LEADS_PER_PERSON
    assert any(n >= 5 for n in per_person.values())
    shares = Counter(s.lead.channel for s in day)
    assert abs(shares[Channel.DOUYIN] / len(day) - 0.30) < 0.05
    for channel in (Channel.XIAOHONGSHU, Channel.ANJUKE, Channel.MINI_PROGRAM, Channel.AGENCY):
        assert abs(shares[channel] / len(day) - 0.15) < 0.05


def test_channels_hand_over_what_they_really_give(day):
    """Each channel carries its own platform id plus a phone (some first Douyin/mini-program leads carry
    only the platform id, and the person's next lead on that platform bridges them); visits carry an ID."""
    expected = {
        Channel.DOUYIN: "douyin_open_id",
        Channel.MINI_PROGRAM: "wx_union_id",
        Channel.ANJUKE: "anjuke_member_id",
        Channel.XIAOHONGSHU: "browser_fp",
    }
    phoneless = []
    for s in day:
        kinds = {k for k, _ in s.lead.identifiers}
        if "mobile" not in kinds:
            assert s.lead.channel in (Channel.DOUYIN, Channel.MINI_PROGRAM)
            phoneless.append(s)
        if s.lead.channel in expected:
            assert expected[s.lead.channel] in kinds
            assert s.lead.kind is TouchKind.ONLINE_LEAD
        if s.lead.kind is TouchKind.REPORT:
            assert "national_id" not in kinds
            assert s.lead.name and s.lead.agency_code and s.lead.broker_code
        if s.lead.channel is Channel.AGENCY:
            assert s.lead.kind in (TouchKind.REPORT, TouchKind.ACCOMPANIED_VISIT)
    assert 0 < len(phoneless) < 0.1 * len(day)
    for s in phoneless:  # a later lead of the same person on the same platform carries the phone
        later = [o for o in day if o.person == s.person and o.lead.channel is s.lead.channel and o is not s]
        assert any(
            o.lead.occurred_at > s.lead.occurred_at and any(k == "mobile" for k, _ in o.lead.identifiers) for o in later
        )
    visits = [s for s in day if s.lead.kind in (TouchKind.WALK_IN, TouchKind.ACCOMPANIED_VISIT)]
    with_id = [s for s in visits if any(k == "national_id" for k, _ in s.lead.identifiers)]
    assert len(with_id) / len(visits) > 0.75


def _shape(raw: str) -> str:
    """Which written form a raw mobile number takes."""
    for prefix in ("+86", "0086", "86"):
        if raw.startswith(prefix):
            return prefix
    if raw[0] == "１":
        return "full-width"
    return "spaced" if " " in raw else "dashed" if "-" in raw else "plain"


def test_format_variants_parse_to_one_value_per_person(day):
    """Every valid mobile and ID of a person canonicalises to the same value; variants really vary."""
    values: dict[tuple[int, str], set[str]] = defaultdict(set)
    raw_shapes = set()
    for s in day:
        for ident, (_, raw) in zip(_parsed(s.lead), s.lead.identifiers, strict=True):
            if ident.kind is IdentifierKind.MOBILE:
                raw_shapes.add(_shape(raw))
            if ident.status is Status.VALID and ident.kind in (IdentifierKind.MOBILE, IdentifierKind.NATIONAL_ID):
                values[(s.person, ident.kind.value)].add(ident.value)
    assert raw_shapes == {"+86", "0086", "86", "full-width", "spaced", "dashed", "plain"}
    assert all(len(v) == 1 for v in values.values())


def test_noise_is_present_and_never_valid(day):
    """Invalid mobiles, wrong check characters and blocked placeholders all occur."""
    statuses = Counter()
    for s in day:
        for ident in _parsed(s.lead):
            statuses[(ident.kind.value, ident.status)] += 1
            if ident.status is Status.VALID and ident.kind is IdentifierKind.NATIONAL_ID:
                assert "area_code_unknown" not in ident.warnings
    assert statuses[("mobile", Status.INVALID)] > 0
    assert statuses[("national_id", Status.INVALID)] > 0
    assert sum(n for (kind, st), n in statuses.items() if st is Status.BLOCKED) > 0
    assert any("legacy_15_digit" in i.warnings for s in day for i in _parsed(s.lead))


def test_households_share_one_mobile_with_different_ids(day):
    """Two persons, one phone, two valid ID numbers; every lead of theirs is a visit with both."""
    phone_persons: dict[str, set[int]] = defaultdict(set)
    person_ids: dict[int, set[str]] = defaultdict(set)
    for s in day:
        for ident in _parsed(s.lead):
            if ident.status is Status.VALID and ident.kind is IdentifierKind.MOBILE:
                phone_persons[ident.value].add(s.person)
            if ident.status is Status.VALID and ident.kind is IdentifierKind.NATIONAL_ID:
                person_ids[s.person].add(ident.value)
    shared = [p for p in phone_persons.values() if len(p) > 1]
    assert shared and all(len(p) == 2 for p in shared)
    members = set().union(*shared)
    for a, b in (sorted(p) for p in shared):
        assert len(person_ids[a]) == len(person_ids[b]) == 1
        assert person_ids[a] != person_ids[b]
    for s in day:
        if s.person in members:
            assert s.lead.kind in (TouchKind.WALK_IN, TouchKind.ACCOMPANIED_VISIT)


def test_area_codes_come_from_the_stdnum_table():
    """Hundreds of county codes, none of them a province or city code."""
    codes = area_codes()
    assert len(codes) > 300
    assert all(len(c) == 6 and not c.endswith("00") for c in codes)


def test_link_rows_model_and_resolution():
    """Link rows are deterministic, well-formed, and resolve with perfect precision and high recall."""
    rows = generate_link_rows(20_000, seed=3)
    again = generate_link_rows(20_000, seed=3)
    assert np.array_equal(rows.lead_idx, again.lead_idx) and np.array_equal(rows.key_idx, again.key_idx)
    assert rows.n_leads == len(rows.person) == 20_000
    assert set(np.unique(rows.lead_idx)) <= set(range(20_000))
    assert set(np.unique(rows.kind_code)) <= set(KIND_CODES.values())
    assert np.bincount(np.bincount(rows.person)).argmax() == 1  # most persons: one lead
    res = resolve_rows(rows.n_leads, rows.lead_idx, rows.key_idx, rows.kind_code, MatchRules())
    precision, recall = pair_scores(res.labels, rows.person)
    assert precision == 1.0
    assert recall >= 0.99
    assert "shared_by_different_ids" in set(res.held.values())  # households are held apart


def test_pair_scores_contingency_formula():
    """Pair counts match a brute-force count on a small example."""
    predicted = np.array([0, 0, 0, 1, 1, 2])
    truth = np.array([5, 5, 6, 6, 6, 7])
    brute = [(i, j) for i in range(6) for j in range(i + 1, 6)]
    both = sum(predicted[i] == predicted[j] and truth[i] == truth[j] for i, j in brute)
    pred = sum(predicted[i] == predicted[j] for i, j in brute)
    true = sum(truth[i] == truth[j] for i, j in brute)
    assert pair_counts(predicted, truth) == (both, pred, true)
    assert pair_scores(predicted, truth) == (both / pred, both / true)


def test_same_partition_ignores_label_names():
    """Relabelled partitions are the same; a moved item is not."""
    assert same_partition(np.array([3, 3, 9, 1]), np.array([0, 0, 5, 2]))
    assert not same_partition(np.array([3, 3, 9, 1]), np.array([0, 0, 0, 2]))
    assert not same_partition(np.array([3, 3, 9, 1]), np.array([0, 1, 5, 2]))
