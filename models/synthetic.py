"""Synthetic leads with ground truth: a realistic day (or month) of a sales office, for tests and benches.

Population model (shared by `generate_leads` and `generate_link_rows`):
- A person leaves a Zipf-like number of leads (most 1, some 2-5, a few many; capped at 30).
- Channels in realistic proportions; each lead carries what its channel really hands over
  (douyin: open_id + mobile; mini program: union_id + mobile; anjuke: member id + mobile;
  xiaohongshu: browser fingerprint + mobile; agency report: mobile + name; visits: mobile + ID).
  A person's first Douyin/mini-program lead sometimes carries only the platform id; their next lead
  on that platform carries the phone too and bridges the two customers (a merge).
- `family_share` of persons live in two-person households sharing ONE mobile; each has their own
  ID number. Their leads are all visits (ID + shared mobile): a lead carrying only a shared phone
  cannot be told apart by anyone, so the generator does not make those and the truth stays knowable.
- Noise: invalid mobiles (12 digits), ID numbers with a wrong check character, blocked placeholders
  (all-zero IDFA, `null`, `unknown`). Noise only removes links; a lead left with no usable link
  becomes its own customer and counts against recall. Household members get no invalid values (an
  invalid ID would leave a lead carrying only the shared phone, whose owner is unknowable).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import numpy as np
from stdnum import numdb
from stdnum.cn import ric

from models.clock import BUSINESS_TZ, ensure_aware
from models.identifiers import IdentifierKind, parse_phone
from models.leads import Channel, LeadIn, TouchKind
from models.resolution import KIND_CODES

ZIPF_A = 2.5
MAX_LEADS_PER_PERSON = 30
CHANNELS = [Channel.DOUYIN, Channel.XIAOHONGSHU, Channel.ANJUKE, Channel.MINI_PROGRAM, Channel.AGENCY, Channel.WALK_IN]
CHANNEL_SHARES = np.array([0.30, 0.15, 0.15, 0.15, 0.15, 0.10])
SOURCES = {
    Channel.DOUYIN: "douyin",
    Channel.XIAOHONGSHU: "xiaohongshu",
    Channel.ANJUKE: "anjuke",
    Channel.MINI_PROGRAM: "wx_mini",
    Channel.AGENCY: "agency",
    Channel.WALK_IN: "front_desk",
}
ID_SHARE = 0.85  # persons who show an ID card when they visit
REPORT_SHARE = 0.6  # agency leads that are reports (the rest are accompanied visits)
DEVICE_SHARE = 0.3  # app leads that also carry an IDFA/GAID
BAD_MOBILE = 0.01
# A Douyin private message or a mini-program visit that leaves no phone, only the platform id. Only a
# person's first lead on a platform they use again: the later lead carries both and bridges them, so
# the truth stays knowable (a lead linked to nothing would only measure the generator).
PHONELESS_FIRST = 0.5
BAD_ID = 0.02
PLACEHOLDER = 0.03
LEGACY_ID = 0.05
OPEN_HOUR, BUSINESS_HOURS = 9, 12

SURNAMES = [*"王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘", "欧阳", "司马"]
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚浩宇欣怡辰轩涵萱晨阳婷雪琳鹏飞建华")
# Mainland mobile prefixes (China Mobile, Unicom, Telecom) as 3-digit blocks.
MOBILE_PREFIXES = [f"13{d}" for d in "012356789"] + [f"15{d}" for d in "012356789"]
MOBILE_PREFIXES += [f"18{d}" for d in "01235689"] + ["187", "199"]
AGENCIES = {"AG-LJ": 8, "AG-WAWJ": 6, "AG-ZY": 5, "AG-MT": 4, "AG-TH": 3}  # code -> brokers
ZERO_UUID = "00000000-0000-0000-0000-000000000000"
PLACEHOLDERS = [
    ("idfa", ZERO_UUID),
    ("gaid", ZERO_UUID),
    ("douyin_open_id", "null"),
    ("wx_union_id", "unknown"),
    ("browser_fp", "undefined"),
]
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def pair_counts(predicted: np.ndarray, truth: np.ndarray) -> tuple[int, int, int]:
    """Over all lead pairs: (together in both, together in `predicted`, together in `truth`)."""

    def pairs(counts: np.ndarray) -> int:
        counts = counts.astype(np.int64)
        return int((counts * (counts - 1) // 2).sum())

    if len(predicted) == 0:
        return 0, 0, 0
    both = np.unique(np.stack([predicted, truth], axis=1), axis=0, return_counts=True)[1]
    return (
        pairs(both),
        pairs(np.unique(predicted, return_counts=True)[1]),
        pairs(np.unique(truth, return_counts=True)[1]),
    )


def pair_scores(predicted: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """Pair precision and pair recall of a labelling against ground truth (1.0 when there are no pairs)."""
    both, pred, true = pair_counts(np.asarray(predicted), np.asarray(truth))
    return (both / pred if pred else 1.0), (both / true if true else 1.0)


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """True when two labellings of the same items group them identically (labels themselves may differ)."""
    a, b = np.asarray(a), np.asarray(b)
    if len(a) != len(b):
        return False
    n_pairs = len(np.unique(np.stack([a, b], axis=1), axis=0)) if len(a) else 0
    return n_pairs == len(np.unique(a)) == len(np.unique(b))


@dataclass
class SyntheticLead:
    """A generated lead and the person who really left it."""

    lead: LeadIn
    person: int


@dataclass
class Person:
    """One generated person with everything a channel may hand over."""

    pid: int
    name: str
    male: bool
    mobile: str  # 11 national digits
    national_id: str | None
    douyin: str
    anjuke: str
    union_id: str
    device: tuple[str, str]  # (idfa|gaid, uuid)
    browser_fp: str
    household: int | None = None


@lru_cache(maxsize=1)
def area_codes() -> tuple[str, ...]:
    """County-level area codes from python-stdnum's table that are valid for births 1955-2004."""

    def covers(segment: str) -> bool:
        if not segment.startswith("["):
            return True
        start, end = segment[1:].split("]")[0].split("-")
        return (not start or int(start) <= 1955) and (not end or int(end) >= 2004)

    out = []
    for _, prov, _, _, subs in numdb.get("cn/loc").prefixes:
        for _, county, _, info, _ in subs:
            if not county.endswith("00") and any(covers(s) for s in info.get("county", "").split(",")):
                out.append(prov + county)
    return tuple(out)


