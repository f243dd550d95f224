"""What arrives: a lead from a channel (or a visit at the front desk), before resolution."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from models.clock import to_utc


class Channel(StrEnum):
    """Where a person came from."""

    DOUYIN = "douyin"
    XIAOHONGSHU = "xiaohongshu"
    ANJUKE = "anjuke"
    MINI_PROGRAM = "mini_program"
    AGENCY = "agency"
    WALK_IN = "walk_in"


CHANNEL_LABELS_ZH = {
    Channel.DOUYIN: "抖音",
    Channel.XIAOHONGSHU: "小红书",
    Channel.ANJUKE: "安居客",
    Channel.MINI_PROGRAM: "小程序",
    Channel.AGENCY: "分销机构",
    Channel.WALK_IN: "自然到访",
}


class TouchKind(StrEnum):
    """What the touch was."""

    ONLINE_LEAD = "online_lead"
    REPORT = "report"  # 报备: an agency registers a customer before bringing them
    ACCOMPANIED_VISIT = "accompanied_visit"  # 带看: a broker brings the customer on site
    WALK_IN = "walk_in"


TOUCH_LABELS_ZH = {
    TouchKind.ONLINE_LEAD: "线上留资",
    TouchKind.REPORT: "报备",
    TouchKind.ACCOMPANIED_VISIT: "带看",
    TouchKind.WALK_IN: "自然到访",
}
VISIT_KINDS = frozenset({TouchKind.ACCOMPANIED_VISIT, TouchKind.WALK_IN})


class LeadError(ValueError):
    """A lead that cannot be taken as given; the message says which field and why."""


@dataclass
class LeadIn:
    """A lead as received, with raw identifiers by kind and the payload kept verbatim."""

    source: str
    source_message_id: str
    channel: Channel
    kind: TouchKind
    occurred_at: datetime
    name: str = ""
    identifiers: list[tuple[str, str]] = field(default_factory=list)
    agency_code: str | None = None
    broker_code: str | None = None
    broker_name: str | None = None
    report_code: str | None = None
    payload: bytes = b""
    payload_type: str = "application/json"

    def __post_init__(self) -> None:
        """Coerce enums and times; reject a lead that could not be stored meaningfully."""
        try:
            self.channel = Channel(self.channel)
        except ValueError:
            raise LeadError(f"unknown channel {self.channel!r}; expected one of {[c.value for c in Channel]}") from None
        try:
            self.kind = TouchKind(self.kind)
        except ValueError:
            raise LeadError(
                f"unknown touch kind {self.kind!r}; expected one of {[k.value for k in TouchKind]}"
            ) from None
        if not self.source or not self.source_message_id:
            raise LeadError("source and source_message_id are required (they make a replay harmless)")
        if not isinstance(self.occurred_at, datetime):
            raise LeadError("occurred_at must be a datetime")
        self.occurred_at = to_utc(self.occurred_at)
        if self.channel is Channel.AGENCY and not self.agency_code:
            raise LeadError("an agency lead needs agency_code")
        if self.kind in (TouchKind.REPORT, TouchKind.ACCOMPANIED_VISIT) and not self.agency_code:
            raise LeadError(f"a {self.kind.value} touch needs agency_code")
        if not self.payload:
            self.payload = json.dumps(self.summary(), ensure_ascii=False).encode()

    def summary(self) -> dict[str, Any]:
        """A JSON-able view of the fields (used as payload when none was given)."""
        return {
            "source": self.source,
            "source_message_id": self.source_message_id,
            "channel": self.channel.value,
            "kind": self.kind.value,
            "occurred_at": self.occurred_at.isoformat(),
            "name": self.name,
            "identifiers": [list(p) for p in self.identifiers],
            "agency_code": self.agency_code,
            "broker_code": self.broker_code,
            "report_code": self.report_code,
        }
