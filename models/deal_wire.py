"""Deal, split and statement records to and from JSON-able dicts (the hub's answers, the desk's views).

Decimals travel as strings ("12000.00"), times as ISO 8601 with their offset, dates as ISO dates,
so an amount never passes through a float on its way to a screen or an export.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")


def to_wire(value: Any) -> Any:
    """A dataclass (or list, dict, Decimal, datetime) as plain JSON-able data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_wire(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [to_wire(v) for v in value]
    if isinstance(value, dict):
        return {k: to_wire(v) for k, v in value.items()}
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _convert(kind: Any, value: Any) -> Any:
    """One value back to the annotated type."""
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return _convert(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        inner = typing.get_args(kind)[0]
        return tuple(_convert(inner, v) for v in value)
    if origin in (list, dict):
        return value
    if kind is Decimal:
        return Decimal(str(value))
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if dataclasses.is_dataclass(kind):
        return from_wire(kind, value)
    return value


def from_wire(cls: type[T], data: dict[str, Any]) -> T:
    """Rebuild a dataclass from `to_wire` output (unknown keys are ignored, missing ones keep defaults)."""
    hints = _hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: _convert(hints[k], v) for k, v in data.items() if k in known})