def lead_counts(rng: np.random.Generator, n_leads: int) -> np.ndarray:
    """Leads per person (Zipf, capped) summing to exactly n_leads."""
    parts, total = [], 0
    while total < n_leads:
        draw = np.minimum(rng.zipf(ZIPF_A, size=max(1024, (n_leads - total) // 2 + 1)), MAX_LEADS_PER_PERSON)
        parts.append(draw)
        total += int(draw.sum())
    counts = np.concatenate(parts)
    cum = np.cumsum(counts)
    last = int(np.searchsorted(cum, n_leads))
    counts = counts[: last + 1].copy()
    counts[last] -= int(cum[last]) - n_leads
    return counts[counts > 0]


def households(rng: np.random.Generator, n_persons: int, family_share: float) -> np.ndarray:
    """Pairs of person indices sharing one mobile, shape (k, 2)."""
    k = int(n_persons * family_share) // 2
    return rng.choice(n_persons, size=2 * k, replace=False).reshape(k, 2) if k else np.zeros((0, 2), int)


def _token(rng: np.random.Generator, n: int) -> str:
    """n random bytes as hex."""
    return rng.bytes(n).hex()


def _uuid(rng: np.random.Generator) -> str:
    """A random UUID in 8-4-4-4-12 form."""
    h = _token(rng, 16)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _mobile(rng: np.random.Generator, taken: set[str]) -> str:
    """A fresh, valid 11-digit mainland mobile not yet given to anyone."""
    while True:
        number = MOBILE_PREFIXES[rng.integers(len(MOBILE_PREFIXES))] + f"{rng.integers(10**8):08d}"
        if number not in taken and parse_phone(number).value == "+86" + number:
            taken.add(number)
            return number


def _national_id(rng: np.random.Generator, male: bool) -> str:
    """A valid 18-character ID: real area code, birth 1955-2003, sex digit, correct check character."""
    codes = area_codes()
    born = date(1955, 1, 1) + timedelta(days=int(rng.integers(49 * 365)))
    seq = int(rng.integers(500)) * 2 + (1 if male else 0)
    body = f"{codes[rng.integers(len(codes))]}{born:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def make_person(rng: np.random.Generator, pid: int, taken: set[str]) -> Person:
    """Draw one person's name, mobile, ID number and platform ids."""
    male = bool(rng.random() < 0.5)
    given = "".join(GIVEN[i] for i in rng.integers(len(GIVEN), size=int(rng.integers(1, 3))))
    kind = "idfa" if rng.random() < 0.45 else "gaid"
    device = _uuid(rng)
    return Person(
        pid=pid,
        name=SURNAMES[rng.integers(len(SURNAMES))] + given,
        male=male,
        mobile=_mobile(rng, taken),
        national_id=_national_id(rng, male) if rng.random() < ID_SHARE else None,
        douyin="_000" + _token(rng, 14),
        anjuke=str(rng.integers(10**9, 10**10)),
        union_id="o6_bm" + _token(rng, 12),
        device=(kind, device.upper() if kind == "idfa" else device),
        browser_fp=_token(rng, 16),
    )


def format_mobile(rng: np.random.Generator, number: str) -> str:
    """Write an 11-digit mobile the way forms and brokers do."""
    a, b, c = number[:3], number[3:7], number[7:]
    variants = [
        number,
        number,
        f"+86 {a}-{b}-{c}",
        f"+86{number}",
        f"0086{number}",
        f"86{number}",
        f"{a} {b} {c}",
        f"{a}-{b}-{c}",
        number.translate(_FULL_WIDTH),
    ]
    return variants[rng.integers(len(variants))]


def format_id(rng: np.random.Generator, number: str) -> str:
    """Write an ID number as typed at the desk: plain, lower-case x, spaced, or legacy 15-digit."""
    roll = rng.random()
    if roll < LEGACY_ID and number[6:8] == "19":
        return number[:6] + number[8:17]
    if roll < 0.10:
        return f"{number[:6]} {number[6:14]} {number[14:]}"
    return number.lower() if roll < 0.15 else number


def corrupt_id(number: str) -> str:
    """The same ID number with a wrong check character."""
    right = number[17]
    return number[:17] + ("0" if right != "0" else "1")


def _plan_person(rng: np.random.Generator, count: int, in_household: bool) -> list[tuple[Channel, TouchKind]]:
    """Channel and touch kind of each of a person's leads, visits last."""
    plan = []
    for _ in range(count):
        if in_household:
            channel = Channel.WALK_IN if rng.random() < 0.6 else Channel.AGENCY
            kind = TouchKind.WALK_IN if channel is Channel.WALK_IN else TouchKind.ACCOMPANIED_VISIT
        else:
            channel = CHANNELS[rng.choice(len(CHANNELS), p=CHANNEL_SHARES)]
            if channel is Channel.AGENCY:
                kind = TouchKind.REPORT if rng.random() < REPORT_SHARE else TouchKind.ACCOMPANIED_VISIT
            else:
                kind = TouchKind.WALK_IN if channel is Channel.WALK_IN else TouchKind.ONLINE_LEAD
        plan.append((channel, kind))
    order = {TouchKind.ONLINE_LEAD: 0, TouchKind.REPORT: 1}
    return sorted(plan, key=lambda ck: order.get(ck[1], 2))


def _identifiers(
    rng: np.random.Generator, p: Person, channel: Channel, kind: TouchKind, phoneless: bool = False
) -> list[tuple[str, str]]:
    """The raw identifiers a channel hands over for this person, with format variants and noise."""
    out: list[tuple[str, str]] = []
    platform = {
        Channel.DOUYIN: ("douyin_open_id", p.douyin),
        Channel.MINI_PROGRAM: ("wx_union_id", p.union_id),
        Channel.ANJUKE: ("anjuke_member_id", p.anjuke),
        Channel.XIAOHONGSHU: ("browser_fp", p.browser_fp),
    }
    if channel in platform:
        out.append(platform[channel])
        if channel in (Channel.DOUYIN, Channel.MINI_PROGRAM) and rng.random() < DEVICE_SHARE:
            out.append(p.device)
    if phoneless:
        return out
    mobile = format_mobile(rng, p.mobile)
    if p.household is None and rng.random() < BAD_MOBILE:
        mobile = p.mobile + str(rng.integers(10))
    out.append(("mobile", mobile))
    if kind in (TouchKind.WALK_IN, TouchKind.ACCOMPANIED_VISIT) and p.national_id:
        bad = p.household is None and rng.random() < BAD_ID
        out.append(("national_id", corrupt_id(p.national_id) if bad else format_id(rng, p.national_id)))
    if rng.random() < PLACEHOLDER:
        out.append(PLACEHOLDERS[rng.integers(len(PLACEHOLDERS))])
    return out


def _when(start: datetime, fraction: float) -> datetime:
    """Business time `fraction` business days after the start date's opening hour."""
    day = int(fraction)
    base = datetime.combine(ensure_aware(start).astimezone(BUSINESS_TZ).date(), time(OPEN_HOUR), BUSINESS_TZ)
    return base + timedelta(days=day, hours=(fraction - day) * BUSINESS_HOURS)


def generate_leads(
    n_leads: int, seed: int, start: datetime, days: float = 1.0, family_share: float = 0.02
) -> list[SyntheticLead]:
    """Leads in arrival order (business hours over `days`), each with its true person; deterministic."""
    rng = np.random.default_rng(seed)
    counts = lead_counts(rng, n_leads)
    taken: set[str] = set()
    persons = [make_person(rng, pid, taken) for pid in range(len(counts))]
    for h, (a, b) in enumerate(households(rng, len(persons), family_share)):
        for pid in (a, b):
            persons[pid].household = h
            if persons[pid].national_id is None:
                persons[pid].national_id = _national_id(rng, persons[pid].male)
        persons[b].mobile = persons[a].mobile
    drafts = []
    for p, count in zip(persons, counts, strict=True):
        times = np.sort(rng.random(count) * days)
        plan = _plan_person(rng, int(count), p.household is not None)
        channels = [channel for channel, _ in plan]
        for j, ((channel, kind), t) in enumerate(zip(plan, times, strict=True)):
            phoneless = (
                channel in (Channel.DOUYIN, Channel.MINI_PROGRAM)
                and channel not in channels[:j]
                and channel in channels[j + 1 :]
                and rng.random() < PHONELESS_FIRST
            )
            drafts.append((float(t), p, channel, kind, phoneless))
    drafts.sort(key=lambda d: (d[0], d[1].pid))
    out = []
    for i, (t, p, channel, kind, phoneless) in enumerate(drafts):
        out.append(SyntheticLead(_make_lead(rng, i, seed, _when(start, t), p, channel, kind, phoneless), p.pid))
    return out


def _make_lead(
    rng: np.random.Generator,
    i: int,
    seed: int,
    at: datetime,
    p: Person,
    channel: Channel,
    kind: TouchKind,
    phoneless: bool = False,
) -> LeadIn:
    """Build one LeadIn with the channel's fields."""
    agency = broker = report = None
    name = p.name if rng.random() < 0.5 else p.name[0] + ("先生" if p.male else "女士")
    if channel is Channel.AGENCY:
        codes = list(AGENCIES)
        agency = codes[rng.integers(len(codes))]
        broker = f"B{rng.integers(AGENCIES[agency]):02d}"
        report = f"BB{seed:04d}{i:07d}" if kind is TouchKind.REPORT else None
        name = p.name
    elif kind is TouchKind.WALK_IN:
        name = p.name
    return LeadIn(
        source=SOURCES[channel],
        source_message_id=f"{seed:04d}-{i:07d}",
        channel=channel,
        kind=kind,
        occurred_at=at,
        name=name,
        identifiers=_identifiers(rng, p, channel, kind, phoneless),
        agency_code=agency,
        broker_code=broker,
        report_code=report,
    )


# --- stored link rows for large rebuilds ----------------------------------------------------------

_SLOTS = ["mobile", "national_id", "douyin_open_id", "wx_union_id", "anjuke_member_id", "browser_fp", "idfa", "gaid"]


@dataclass
class LinkRows:
    """Canonical stored identifier rows as arrays: one row per (lead, matchable key)."""

    n_leads: int
    lead_idx: np.ndarray
    key_idx: np.ndarray
    kind_code: np.ndarray
    person: np.ndarray  # ground truth person per lead


def generate_link_rows(n_leads: int, seed: int, family_share: float = 0.02) -> LinkRows:
    """The same population model as `generate_leads`, vectorised, emitting already-canonical rows."""
    rng = np.random.default_rng(seed)
    counts = lead_counts(rng, n_leads)
    n_persons = len(counts)
    person = np.repeat(np.arange(n_persons), counts)
    mobile_of = np.arange(n_persons)
    pairs = households(rng, n_persons, family_share)
    in_household = np.zeros(n_persons, dtype=bool)
    in_household[pairs.ravel()] = True
    mobile_of[pairs[:, 1]] = pairs[:, 0]
    has_id = (rng.random(n_persons) < ID_SHARE) | in_household
    channel = rng.choice(len(CHANNELS), size=n_leads, p=CHANNEL_SHARES)
    fam = in_household[person]
    channel[fam] = CHANNELS.index(Channel.WALK_IN)
    agency = channel == CHANNELS.index(Channel.AGENCY)
    visit = (channel == CHANNELS.index(Channel.WALK_IN)) | (agency & (rng.random(n_leads) >= REPORT_SHARE))
    lead = np.arange(n_leads)
    rows: list[tuple[np.ndarray, np.ndarray, str]] = []  # (leads, key within slot, kind)
    good_mobile = (rng.random(n_leads) >= BAD_MOBILE) | fam
    rows.append((lead[good_mobile], mobile_of[person[good_mobile]], "mobile"))
    with_id = visit & has_id[person] & ((rng.random(n_leads) >= BAD_ID) | fam)
    rows.append((lead[with_id], person[with_id], "national_id"))
    for ch, kind in (
        (Channel.DOUYIN, "douyin_open_id"),
        (Channel.MINI_PROGRAM, "wx_union_id"),
        (Channel.ANJUKE, "anjuke_member_id"),
        (Channel.XIAOHONGSHU, "browser_fp"),
    ):
        sel = channel == CHANNELS.index(ch)
        rows.append((lead[sel], person[sel], kind))
    app = np.isin(channel, [CHANNELS.index(Channel.DOUYIN), CHANNELS.index(Channel.MINI_PROGRAM)])
    dev = app & (rng.random(n_leads) < DEVICE_SHARE)
    ios = (person * 2654435761 % 100) < 45
    rows.append((lead[dev & ios[person]], person[dev & ios[person]], "idfa"))
    rows.append((lead[dev & ~ios[person]], person[dev & ~ios[person]], "gaid"))
    perm = rng.permutation(n_leads)  # arrival order mixes persons
    lead_idx = np.concatenate([perm[r[0]] for r in rows])
    key_idx = np.concatenate([r[1].astype(np.int64) * 16 + _SLOTS.index(r[2]) for r in rows])
    codes = [np.full(len(r[0]), KIND_CODES[IdentifierKind(r[2])], dtype=np.int64) for r in rows]
    kind_code = np.concatenate(codes)
    shuffle = rng.permutation(len(lead_idx))
    truth = np.empty(n_leads, dtype=np.int64)
    truth[perm] = person
    return LinkRows(n_leads, lead_idx[shuffle], key_idx[shuffle], kind_code[shuffle], truth)
