"""The sales-script taxonomy and the tagger: the shipped file's shape, the counting rule, normalisation."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.tags import FOLD_FILE, TAXONOMY_FILE, Tagger, TaxonomyError, default_taxonomy, load_taxonomy, normalise

DATA = Path(__file__).parent / "data" / "transcripts"


def test_the_shipped_taxonomy_has_200_tags_in_about_8_dimensions_each_with_2_phrases():
    taxonomy = load_taxonomy()
    assert len(taxonomy.tags) >= 200
    assert 7 <= len(taxonomy.dimensions) <= 9
    assert all(len(t.phrases) >= 2 for t in taxonomy.tags)
    per_dimension = Counter(t.dimension for t in taxonomy.tags)
    assert set(per_dimension) == {d.key for d in taxonomy.dimensions}
    assert min(per_dimension.values()) >= 15, per_dimension  # every axis of the radar has substance
    names = [d.name for d in taxonomy.dimensions]
    assert {"需求挖掘", "产品讲解", "价格与金融", "抗性处理", "促成逼定", "竞品对比", "关系维护", "合规表达"} == set(
        names
    )
    for wanted in ("抗性化解", "紧迫感营造", "对比竞品价格", "首付分期", "学区", "交付标准", "物业费", "公积金贷款"):
        assert any(t.name == wanted for t in taxonomy.tags), wanted
    for wanted in ("得房率", "样板间", "开盘优惠", "逼定", "回访邀约"):
        assert any(t.name == wanted for t in taxonomy.tags), wanted


def test_no_phrase_maps_to_two_tags_unless_declared_shared():
    raw = tomllib.loads(TAXONOMY_FILE.read_text("utf-8"))
    owners: dict[str, list[str]] = {}
    for entries in raw["tags"].values():
        for key, tag in entries.items():
            for phrase in tag["phrases"]:
                owners.setdefault(normalise(phrase), []).append(key)
    shared = {normalise(p): sorted(tags) for p, tags in raw["shared"].items()}
    doubled = {p: sorted(tags) for p, tags in owners.items() if len(tags) > 1}
    assert doubled == shared and shared  # the mechanism is used, and only where declared


def test_phrases_are_simplified_and_already_normalised():
    pairs = tomllib.loads(FOLD_FILE.read_text("utf-8"))["pairs"].split()
    traditional = {p[0] for p in pairs}
    assert len(pairs) == len(traditional) > 400 and all(len(p) == 2 and p[0] != p[1] for p in pairs)
    assert not traditional & {p[1] for p in pairs}  # folding is one step, never a chain
    for tag in default_taxonomy().tags:
        for phrase in tag.phrases:
            assert not set(phrase) & traditional, (tag.key, phrase)
            assert normalise(phrase) == phrase.lower(), (tag.key, phrase)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[tags.needs]\na = { name = "甲", phrases = ["预算多少", "心理价位"] }\n'
         'b = { name = "乙", phrases = ["预算多少", "总价控制在"] }', "declare it under [shared]"),
        ('[tags.needs]\na = { name = "甲", phrases = ["预算多少"] }', "at least 2 phrases"),
        ('[tags.elsewhere]\na = { name = "甲", phrases = ["预算多少", "心理价位"] }', "not a declared dimension"),
        ('[tags.needs]\na = { name = "甲", phrases = ["预算多少", "心理价位"] }\n[shared]\n"心理价位" = ["a", "b"]',
         "must be listed in exactly"),
    ],
)  # fmt: skip
def test_an_inconsistent_taxonomy_is_refused_with_the_reason(tmp_path, text, problem):
    path = tmp_path / "taxonomy.toml"
    path.write_text('[dimensions]\nneeds = { name = "需求挖掘" }\n' + text, encoding="utf-8")
    with pytest.raises(TaxonomyError, match=re.escape(problem)):
        load_taxonomy(path)


def test_longest_phrase_wins_and_matches_never_overlap():
    tagger = Tagger()
    counts = tagger.count("首付分期可以的，首付三成也行，首付多少您定。")
    assert counts["down_payment_installment"] == 1  # not also 首付比例 for the 首付 inside it
    assert counts["down_payment_ratio"] == 2  # 首付三成, 首付多少
    hits = tagger.hits("有没有购房资格")  # 没有购房资格 (an objection) starts later and overlaps
    assert [(h.start, h.end, h.tags) for h in hits] == [(0, 7, ("qualification_check",))]


def test_a_shared_phrase_counts_for_every_tag_it_names():
    counts = Tagger().count("您是全款还是贷款？老带新还有优惠。")
    assert counts["payment_preference"] == counts["alternative_close"] == 1
    assert counts["referral"] == counts["referral_discount"] == 1


def test_full_width_case_and_traditional_characters_match_the_same_tags():
    tagger = Tagger()
    plain = tagger.count("lpr现在三点一，70年产权，公积金贷款，对比隔壁楼盘。")
    assert plain == tagger.count("ＬＰＲ现在三点一，７０年产权，公積金貸款，對比隔壁樓盤。")
    assert plain == tagger.count("Lpr现在三点一，70年产权，公积金贷款，对比隔壁楼盘。")
    assert plain["interest_rate"] == plain["property_rights"] == plain["provident_fund_loan"] == 1
    assert normalise("100㎡，①号楼，Ｄｉｙ活动") == "100m2,1号楼,diy活动"


def test_positions_point_into_the_normalised_text():
    text = "您好，ＬＰＲ是3.1，我们首付分期可以分两次，DIY活动周末有。"
    norm = normalise(text)
    hits = Tagger().hits(text)
    assert [h.phrase for h in hits] == ["您好", "lpr", "首付分期", "diy活动"]
    for hit in hits:
        assert norm[hit.start : hit.end] == hit.phrase


def test_a_real_call_is_tagged_as_a_manager_would_read_it():
    text = (DATA / "王磊_13812345678_20261120143205.txt").read_text("utf-8")
    counts = Tagger().count(text)
    for tag in (
        "down_payment_installment",
        "provident_fund_loan",
        "combination_loan",
        "school_district",
        "school_disclaimer",
        "competitor_price",
        "delivery_standard",
        "efficiency",
        "scarcity",
        "price_rise_notice",
        "special_approval",
        "lock_unit",
        "refund_policy",
        "bring_documents",
        "add_wechat",
        "call_courtesy",
    ):
        assert counts[tag] >= 1, tag
    assert not any(default_taxonomy().tag(t).risk for t in counts)  # a clean call: no risky claim


def _regex_counts(tagger: Tagger, text: str) -> Counter[str]:
    """The benchmark's baseline: one alternation, longest first."""
    pattern = re.compile("|".join(map(re.escape, sorted(tagger.phrases, key=lambda p: (-len(p), p)))))
    owners = dict(zip(tagger.phrases, tagger.phrase_tags, strict=True))
    out: Counter[str] = Counter()
    for m in pattern.finditer(normalise(text)):
        out.update(owners[m.group()])
    return out


_TAGGER = Tagger()
_PIECES = st.sampled_from([p[: max(1, len(p) - k)] for p in _TAGGER.phrases[::7] for k in (0, 1)] + ["，", "的", "您"])


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=40))
def test_the_automaton_counts_exactly_what_one_regular_expression_counts(pieces):
    text = "".join(pieces)
    assert _TAGGER.count(text) == _regex_counts(_TAGGER, text)
