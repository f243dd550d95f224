"""Office files as text: a small TOML writer for hub.toml and the rules file, and atomic replacement.

The standard library reads TOML (tomllib) but does not write it; the office files hold only
tables, text, whole numbers, booleans, dates and lists of those, which is all this writes.
Replacing a file is atomic (a temp file beside it, then `os.replace`) and keeps the previous
version as `<name>.bak`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class OfficeFileError(ValueError):
    """An office file cannot be read or written; the message names the file."""


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file as a dict; {} when it does not exist."""
    try:
        with Path(path).open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise OfficeFileError(f"{path}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise OfficeFileError(f"{path}: cannot read ({exc.strerror})") from None


def _key(key: str) -> str:
    """A bare key when TOML allows it, else a quoted one."""
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _string(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's; DEL must be escaped too)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _value(value: Any) -> str:
    """One TOML value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return _string(format(value, "f"))
    if isinstance(value, date):
        return _string(value.isoformat())
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _wrapped(value: Any, width: int = 96) -> str:
    """A value; a long list is spread over lines of about `width` characters."""
    text = _value(value)
    if not isinstance(value, list | tuple) or len(text) <= width:
        return text
    lines, line = [], ""
    for item in (_value(v) for v in value):
        if line and len(line) + len(item) + 2 > width:
            lines.append(line)
            line = ""
        line += f"{item}, "
    lines.append(line)
    return "[\n" + "\n".join(f"    {x.rstrip()}" for x in lines) + "\n]"


def dumps(data: dict[str, Any], comments: dict[str, str] | None = None, header: str = "") -> str:
    """TOML text for nested dicts; `comments` puts a comment line above a table ('dispatch', 'a.b')."""
    comments = comments or {}
    lines = [f"# {line}".rstrip() for line in header.splitlines()]

    def table(path: tuple[str, ...], body: dict[str, Any]) -> None:
        scalars = {k: v for k, v in body.items() if not isinstance(v, dict)}
        tables = {k: v for k, v in body.items() if isinstance(v, dict)}
        if path and (scalars or not tables):
            dotted = ".".join(path)
            if lines:
                lines.append("")
            lines.extend(f"# {line}".rstrip() for line in comments.get(dotted, "").splitlines())
            lines.append(f"[{'.'.join(_key(p) for p in path)}]")
        lines.extend(f"{_key(k)} = {_wrapped(v)}" for k, v in scalars.items())
        for key, sub in tables.items():
            table((*path, key), sub)

    table((), data)
    return "\n".join(lines) + "\n"


def replace_file(path: Path, text: str, mode: int = 0o600) -> Path | None:
    """Write `text` to `path` atomically, keeping the previous file as `<name>.bak`; returns the backup."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    backup = None
    if path.exists():
        backup = path.with_name(path.name + ".bak")
        shutil.copy2(path, backup)
        os.chmod(backup, mode)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return backup


def remove_file(path: Path) -> Path | None:
    """Remove a file, keeping it as `<name>.bak`; returns the backup (None if there was no file)."""
    path = Path(path)
    if not path.exists():
        return None
    backup = path.with_name(path.name + ".bak")
    os.replace(path, backup)
    return backup
