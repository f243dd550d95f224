"""Call transcripts in: plain text (one call per file, speaker-labelled lines or not) or CSV/XLSX rows
(one row per call, or one row per sentence with a call id), tagged and stored idempotently.

Speech-to-text is upstream; this reads what recorders and ASR tools export (UTF-8 with or without
BOM, GB18030, UTF-16 with its BOM: `models.tabular` decodes). Consultants are matched to `staff` by
name, customers by the blind index of their mobile (never stored or shown in clear). Every call read
is created, replayed or skipped with a reason; a call whose consultant or customer cannot be matched
is kept and said so. The radar's queries (`load_usage`, `customer_tag_use`) are at the end.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from models.db import write_transaction
from models.hub_schema import staff
from models.identifiers import IdentifierKind, Status, parse_phone
from models.import_mapping import DEFAULT_TIME_FORMATS, norm_header
from models.importer import parse_time
from models.lookup import resolve_customer_id
from models.privacy import Vault, mask_mobile, redact
from models.schema import identifiers, leads
from models.skill_radar import ConsultantUsage
from models.tabular import SourceFileError, Table, cell_text, decode_text, open_table, unique_headers
from models.tags import Tagger, default_tagger, normalise
from models.transcript_schema import transcript_tags, transcripts

CONSULTANT, CUSTOMER, UNKNOWN = "consultant", "customer", "unknown"
FORMAT_FILE = Path(__file__).resolve().parent.parent / "resources" / "tags" / "transcript_format.toml"
with FORMAT_FILE.open("rb") as _fh:
    _FORMAT = tomllib.load(_fh)
COLUMNS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _FORMAT["columns"].items()}
META_KEYS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _FORMAT["meta"].items()}
CONSULTANT_LABELS = tuple(_FORMAT["speakers"]["consultant"])
CUSTOMER_LABELS = tuple(_FORMAT["speakers"]["customer"])
CUSTOMER_SUFFIXES = tuple(_FORMAT["speakers"]["customer_suffixes"])
_ANONYMOUS = re.compile(r"^(?:说话人|发言人|角色|声道|speaker|spk)\s*\d+$|^[ab甲乙]$")
TIME_FORMATS = (*DEFAULT_TIME_FORMATS, "%Y%m%d%H%M%S", "%Y%m%d %H%M%S", "%Y%m%d")
FUTURE_TOLERANCE = timedelta(days=1)
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?"
_LINE = re.compile(
    rf"^\s*(?:[\[【(（]?\s*(?:{_CLOCK})\s*[\]】)）]?\s*)?(?P<label>[^\s:：\[\]【】()（）]{{1,12}}?)\s*"
    rf"(?:[\[【(（]\s*(?:{_CLOCK})\s*[\]】)）])?\s*[:：]\s*(?P<text>.*)$"
)
_NOISE = re.compile(rf"^\s*(?:\d+|{_CLOCK}\s*-->\s*{_CLOCK}|-{{3,}}|={{3,}})\s*$")
_SUFFIX = re.compile(r"[(（\[【].*?[)）\]】]|\s*\d+$")


@dataclass(frozen=True)
class Utterance:
    """What one side said, in order."""

    speaker: str  # consultant | customer | unknown
    text: str


@dataclass
class CallIn:
    """One call as read from a file, before matching and storage."""

    ref: str  # where it came from: "file", "row 5", "rows 5-19 (call C-1)"
    consultant: str = ""
    customer: str = ""  # the customer's number as written; never logged
    called_at: datetime | None = None
    duration_s: int | None = None
    utterances: list[Utterance] = field(default_factory=list)
    unreadable: str = ""  # why the call cannot be stored as read (it is skipped, and listed)


@dataclass(frozen=True)
class Problem:
    """A call skipped (or imported with a warning), where and why."""

    ref: str
    reason: str


@dataclass
class ImportReport:
    """What became of every call in a file."""

    file: str
    file_type: str = ""
    encoding: str | None = None
    read: int = 0
    created: int = 0
    replayed: int = 0
    relinked: int = 0  # replays whose missing consultant or customer link was filled in
    skipped: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    transcript_ids: list[int] = field(default_factory=list)

    @property
    def accounted(self) -> bool:
        """True when every call read was created, replayed or skipped."""
        return self.read == self.created + self.replayed + len(self.skipped)


# --- reading --------------------------------------------------------------------------------------


def parse_called_at(value: Any) -> datetime:
    """A time cell as an aware datetime (epoch seconds or ms accepted); ValueError says why not."""
    text = unicodedata.normalize("NFKC", cell_text(value)).strip()
    if re.fullmatch(r"\d{10}", text):
        return parse_time(text, ("epoch",))
    if re.fullmatch(r"\d{13}", text):
        return parse_time(text, ("epoch_ms",))
    return parse_time(value, TIME_FORMATS)


def parse_duration(value: Any) -> int | None:
    """Seconds from '125', '02:05', '00:02:05' or '2分5秒'; None when blank or unreadable."""
    text = unicodedata.normalize("NFKC", cell_text(value)).strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return round(float(text))
    if re.fullmatch(r"\d+(?::\d{1,2}){1,2}", text):
        total = 0
        for part in text.split(":"):
            total = total * 60 + int(part)
        return total
    if (m := re.fullmatch(r"(?:(\d+)小?时)?(?:(\d+)分钟?)?(?:(\d+)秒)?", text)) and any(m.groups()):
        h, mi, s = (int(g or 0) for g in m.groups())
        return h * 3600 + mi * 60 + s
    return None


def speaker_of(label: str, consultant_name: str = "") -> str | None:
    """consultant / customer / unknown for a line label, or None when the label is not a speaker."""
    key = normalise(label).strip()
    if consultant_name and key == normalise(consultant_name).strip():
        return CONSULTANT
    if key.startswith(CONSULTANT_LABELS):
        return CONSULTANT
    if key.startswith(CUSTOMER_LABELS) or (len(key) <= 4 and key.endswith(CUSTOMER_SUFFIXES)):
        return CUSTOMER
    if _ANONYMOUS.match(key):
        return "?" + key
    return None


def parse_dialogue(lines: Iterable[str], consultant_name: str = "") -> list[Utterance]:
    """Speaker-labelled lines to utterances; unlabelled lines continue the previous one (or stand alone)."""
    out: list[tuple[str, str]] = []
    for line in lines:
        if not line.strip() or _NOISE.match(line):
            continue
        m = _LINE.match(line)
        who = speaker_of(m.group("label"), consultant_name) if m else None
        if m and who:
            out.append((who, m.group("text").strip()))
        elif out and out[-1][0] != UNKNOWN:
            out[-1] = (out[-1][0], out[-1][1] + line.strip())
        else:
            out.append((UNKNOWN, line.strip()))
    return [Utterance(s, t) for s, t in _name_anonymous(out) if t]


def _name_anonymous(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """'说话人1/说话人2': the one who says 您 clearly more often is the consultant; otherwise both unknown."""
    anon = sorted({s for s, _ in pairs if s.startswith("?")})
    roles = {s: UNKNOWN for s in anon}
    if len(anon) == 2:
        polite = {s: sum(t.count("您") for w, t in pairs if w == s) for s in anon}
        a, b = sorted(anon, key=lambda s: -polite[s])
        if polite[a] >= 3 and polite[a] >= 2 * polite[b]:
            roles = {a: CONSULTANT, b: CUSTOMER}
    return [(roles.get(s, s), t) for s, t in pairs]


def _meta_field(key: str) -> str | None:
    norm = norm_header(key)
    return next((f for f, keys in META_KEYS.items() if norm in {norm_header(k) for k in keys}), None)


def hints_from_name(stem: str) -> dict[str, str]:
    """What a recorder's file name says, e.g. '王磊_13812345678_20261120143205'."""
    hints: dict[str, str] = {}
    for token in re.split(r"[_\-\s]+", unicodedata.normalize("NFKC", stem)):
        ident = parse_phone(token) if re.fullmatch(r"\+?\d{11,13}", token) else None
        if ident is not None and ident.status is Status.VALID and ident.kind is IdentifierKind.MOBILE:
            hints.setdefault("customer", token)
        elif re.fullmatch(r"\d{14}|\d{8}", token):
            hints["time"] = hints.get("time", "") + token
        elif re.fullmatch(r"\d{6}", token) and len(hints.get("time", "")) == 8:
            hints["time"] += token
        elif re.fullmatch(r"[\u4e00-\u9fff]{2,4}", token) and speaker_of(token) is None:
            hints.setdefault("name", token)
    if "name" in hints and ("customer" in hints or "time" in hints):  # a recorder's name_mobile_time pattern
        hints["consultant"] = hints["name"]
    hints.pop("name", None)
    return hints


