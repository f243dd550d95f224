"""Quick replies for follow-ups: 12 built in (resources/templates), the office may edit its own copy."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

BUILT_IN = Path(__file__).resolve().parent.parent / "resources" / "templates" / "quick_replies.toml"
KINDS = ("call", "wechat", "visit", "note")


class QuickReplyError(ValueError):
    """The quick-reply file is unusable; the message names the entry."""


@dataclass(frozen=True)
class QuickReply:
    """A short title and the note it fills in."""

    title: str
    text: str
    kind: str = "note"


def load_quick_replies(path: Path | None = None) -> list[QuickReply]:
    """The office's own file if it exists, else the built-in list."""
    source = path if path is not None and path.exists() else BUILT_IN
    try:
        with source.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise QuickReplyError(f"{source.name}: not valid TOML ({exc})") from None
    out = []
    for n, entry in enumerate(data.get("reply", []), start=1):
        title, text, kind = entry.get("title", ""), entry.get("text", ""), entry.get("kind", "note")
        if not isinstance(title, str) or not title.strip() or not isinstance(text, str):
            raise QuickReplyError(f"{source.name}: reply #{n} needs a title and a text")
        if kind not in KINDS:
            raise QuickReplyError(f"{source.name}: reply #{n} kind must be one of {list(KINDS)}")
        out.append(QuickReply(title.strip(), text.strip(), kind))
    return out
