"""Per-source column mappings: which export columns become which `LeadIn` fields, and how times are written.

A mapping is a TOML file; the shipped ones live in resources/mappings/ and are found by source name.
Every validation error names the file and the offending key. See docs/import.md for the format.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models.identifiers import IdentifierKind
from models.leads import CHANNEL_LABELS_ZH, TOUCH_LABELS_ZH, Channel, TouchKind

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


class MappingError(ValueError):
    """A mapping file (or source name) is unusable; the message names the file and the key."""


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