def _header_value(value: str) -> bool:
    """A header's value is short and no sentence (a name, a number, a time)."""
    value = value.strip()
    sentence = re.search(r"[，。！？,!?]", value) or len(re.findall(r"[A-Za-z]+", value)) >= 3
    return len(value) <= 24 and not sentence


def read_text_call(text: str, name: str, defaults: CallIn) -> CallIn:
    """One call from a plain-text transcript: optional `key：value` header lines, then the dialogue."""
    lines = text.splitlines()
    meta: dict[str, str] = {}
    body = 0
    for body, line in enumerate(lines):  # noqa: B007 - the first dialogue line is wanted after the loop
        if not line.strip() or _NOISE.match(line):
            continue
        key, sep, value = re.sub("：", ":", line, count=1).partition(":")
        fld = _meta_field(key) if sep else None
        if fld is None or (speaker_of(key.strip()) is not None and not _header_value(value)):
            break  # "agent: Hello, this is …" is the dialogue starting, not a header naming the agent
        meta[fld] = value.strip()
    else:
        body = len(lines)
    hints = hints_from_name(Path(name).stem)
    merged = {f: meta.get(f) or hints.get(f) or "" for f in ("consultant", "customer", "time", "duration")}
    call = replace(
        defaults,
        ref="file",
        consultant=merged["consultant"] or defaults.consultant,
        customer=merged["customer"] or defaults.customer,
    )
    if merged["time"]:
        try:
            call.called_at = parse_called_at(merged["time"])
        except ValueError as exc:
            call.unreadable = f"time {merged['time']!r} is unreadable ({exc}); fix it and import again"
    call.duration_s = parse_duration(merged["duration"]) if merged["duration"] else defaults.duration_s
    call.utterances = parse_dialogue(lines[body:], call.consultant)
    return call


