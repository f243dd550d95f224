"""Lead files to `LeadIn`s: read CSV/XLSX exports, map each platform's columns, reject bad rows with reasons.

Pure code (no click, no rich, no database). A `LeadReader` yields `(row_number, LeadIn | RowRejection)`
for every non-blank data row; row numbers are the ones a spreadsheet shows (the header is usually row 1).
Invalid identifiers are not rejections: they travel on the lead and the registry keeps them with a reason.
See docs/import.md for the mapping format.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
import tomllib
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import chain
from pathlib import Path
from typing import Any

from models.clock import ensure_aware
from models.identifiers import IdentifierKind
from models.leads import CHANNEL_LABELS_ZH, TOUCH_LABELS_ZH, Channel, LeadError, LeadIn, TouchKind

MAPPINGS_DIR = Path(__file__).resolve().parent.parent / "resources" / "mappings"
SCALAR_FIELDS = (
    "source_message_id",
    "occurred_at",
    "name",
    "agency_code",
    "broker_code",
    "broker_name",
    "report_code",
    "channel",
    "kind",
)
FIXED_KEYS = ("source", "channel", "kind", "agency_code", "broker_code", "broker_name", "report_code")
TOP_KEYS = (
    "description",
    "time_formats",
    "columns",
    "identifiers",
    "fixed",
    "channel_values",
    "kind_values",
    "kind_by_time",
)
SPECIAL_FORMATS = ("iso", "epoch", "epoch_ms", "excel")
DEFAULT_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y年%m月%d日",
    "iso",
)
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


class MappingError(ValueError):
    """A mapping file (or source name) is unusable; the message names the file and the key."""


class SourceFileError(ValueError):
    """A lead file cannot be read or does not fit its mapping; the message says why."""


def norm_header(text: str) -> str:
    """Header comparison key: NFKC, lower case, no spaces, no leading '*' (required-column marker)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower().lstrip("*")


@dataclass(frozen=True)
class Mapping:
    """How one source's export columns become LeadIn fields."""

    name: str
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    identifiers: dict[IdentifierKind, tuple[str, ...]] = field(default_factory=dict)
    fixed: dict[str, str] = field(default_factory=dict)
    time_formats: tuple[str, ...] = DEFAULT_TIME_FORMATS
    channel_values: dict[str, Channel] = field(default_factory=dict)
    kind_values: dict[str, TouchKind] = field(default_factory=dict)
    kind_by_time: tuple[tuple[TouchKind, tuple[str, ...]], ...] = ()

    def all_headers(self) -> set[str]:
        """Every header name this mapping knows (normalised), to find the header row."""
        groups = [*self.columns.values(), *self.identifiers.values(), *(hs for _, hs in self.kind_by_time)]
        return {norm_header(h) for hs in groups for h in hs}


