"""Tagging benchmark (`python -m bench tags`): the Aho-Corasick tagger against one `re` alternation.

Text: synthetic calls (顾问：… / 客户：… lines) built from the taxonomy's phrases inside everyday
sentence frames, between filler sentences that carry no tag — 100 MB of UTF-8 (about 34 million
characters), or 12 MB with --quick. Both sides normalise each call the same way (`models.tags.normalise`)
and count with the same rule: leftmost-longest, non-overlapping (the alternation lists longer
phrases first). The counts are checked equal, call by call on a sample and in total. See docs/tags.md.
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

from bench.common import figure, progress
from models.tags import Tagger, Taxonomy, default_taxonomy, normalise

SIZES = {True: 12_000_000, False: 100_000_000}  # bytes of UTF-8 text
BLOCKS = 20
TARGET_RATIO = 5.0
SAMPLE_CALLS = 300

FILLER = (
    "喂，您好，听得到吗？",
    "嗯，好的，我这边记一下。",
    "您稍等一下，我看一下系统。",
    "对，是这样的。",
    "这个我回头再跟您确认。",
    "那边信号不太好，您再说一遍？",
    "行，没问题。",
    "我明白您的意思了。",
    "今天天气挺好的，路上不堵吧？",
    "您是开车过来还是坐地铁过来？",
    "这边请，小心台阶。",
    "我给您倒杯水。",
    "好，那我先说一下大概的情况。",
    "您手上有我们的宣传页吗？",
    "我们这个项目一共是十二栋楼。",
    "楼下就是小区的大门。",
    "对对，您说得没错。",
    "这个问题很多人都问过。",
    "我这边先给您登记一下。",
    "嗯嗯，我知道了。",
    "他们家我也去看过。",
    "上周末来的人特别多。",
    "您先坐，我去拿一下资料。",
    "这个位置从窗户看出去就是主干道。",
    "哦，是这样啊。",
    "好的好的，那就这么说定了。",
    "这个要看您自己的情况。",
    "我们下午三点还有一场讲解。",
    "对，从这边往里走。",
    "那我先挂了，有事您再打给我。",
)
FRAMES = (
    "{p}这块我跟您详细说一下。",
    "关于{p}，很多客户都会问。",
    "您看，{p}的话我们是这样的。",
    "对，{p}，这个您放心。",
    "其实{p}也是大家比较关心的。",
    "我再说说{p}。",
    "{p}，您觉得怎么样？",
    "刚才说到{p}，",
    "嗯，{p}是吧。",
)


def generate_calls(size_bytes: int, taxonomy: Taxonomy, seed: int = 7) -> Iterator[str]:
    """Realistic-looking call transcripts until `size_bytes` of UTF-8 have been produced."""
    rng = random.Random(seed)
    phrases = [p for t in taxonomy.tags for p in t.phrases]
    produced = 0
    while produced < size_bytes:
        lines = []
        for turn in range(rng.randint(20, 60)):
            who = "顾问" if turn % 2 == 0 else "客户"
            parts = []
            for _ in range(rng.randint(1, 3)):
                if rng.random() < 0.35:
                    parts.append(rng.choice(FRAMES).format(p=rng.choice(phrases)))
                else:
                    parts.append(rng.choice(FILLER))
            lines.append(f"{who}：{''.join(parts)}")
        call = "\n".join(lines)
        produced += len(call.encode("utf-8"))
        yield call


def alternation(tagger: Tagger) -> tuple[re.Pattern[str], dict[str, tuple[str, ...]]]:
    """One regular expression of every phrase, longest first, and each phrase's tags."""
    ordered = sorted(tagger.phrases, key=lambda p: (-len(p), p))
    owners = dict(zip(tagger.phrases, tagger.phrase_tags, strict=True))
    return re.compile("|".join(map(re.escape, ordered))), owners


def count_with_re(pattern: re.Pattern[str], owners: dict[str, tuple[str, ...]], text: str) -> Counter[str]:
    """Tag counts of a normalised text with the `re` baseline (same rule as the tagger)."""
    by_phrase = Counter(m.group() for m in pattern.finditer(text))
    out: Counter[str] = Counter()
    for phrase, n in by_phrase.items():
        for tag in owners[phrase]:
            out[tag] += n
    return out


def run(quick: bool) -> Iterator[dict[str, Any]]:
    """Tag the same calls with both methods; report chars/s, the ratio, and whether the counts agree."""
    taxonomy = default_taxonomy()
    tagger = Tagger(taxonomy)
    pattern, owners = alternation(tagger)
    size = SIZES[quick]
    progress(f"tags: generating {size / 1e6:.0f} MB of transcript text ({len(tagger.phrases)} phrases)")
    calls = list(generate_calls(size, taxonomy))
    chars = sum(len(c) for c in calls)
    sample = calls[:SAMPLE_CALLS]
    mismatched = sum(
        1 for c in sample if tagger.count(c) != count_with_re(pattern, owners, normalise(c))
    )  # call by call, before timing
    progress(f"tags: {len(calls):,} calls, {chars:,} characters, in {BLOCKS} blocks taking turns")
    fast: Counter[str] = Counter()
    slow: Counter[str] = Counter()
    fast_s = slow_s = 0.0
    step = -(-len(calls) // BLOCKS)
    for first in range(0, len(calls), step):  # alternate, so both sides see the same machine load
        block = calls[first : first + step]
        started = time.perf_counter()
        for call in block:
            fast.update(tagger.count(call))
        fast_s += time.perf_counter() - started
        started = time.perf_counter()
        for call in block:
            slow.update(count_with_re(pattern, owners, normalise(call)))
        slow_s += time.perf_counter() - started
    progress(f"tags: Aho-Corasick {fast_s:.1f} s, re alternation {slow_s:.1f} s")
    ratio = (chars / fast_s) / (chars / slow_s)
    common = dict(calls=len(calls), chars=chars, mb=round(size / 1e6), tags=len(taxonomy.tags), phrases=len(owners))
    yield figure(
        "tag_chars_per_s",
        chars / fast_s,
        "chars/s",
        baseline=chars / slow_s,
        target_ratio=TARGET_RATIO,
        ok=bool(ratio >= TARGET_RATIO),
        seconds=round(fast_s, 2),
        baseline_seconds=round(slow_s, 2),
        **common,
    )
    yield figure(
        "tag_counts_agree",
        fast == slow and mismatched == 0,
        "bool",
        sample_calls=len(sample),
        sample_mismatches=mismatched,
        total_hits=sum(fast.values()),
        baseline_total_hits=sum(slow.values()),
    )