def _columns(headers: list[str]) -> dict[str, int]:
    """Which column holds which field (first match in COLUMNS order)."""
    found: dict[str, int] = {}
    norms = [norm_header(h) for h in headers]
    for fld, names in COLUMNS.items():
        for name in names:
            if norm_header(name) in norms:
                found[fld] = norms.index(norm_header(name))
                break
    return found


def looks_like_table(text: str) -> bool:
    """True when a text file's first line is a header with a transcript text column."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    cells = re.split(r"[,\t;|]", first)
    return len(cells) >= 2 and "text" in _columns([c.strip().strip('"') for c in cells])


def read_table_calls(table: Table, defaults: CallIn) -> list[CallIn]:
    """Calls from rows: one per row, or grouped by a call-id column (one row per sentence)."""
    rows = iter(table.rows)
    for _number, cells in rows:
        cols = _columns(unique_headers(cells))
        if "text" in cols:
            break
    else:
        raise SourceFileError(f"no transcript text column in the first rows (expected one of {COLUMNS['text'][:8]})")
    calls: dict[str, CallIn] = {}
    spans: dict[str, list[int]] = {}

    def cell(cells: list[Any], fld: str) -> Any:
        i = cols.get(fld)
        return cells[i] if i is not None and i < len(cells) else None

    for number, cells in rows:
        if not any(cell_text(c).strip() for c in cells):
            continue
        call_id = cell_text(cell(cells, "call_id")).strip()
        key = f"id:{call_id}" if call_id else f"row:{number}"
        call = calls.get(key)
        if call is None:
            call = calls[key] = replace(defaults, ref=f"row {number}", utterances=[])
            spans[key] = [number, number]
        spans[key][1] = number
        call.consultant = cell_text(cell(cells, "consultant")).strip() or call.consultant
        call.customer = cell_text(cell(cells, "customer")).strip() or call.customer
        raw_time = cell(cells, "time")
        if call.called_at is None and cell_text(raw_time).strip():
            try:
                call.called_at = parse_called_at(raw_time)
            except ValueError as exc:
                call.unreadable = f"time {cell_text(raw_time)!r} on row {number} is unreadable ({exc})"
        if (seconds := parse_duration(cell(cells, "duration"))) is not None:
            call.duration_s = seconds
        text = cell_text(cell(cells, "text")).strip()
        label = cell_text(cell(cells, "speaker")).strip()
        who = speaker_of(label, call.consultant) if label else None
        if who:
            call.utterances.append(Utterance(who, text))
        else:
            call.utterances.extend(parse_dialogue(text.splitlines(), call.consultant))
    out = []
    for key, call in calls.items():
        first, last = spans[key]
        ref = f"rows {first}-{last} (call {redact(key[3:])})" if key.startswith("id:") and last > first else call.ref
        named = _name_anonymous([(u.speaker, u.text) for u in call.utterances])
        out.append(replace(call, ref=ref, utterances=[Utterance(s, t) for s, t in named if t]))
    return out


# --- storing --------------------------------------------------------------------------------------


def _staff_index(conn: Connection) -> dict[str, list[tuple[int, bool]]]:
    index: dict[str, list[tuple[int, bool]]] = {}
    for r in conn.execute(sa.select(staff.c.id, staff.c.name, staff.c.active)):
        index.setdefault(normalise(r.name).strip(), []).append((r.id, r.active))
    return index


def match_consultant(index: dict[str, list[tuple[int, bool]]], name: str) -> tuple[int | None, str]:
    """A staff id for a name as recorders write it ('王磊', '王磊(8001)'), or None and why."""
    if not name.strip():
        return None, "no consultant named in the call"
    key = normalise(_SUFFIX.sub("", name)).strip()
    found = index.get(key, [])
    if len(found) > 1:
        found = [f for f in found if f[1]] or found
    if not found:
        return None, f"no staff member named {name!r}: kept unlinked (import again once they are added)"
    if len(found) > 1:
        return None, f"{len(found)} staff members are named {name!r}: kept unlinked"
    return found[0][0], ""


def match_customer(conn: Connection, vault: Vault, raw: str) -> tuple[int | None, str | None, str, str]:
    """(customer id, blind index, masked number, problem) for the customer's number as written."""
    if not raw.strip():
        return None, None, "", "no customer number in the call"
    ident = parse_phone(raw)
    if ident.status is not Status.VALID or ident.kind is not IdentifierKind.MOBILE:
        return None, None, "", f"the customer number is not a mobile ({ident.reason or 'a landline'})"
    masked = mask_mobile(ident.value)
    key = vault.blind_index(IdentifierKind.MOBILE.value, ident.value)
    found = conn.execute(
        sa.select(leads.c.customer_id)
        .join(identifiers, identifiers.c.lead_id == leads.c.id)
        .where(identifiers.c.blind_index == key, leads.c.customer_id.is_not(None))
        .distinct()
    ).scalars()
    customers = {resolve_customer_id(conn, cid) for cid in found}
    if len(customers) == 1:
        return customers.pop(), key, masked, ""
    if customers:
        return None, key, masked, f"{masked} belongs to {len(customers)} customers (a shared phone?): kept unlinked"
    return None, key, masked, f"no customer with mobile {masked} yet: kept, linked on a later import"