def _names(where: str, key: str, value: Any) -> tuple[str, ...]:
    """A header name or list of alternative header names."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(v, str) and v.strip() for v in items):
        raise MappingError(f"{where}: {key} must be a header name or a non-empty list of header names")
    return tuple(items)


def _table(where: str, data: dict, key: str) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise MappingError(f"{where}: [{key}] must be a table")
    return value


def _enum(where: str, key: str, enum: type, value: Any, labels: dict) -> Any:
    """Parse a channel or touch kind by value or Chinese label."""
    for member, label in labels.items():
        if value == label:
            return member
    try:
        return enum(value)
    except ValueError:
        raise MappingError(f"{where}: {key} = {value!r} is not one of {[m.value for m in enum]}") from None


def parse_mapping(data: dict[str, Any], name: str, where: str) -> Mapping:
    """Validate a mapping table (as loaded from TOML); every error names the offending key."""
    for key in data:
        if key not in TOP_KEYS:
            raise MappingError(f"{where}: unknown key {key!r}; expected one of {list(TOP_KEYS)}")
    columns = {}
    for key, value in _table(where, data, "columns").items():
        if key not in SCALAR_FIELDS:
            raise MappingError(f"{where}: columns.{key} is not a lead field; expected one of {list(SCALAR_FIELDS)}")
        columns[key] = _names(where, f"columns.{key}", value)
    idents: dict[IdentifierKind, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for key, value in _table(where, data, "identifiers").items():
        try:
            kind = IdentifierKind(key)
        except ValueError:
            raise MappingError(
                f"{where}: identifiers.{key} is not an identifier kind; "
                f"expected one of {[k.value for k in IdentifierKind]}"
            ) from None
        idents[kind] = _names(where, f"identifiers.{key}", value)
        for header in idents[kind]:
            if owner.setdefault(norm_header(header), key) != key:
                raise MappingError(
                    f"{where}: identifiers.{key} and identifiers.{owner[norm_header(header)]} "
                    f"both claim the column {header!r}"
                )
    fixed = {}
    for key, value in _table(where, data, "fixed").items():
        if key not in FIXED_KEYS:
            raise MappingError(f"{where}: fixed.{key} cannot be fixed; expected one of {list(FIXED_KEYS)}")
        if not isinstance(value, str) or not value.strip():
            raise MappingError(f"{where}: fixed.{key} must be a non-empty string")
        fixed[key] = value.strip()
    if "channel" in fixed:
        fixed["channel"] = _enum(where, "fixed.channel", Channel, fixed["channel"], CHANNEL_LABELS_ZH).value
    if "kind" in fixed:
        fixed["kind"] = _enum(where, "fixed.kind", TouchKind, fixed["kind"], TOUCH_LABELS_ZH).value
    channel_values = {
        norm_header(str(k)): _enum(where, f"channel_values.{k}", Channel, v, CHANNEL_LABELS_ZH)
        for k, v in _table(where, data, "channel_values").items()
    }
    kind_values = {
        norm_header(str(k)): _enum(where, f"kind_values.{k}", TouchKind, v, TOUCH_LABELS_ZH)
        for k, v in _table(where, data, "kind_values").items()
    }
    by_time = []
    entries = data.get("kind_by_time", [])
    if not isinstance(entries, list):
        raise MappingError(f"{where}: kind_by_time must be an array of tables ([[kind_by_time]])")
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or set(entry) != {"kind", "columns"}:
            raise MappingError(f"{where}: kind_by_time[{i}] needs exactly the keys 'kind' and 'columns'")
        kind = _enum(where, f"kind_by_time[{i}].kind", TouchKind, entry["kind"], TOUCH_LABELS_ZH)
        by_time.append((kind, _names(where, f"kind_by_time[{i}].columns", entry["columns"])))
    formats = data.get("time_formats", list(DEFAULT_TIME_FORMATS))
    if not isinstance(formats, list) or not formats or not all(isinstance(f, str) for f in formats):
        raise MappingError(f"{where}: time_formats must be a non-empty list of strings")
    for f in formats:
        if f not in SPECIAL_FORMATS and "%" not in f:
            raise MappingError(
                f"{where}: time_formats entry {f!r} is neither a strftime pattern nor one of {list(SPECIAL_FORMATS)}"
            )
    if "occurred_at" not in columns and not by_time:
        raise MappingError(f"{where}: columns.occurred_at (or [[kind_by_time]]) is required")
    if not idents and "name" not in columns:
        raise MappingError(f"{where}: [identifiers] or columns.name is required")
    if "channel" not in fixed and "channel" not in columns:
        raise MappingError(f"{where}: fixed.channel or columns.channel is required")
    return Mapping(name, columns, idents, fixed, tuple(formats), channel_values, kind_values, tuple(by_time))


def load_mapping(path: Path, name: str | None = None) -> Mapping:
    """Load and validate a mapping TOML file."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MappingError(f"mapping file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"{path}: cannot read the mapping file ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{path}: not valid TOML: {exc}") from None
    return parse_mapping(data, name or Path(path).stem, Path(path).name)


