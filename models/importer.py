"""Lead files to `LeadIn`s: turn the rows of a CSV/XLSX export into leads, rejecting bad rows with reasons.

Pure code (no click, no rich, no database). A `LeadReader` yields `(row_number, LeadIn | RowRejection)`
for every non-blank data row; row numbers are the ones a spreadsheet shows (the header is usually row 1).
Invalid identifiers are not rejections: they travel on the lead and the registry keeps them with a reason.
Reading files is `models.tabular`; the per-source column mappings are `models.import_mapping`.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import chain
from pathlib import Path
from typing import Any

from models.clock import ensure_aware
from models.identifiers import IdentifierKind
from models.import_mapping import SPECIAL_FORMATS, Mapping, norm_header
from models.leads import CHANNEL_LABELS_ZH, TOUCH_LABELS_ZH, Channel, LeadError, LeadIn, TouchKind
from models.tabular import SourceFileError, cell_text, open_table, unique_headers

MULTI_VALUE_KINDS = frozenset({IdentifierKind.MOBILE, IdentifierKind.LANDLINE, IdentifierKind.NATIONAL_ID})
_SPLIT = re.compile(r"[,;，；、|/\n]+")
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(minutes=10)
HEADER_SEARCH_ROWS = 20
# The touch kind when neither a column, a filled time column nor the mapping says otherwise.
DEFAULT_KIND = {c: TouchKind.ONLINE_LEAD for c in Channel} | {
    Channel.WALK_IN: TouchKind.WALK_IN,
    Channel.AGENCY: TouchKind.REPORT,
}


@dataclass(frozen=True)
class RowRejection:
    """A row that could not become a lead: which row, which column and why, with the raw row."""

    row: int
    column: str
    reason: str
    raw: dict[str, str]


def _from_excel(serial: float) -> datetime:
    """An Excel serial day number (1900 date system) as business time."""
    from openpyxl.utils.datetime import from_excel

    result = from_excel(serial)
    if not isinstance(result, datetime):
        raise ValueError(f"Excel number {serial} is not a date")
    return ensure_aware(result)


def parse_time(value: Any, formats: tuple[str, ...]) -> datetime:
    """A cell to an aware datetime (naive means Asia/Shanghai); ValueError says why it failed."""
    if isinstance(value, datetime):
        return ensure_aware(value)
    if isinstance(value, date):
        return ensure_aware(datetime(value.year, value.month, value.day))
    epoch = {"epoch", "epoch_ms"} & set(formats)
    if isinstance(value, int | float) and not isinstance(value, bool) and not epoch:
        return _from_excel(value)
    text = unicodedata.normalize("NFKC", cell_text(value)).strip()
    problems = []
    for fmt in formats:
        try:
            if fmt == "iso":
                return ensure_aware(datetime.fromisoformat(text))
            if fmt in ("epoch", "epoch_ms"):
                number = float(text) / (1000 if fmt == "epoch_ms" else 1)
                return datetime.fromtimestamp(number, UTC)
            if fmt == "excel":
                return _from_excel(float(text))
            return ensure_aware(datetime.strptime(text, fmt))
        except (ValueError, OverflowError, OSError) as exc:
            message = str(exc)
            if (
                fmt not in SPECIAL_FORMATS
                and "does not match format" not in message
                and "unconverted data remains" not in message
            ):
                problems.append(message)
    if problems:
        raise ValueError(problems[0])
    raise ValueError(f"matches none of the time formats {list(formats)}")


class LeadReader:
    """Iterate a lead file as (row_number, LeadIn | RowRejection), after checking it fits the mapping."""

    def __init__(
        self, path: Path, mapping: Mapping, source: str, sheet: str | None = None, now: datetime | None = None
    ):
        """Open the file, find the header row and resolve the mapping's columns (SourceFileError if not)."""
        self.mapping = mapping
        self.source = mapping.fixed.get("source", source)
        self.now = now
        self.table = open_table(path, sheet)
        self.blank_rows = 0
        self.preamble_rows = 0
        try:
            self.header_row, self.headers, self._pending = self._find_header()
            self._resolve()
        except BaseException:
            self.table.close()
            raise

    @property
    def total_hint(self) -> int | None:
        """Roughly how many data rows follow the header (for a progress bar), if known."""
        total = self.table.total_hint
        return None if total is None else max(total - self.header_row, 0)

    @property
    def message_id_column(self) -> str:
        """The header(s) message ids come from, or '(row content)' when ids are derived from the row."""
        return "/".join(self.columns.get("source_message_id", [])) or "(row content)"

    def _find_header(self) -> tuple[int, list[str], list[tuple[int, list[Any]]]]:
        known = self.mapping.all_headers()
        seen: list[tuple[int, list[Any]]] = []
        for number, cells in self.table.rows:
            if any(cell_text(c).strip() for c in cells):
                seen.append((number, cells))
                if any(norm_header(cell_text(c)) in known for c in cells):
                    self.preamble_rows = len(seen) - 1
                    self._bases = [norm_header(cell_text(c)) for c in cells]
                    return number, unique_headers(cells), []
                if len(seen) >= HEADER_SEARCH_ROWS:
                    break
        if not seen:
            raise SourceFileError("the file has no rows")
        sample = sorted(known)[:6]
        raise SourceFileError(
            f"no header row found in the first {len(seen)} rows: none of the columns of "
            f"mapping {self.mapping.name!r} (e.g. {', '.join(sample)}) appears"
        )

    def _present(self, names: tuple[str, ...]) -> list[str]:
        """The file's headers matching a list of alternatives, in the mapping's order."""
        by_norm: dict[str, list[str]] = {}
        for h, base in zip(self.headers, self._bases, strict=True):
            if base:
                by_norm.setdefault(base, []).append(h)
        return list(dict.fromkeys(h for name in names for h in by_norm.get(norm_header(name), [])))

    def _resolve(self) -> None:
        m = self.mapping
        self._named = {h for h, base in zip(self.headers, self._bases, strict=True) if base}
        self.columns = {f: self._present(names) for f, names in m.columns.items()}
        self.identifier_columns = {h: kind for kind, names in m.identifiers.items() for h in self._present(names)}
        self.kind_times = [(kind, self._present(names)) for kind, names in m.kind_by_time]
        time_cols = self.columns.get("occurred_at", []) + [h for _, hs in self.kind_times for h in hs]
        if not time_cols:
            wanted = list(m.columns.get("occurred_at", ())) + [h for _, hs in m.kind_by_time for h in hs]
            raise SourceFileError(f"no time column: the file has none of {wanted} (mapping {m.name!r})")
        if not self.identifier_columns and not self.columns.get("name"):
            wanted = [h for hs in m.identifiers.values() for h in hs] + list(m.columns.get("name", ()))
            raise SourceFileError(f"no identifier or name column: the file has none of {wanted} (mapping {m.name!r})")
        if "channel" not in m.fixed and not self.columns.get("channel"):
            raise SourceFileError(
                f"no channel: mapping {m.name!r} fixes none and the file has none of {list(m.columns['channel'])}"
            )
        if (
            m.fixed.get("channel") == Channel.AGENCY.value
            and "agency_code" not in m.fixed
            and not self.columns.get("agency_code")
        ):
            wanted = list(m.columns.get("agency_code", ()))
            raise SourceFileError(
                f"no agency column: the file has none of {wanted} and mapping {m.name!r} fixes no agency_code"
            )

    def __iter__(self) -> Iterator[tuple[int, LeadIn | RowRejection]]:
        """Yield every non-blank data row as a lead or a rejection; blank rows are only counted."""
        try:
            for number, cells in chain(self._pending, self.table.rows):
                texts = [cell_text(c) for c in cells]
                if not any(t.strip() for t in texts):
                    self.blank_rows += 1
                    continue
                yield number, self.convert(number, cells)
        finally:
            self.table.close()

    def convert(self, number: int, cells: list[Any]) -> LeadIn | RowRejection:
        """Turn one data row into a LeadIn, or say which column is wrong and why."""
        names = self.headers + unique_headers([None] * len(cells))[len(self.headers) :]
        values = dict(zip(names, cells, strict=False))
        raw = {h: cell_text(values.get(h)) for h in names if h in self._named or cell_text(values.get(h))}

        def reject(column: str, reason: str) -> RowRejection:
            return RowRejection(number, column, reason, raw)

        def first(field_name: str) -> tuple[str, str]:
            for h in self.columns.get(field_name, []):
                if raw.get(h, "").strip():
                    return h, raw[h].strip()
            return (self.columns.get(field_name) or [field_name])[0], ""

        m = self.mapping
        column, text = first("channel")
        if text:
            channel = self._lookup(text, m.channel_values, Channel, CHANNEL_LABELS_ZH)
            if channel is None:
                return reject(column, f"unknown channel {text!r}; expected one of {[c.value for c in Channel]}")
        elif "channel" in m.fixed:
            channel = Channel(m.fixed["channel"])
        else:
            return reject(column, "missing channel")
        column, text = first("kind")
        time_columns = self.columns.get("occurred_at", [])
        kind = None
        if text:
            kind = self._lookup(text, m.kind_values, TouchKind, TOUCH_LABELS_ZH)
            if kind is None:
                return reject(column, f"unknown touch kind {text!r}; expected one of {[k.value for k in TouchKind]}")
        for k, headers in self.kind_times:
            if kind is None and any(raw.get(h, "").strip() for h in headers):
                kind, time_columns = k, headers
                break
            if kind is k:
                time_columns = headers + time_columns
                break
        if kind is None:
            kind = TouchKind(m.fixed["kind"]) if "kind" in m.fixed else DEFAULT_KIND[channel]
        time_col = next((h for h in time_columns if raw.get(h, "").strip()), None)
        if time_col is None:
            return reject((time_columns or ["occurred_at"])[0], "missing time")
        try:
            occurred = parse_time(values[time_col], m.time_formats)
        except ValueError as exc:
            return reject(time_col, f"unparseable time {raw[time_col].strip()!r}: {exc}")
        if occurred < EARLIEST:
            return reject(time_col, f"time {raw[time_col].strip()!r} is before 2000 (an empty date cell?)")
        if self.now is not None and occurred > self.now + FUTURE_TOLERANCE:
            return reject(time_col, f"time {raw[time_col].strip()!r} is in the future")
        idents = []
        for h, ikind in self.identifier_columns.items():
            text = raw.get(h, "").strip()
            parts = _SPLIT.split(text) if ikind in MULTI_VALUE_KINDS else [text]
            idents += [(ikind.value, p.strip()) for p in parts if p.strip()]
        name = first("name")[1]
        if not idents and not name:
            cols = list(self.identifier_columns) + self.columns.get("name", [])
            return reject("/".join(cols), "no identifier and no name")
        payload = json.dumps(raw, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        message_id = first("source_message_id")[1] or "row:" + hashlib.sha256(payload).hexdigest()[:32]
        fields = {
            f: first(f)[1] or m.fixed.get(f) or None
            for f in ("agency_code", "broker_code", "broker_name", "report_code")
        }
        try:
            return LeadIn(
                source=self.source,
                source_message_id=message_id,
                channel=channel,
                kind=kind,
                occurred_at=occurred,
                name=name,
                identifiers=idents,
                payload=payload,
                **fields,
            )
        except LeadError as exc:
            field_name = next((f for f in fields if f in str(exc)), "")
            return reject(first(field_name)[0] if field_name else "", str(exc))

    @staticmethod
    def _lookup(text: str, extra: dict[str, Any], enum: type, labels: dict) -> Any:
        """A channel or kind from a cell: the mapping's own values, then enum values and Chinese labels."""
        key = norm_header(text)
        if key in extra:
            return extra[key]
        for member in enum:
            if key in (norm_header(member.value), norm_header(labels.get(member, ""))):
                return member
        return None