def _content_key(vault: Vault, call: CallIn) -> str:
    """A keyed digest of what identifies a call: the same call imported again finds its row."""
    when = call.called_at.isoformat() if call.called_at else ""
    body = json.dumps(
        [normalise(call.consultant).strip(), re.sub(r"\D", "", call.customer)[-11:], when]
        + [[u.speaker, normalise(u.text)] for u in call.utterances],
        ensure_ascii=False,
    )
    return vault.blind_index("transcript", hashlib.sha256(body.encode()).hexdigest())


def tag_utterances(tagger: Tagger, utterances: list[Utterance]) -> dict[tuple[str, str], int]:
    """(speaker, tag) → hits; each speaker's lines are tagged apart, no match spans two lines."""
    out: dict[tuple[str, str], int] = {}
    for who in (CONSULTANT, CUSTOMER, UNKNOWN):
        counts = tagger.count_many(u.text for u in utterances if u.speaker == who)
        out.update({(who, tag): n for tag, n in counts.items()})
    return out


def store_calls(
    conn: Connection, vault: Vault, calls: list[CallIn], source_file: str, now: datetime, tagger: Tagger | None = None
) -> ImportReport:
    """Match, tag and store calls inside the caller's transaction; replays fill in missing links only."""
    tagger = tagger or default_tagger()
    source_file = redact(source_file)  # recorders put the customer's number in file names
    report = ImportReport(source_file)
    index = _staff_index(conn)
    for call in calls:
        report.read += 1
        if call.unreadable:
            report.skipped.append(Problem(call.ref, call.unreadable))
            continue
        chars = sum(len(u.text) for u in call.utterances)
        if not chars:
            report.skipped.append(Problem(call.ref, "no transcript text"))
            continue
        if call.called_at is not None and call.called_at > now + FUTURE_TOLERANCE:
            report.skipped.append(Problem(call.ref, f"call time {call.called_at:%Y-%m-%d %H:%M} is in the future"))
            continue
        consultant_id, why_not = match_consultant(index, call.consultant)
        if why_not:
            report.warnings.append(Problem(call.ref, why_not))
        customer_id, customer_key, masked, why_not = match_customer(conn, vault, call.customer)
        if why_not:
            report.warnings.append(Problem(call.ref, why_not))
        key = _content_key(vault, call)
        old = conn.execute(
            sa.select(transcripts.c.id, transcripts.c.consultant_id, transcripts.c.customer_id).where(
                transcripts.c.content_key == key
            )
        ).first()
        if old is not None:
            report.replayed += 1
            report.transcript_ids.append(old.id)
            fill = {}
            if old.consultant_id is None and consultant_id is not None:
                fill["consultant_id"] = consultant_id
            if old.customer_id is None and customer_id is not None:
                fill["customer_id"] = customer_id
            if fill:
                conn.execute(transcripts.update().where(transcripts.c.id == old.id).values(**fill))
                report.relinked += 1
            continue
        own = sum(len(u.text) for u in call.utterances if u.speaker != CUSTOMER)
        payload = json.dumps([[u.speaker, u.text] for u in call.utterances], ensure_ascii=False)
        new_id = conn.execute(
            transcripts.insert().values(
                content_key=key,
                source_file=source_file[-255:],
                source_ref=redact(call.ref)[:64],
                consultant_id=consultant_id,
                consultant_name=redact(call.consultant)[:64],  # some exports name the agent by phone
                customer_id=customer_id,
                customer_key=customer_key,
                customer_masked=masked,
                called_at=call.called_at,
                duration_s=call.duration_s,
                utterances=len(call.utterances),
                chars=chars,
                consultant_chars=own,
                text_enc=vault.encrypt(payload, "transcript.text"),
                taxonomy=tagger.taxonomy.digest,
                imported_at=now,
            )
        ).inserted_primary_key[0]
        counts = tag_utterances(tagger, call.utterances)
        if counts:
            conn.execute(
                transcript_tags.insert(),
                [{"transcript_id": new_id, "speaker": s, "tag": t, "hits": n} for (s, t), n in counts.items()],
            )
        report.created += 1
        report.transcript_ids.append(new_id)
    return report