def known_sources() -> list[str]:
    """Names of the shipped mappings (resources/mappings/*.toml)."""
    return sorted(p.stem for p in MAPPINGS_DIR.glob("*.toml"))


def mapping_for_source(source: str) -> Mapping:
    """The shipped mapping of a source name; an unknown name lists the known ones."""
    if not re.fullmatch(r"[a-z0-9_\-]+", source) or not (MAPPINGS_DIR / f"{source}.toml").is_file():
        raise MappingError(
            f"unknown source {source!r}; known sources: {', '.join(known_sources())} (or give a mapping file)"
        )
    return load_mapping(MAPPINGS_DIR / f"{source}.toml", source)


# --- reading files ---------------------------------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode an exported text file: UTF-16 by BOM, else UTF-8 (BOM optional), else GB18030."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise SourceFileError("the file is neither UTF-8 nor GB18030 (GBK) text") from None


def cell_text(value: Any) -> str:
    """A cell as text: integral numbers without '.0', date-times as 'YYYY-MM-DD HH:MM:SS'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass
class Table:
    """The rows of a file, numbered as a spreadsheet shows them, plus what was learned opening it."""

    rows: Iterator[tuple[int, list[Any]]]
    file_type: str
    encoding: str | None = None
    total_hint: int | None = None
    closer: Any = None

    def close(self) -> None:
        """Release the underlying file (XLSX workbooks stay open in read-only mode)."""
        if self.closer is not None:
            self.closer()


def _open_csv(data: bytes) -> Table:
    text, encoding = decode_text(data)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    lines = text.count("\n")

    def rows() -> Iterator[tuple[int, list[Any]]]:
        reader = csv.reader(io.StringIO(text, newline=""), dialect)
        try:
            yield from enumerate(reader, start=1)
        except csv.Error as exc:
            raise SourceFileError(f"CSV is malformed near line {reader.line_num}: {exc}") from None

    return Table(rows(), "csv", encoding, lines)


def _open_xlsx(path: Path, sheet: str | None) -> Table:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise SourceFileError(f"cannot open the workbook: {exc}") from None
    if sheet is not None and sheet not in book.sheetnames:
        book.close()
        raise SourceFileError(f"no sheet {sheet!r}; the workbook has {book.sheetnames}")
    ws = book[sheet] if sheet is not None else book.worksheets[0]
    rows = ((n, list(r)) for n, r in enumerate(ws.iter_rows(values_only=True), start=1))
    return Table(rows, "xlsx", None, ws.max_row, book.close)


def open_table(path: Path, sheet: str | None = None) -> Table:
    """Open a CSV (any common encoding) or XLSX file by content; old binary .xls is refused."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except FileNotFoundError:
        raise SourceFileError(f"file not found: {path}") from None
    except OSError as exc:
        raise SourceFileError(f"cannot read {path}: {exc.strerror}") from None
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SourceFileError("this is an old binary .xls workbook; save it as .xlsx or CSV first")
    if head.startswith(b"PK"):
        return _open_xlsx(path, sheet)
    if sheet is not None:
        raise SourceFileError("--sheet applies to XLSX workbooks only")
    return _open_csv(path.read_bytes())


# --- rows to leads ---------------------------------------------------------------------------------


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


def _headers(cells: list[Any]) -> list[str]:
    """Header names, made unique: an empty header is 'column N', a repeated one gets '#2', '#3'."""
    out: list[str] = []
    for i, cell in enumerate(cells, start=1):
        name = cell_text(cell).strip() or f"column {i}"
        base, n = name, 1
        while name in out:
            n += 1
            name = f"{base}#{n}"
        out.append(name)
    return out


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
                    return number, _headers(cells), []
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
        names = self.headers + _headers([None] * len(cells))[len(self.headers) :]
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