def read_calls(
    path: Path, defaults: CallIn | None = None, sheet: str | None = None
) -> tuple[list[CallIn], ImportReport]:
    """Read a transcript file of any supported shape; the report carries what could not be read."""
    defaults = defaults or CallIn("file")
    report = ImportReport(redact(path.name))
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceFileError(f"file not found: {path}") from None
    text = ""
    if not data.startswith(b"PK") and path.suffix.lower() not in (".csv", ".tsv", ".xlsx"):
        text, report.encoding = decode_text(data)
    if text and not looks_like_table(text):
        return [read_text_call(text, path.name, defaults)], replace(report, file_type="text")
    table = open_table(path, sheet)
    report.encoding = table.encoding
    try:
        calls = read_table_calls(table, defaults)
    finally:
        table.close()
    return calls, replace(report, file_type=table.file_type)


def import_transcript_file(
    engine: Engine,
    vault: Vault,
    path: Path | str,
    now: datetime,
    defaults: CallIn | None = None,
    tagger: Tagger | None = None,
    sheet: str | None = None,
) -> ImportReport:
    """Read, tag and store one file in one transaction; importing it again changes nothing."""
    path = Path(path)
    calls, read = read_calls(path, defaults, sheet)
    with write_transaction(engine) as conn:
        report = store_calls(conn, vault, calls, path.name, now, tagger)
    return replace(report, file_type=read.file_type, encoding=read.encoding)


def transcript_utterances(conn: Connection, vault: Vault, transcript_id: int) -> list[Utterance]:
    """A stored call's utterances, decrypted (for a screen that needs them; never for logs)."""
    blob = conn.execute(sa.select(transcripts.c.text_enc).where(transcripts.c.id == transcript_id)).scalar_one()
    return [Utterance(s, t) for s, t in json.loads(vault.decrypt(blob, "transcript.text") or "[]")]


def retag(engine: Engine, vault: Vault, tagger: Tagger | None = None) -> int:
    """Recount tags of every call counted with another taxonomy version; returns how many were redone."""
    tagger = tagger or default_tagger()
    done = 0
    with write_transaction(engine) as conn:
        stale = conn.execute(sa.select(transcripts.c.id).where(transcripts.c.taxonomy != tagger.taxonomy.digest))
        for (tid,) in stale.all():
            counts = tag_utterances(tagger, transcript_utterances(conn, vault, tid))
            conn.execute(transcript_tags.delete().where(transcript_tags.c.transcript_id == tid))
            if counts:
                rows = [{"transcript_id": tid, "speaker": s, "tag": t, "hits": n} for (s, t), n in counts.items()]
                conn.execute(transcript_tags.insert(), rows)
            conn.execute(transcripts.update().where(transcripts.c.id == tid).values(taxonomy=tagger.taxonomy.digest))
            done += 1
    return done


# --- queries for the radar -------------------------------------------------------------------------


def _period(q, start: datetime | None, end: datetime | None):
    """Limit a query on transcripts to calls in [start, end)."""
    if start is not None:
        q = q.where(transcripts.c.called_at >= start)
    if end is not None:
        q = q.where(transcripts.c.called_at < end)
    return q


def load_usage(conn: Connection, start: datetime | None = None, end: datetime | None = None) -> list[ConsultantUsage]:
    """Calls, speech length and tag hits of every consultant with a linked call in the period, by name."""
    calls_q = _period(
        sa.select(
            transcripts.c.consultant_id,
            sa.func.count().label("calls"),
            sa.func.sum(transcripts.c.consultant_chars).label("chars"),
        )
        .where(transcripts.c.consultant_id.is_not(None))
        .group_by(transcripts.c.consultant_id),
        start,
        end,
    )
    totals = {r.consultant_id: (r.calls, int(r.chars or 0)) for r in conn.execute(calls_q)}
    hits_q = _period(
        sa.select(transcripts.c.consultant_id, transcript_tags.c.tag, sa.func.sum(transcript_tags.c.hits).label("n"))
        .join(transcripts, transcripts.c.id == transcript_tags.c.transcript_id)
        .where(transcripts.c.consultant_id.is_not(None), transcript_tags.c.speaker != "customer")
        .group_by(transcripts.c.consultant_id, transcript_tags.c.tag),
        start,
        end,
    )
    hits: dict[int, dict[str, int]] = {}
    for r in conn.execute(hits_q):
        hits.setdefault(r.consultant_id, {})[r.tag] = int(r.n)
    names = dict(conn.execute(sa.select(staff.c.id, staff.c.name).where(staff.c.id.in_(list(totals)))).all())
    out = [ConsultantUsage(sid, names.get(sid, f"#{sid}"), c, n, hits.get(sid, {})) for sid, (c, n) in totals.items()]
    return sorted(out, key=lambda u: (u.name, u.staff_id))


def customer_tag_use(
    conn: Connection,
    start: datetime | None = None,
    end: datetime | None = None,
    consultant_id: int | None = None,
) -> dict[int, set[str]]:
    """Customer id → the tags consultants used on calls with them (an empty set: calls, no tag)."""
    q = _period(
        sa.select(transcripts.c.customer_id, transcript_tags.c.tag)
        .select_from(transcripts)
        .outerjoin(
            transcript_tags,
            sa.and_(transcript_tags.c.transcript_id == transcripts.c.id, transcript_tags.c.speaker != "customer"),
        )
        .where(transcripts.c.customer_id.is_not(None))
        .distinct(),
        start,
        end,
    )
    if consultant_id is not None:
        q = q.where(transcripts.c.consultant_id == consultant_id)
    out: dict[int, set[str]] = {}
    for customer_id, tag in conn.execute(q):
        found = out.setdefault(customer_id, set())
        if tag is not None:
            found.add(tag)
    return out
