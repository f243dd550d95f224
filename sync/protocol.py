"""The wire protocol between desktop clients and the hub: one schema per message (msgspec).

Every client message is a JSON object `{id, type, ...}` with increasing ids; the hub answers each
with `result` or `error` carrying the same id, and pushes `event` messages with sequence numbers.
docs/protocol.md documents each message; tests/test_protocol_doc.py keeps the two in step.
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

import msgspec

PROTOCOL_VERSION = 1
MAX_MESSAGE_BYTES = 64 * 1024


class ErrorCode:
    """Stable error codes clients can act on."""

    BAD_MESSAGE = "bad_message"  # not JSON, not an object, unknown type, a field of the wrong type
    BAD_ID = "bad_id"  # the id did not increase
    NOT_AUTHENTICATED = "not_authenticated"  # a business message before hello
    PROTOCOL_VERSION = "protocol_version"  # the client speaks another protocol version
    FORBIDDEN = "forbidden"  # the role may not do this
    NOT_FOUND = "not_found"
    INVALID = "invalid"  # understood, but the values are not acceptable (the message says which)
    CONFLICT = "mutation_conflict"  # the same (client_id, mutation_id) with a different payload
    INTERNAL = "internal"


class _Msg(msgspec.Struct, tag_field="type", forbid_unknown_fields=True):
    """Base of client messages: an increasing id."""

    id: int


class _Mutation(_Msg):
    """A write: applied once per (client_id, mutation_id), replays return the first result."""

    client_id: str
    mutation_id: int


class Hello(_Msg, tag="hello"):
    """First message after the handshake: protocol version and the client's stable id."""

    protocol: int
    client_id: str
    app: str = ""


class Ping(_Msg, tag="ping"):
    """Keep-alive at the application level; answered with the hub's time and last seq."""


class Subscribe(_Msg, tag="subscribe"):
    """Start the event stream after `since` (0 = from a snapshot)."""

    since: int = 0


class Person(msgspec.Struct, forbid_unknown_fields=True):
    """A visitor as typed at the desk (plain values; the hub validates, encrypts and masks)."""

    name: str = ""
    mobile: str = ""
    national_id: str = ""


class VisitRegister(_Mutation, tag="visit.register"):
    """Reception registers a walk-in or an agency-accompanied visit."""

    person: Person
    kind: Literal["walk_in", "accompanied_visit"] = "walk_in"
    agency_code: str | None = None
    broker_code: str | None = None
    broker_name: str | None = None
    report_code: str | None = None
    occurred_at: str | None = None


class ReportFile(_Mutation, tag="report.file"):
    """A broker (or channel specialist) files a 报备 report."""

    person: Person
    agency_code: str | None = None
    broker_code: str | None = None
    broker_name: str | None = None
    report_code: str | None = None
    occurred_at: str | None = None


class FollowUpLog(_Mutation, tag="followup.log"):
    """A consultant logs a call, WeChat, visit or note on a lead."""

    lead_id: int
    kind: Literal["call", "wechat", "visit", "note"]
    note: str = ""
    occurred_at: str | None = None


class GrabClaim(_Msg, tag="grab.claim"):
    """Claim a lead offered in the grab pool (first claim wins)."""

    round_id: int


class StatusSet(_Mutation, tag="status.set"):
    """On duty / paused / off; a manager may set anyone's, a consultant only their own."""

    status: Literal["on_duty", "paused", "off"]
    staff_id: int | None = None


class LeadReassign(_Mutation, tag="lead.reassign"):
    """A manager moves a lead to another consultant with a reason."""

    lead_id: int
    to_staff_id: int
    note: str


class AlertAck(_Msg, tag="alert.ack"):
    """The red popup's button: the owner (or a manager) has seen this alert."""

    alert_id: int


class CustomerGet(_Msg, tag="customer.get"):
    """One customer's merged timeline and 判客 result, masked for the role."""

    customer_id: int


class CustomerLookup(_Msg, tag="customer.lookup"):
    """Is this person already a customer? By mobile or ID number, answered masked (the desk's hint)."""

    mobile: str = ""
    national_id: str = ""


class KpiReport(_Msg, tag="kpi.report"):
    """The manager dashboard's figures for a date range (ISO dates, business days), optionally filtered."""

    start: str
    end: str
    channel: str | None = None
    consultant_id: int | None = None


class KpiLate(_Msg, tag="kpi.late"):
    """Drill-down: the leads of one day answered late or not at all (optionally one consultant's)."""

    day: str
    consultant_id: int | None = None


class StaffList(_Msg, tag="staff.list"):
    """Everyone on the floor with role and status."""


class DealRecord(_Mutation, tag="deal.record"):
    """A subscription (认购) or signing (签约) of a unit; amounts in yuan as decimal text, `at` ISO 8601."""

    customer_id: int
    unit: str
    amount: str
    at: str
    stage: Literal["subscription", "signing"]
    consultant_name: str
    consultant_id: int | None = None
    pool: str | None = None  # signing only: the commission pool, else the rules' rate x the amount


class DealList(_Msg, tag="deal.list"):
    """Deals subscribed or signed in business days start..end (ISO dates; empty = all)."""

    start: str = ""
    end: str = ""
    consultant_id: int | None = None


class DealGet(_Msg, tag="deal.get"):
    """One deal with its commission split and the reasons of each line."""

    deal_id: int


class DisputeGet(_Msg, tag="dispute.get"):
    """Everything a commission dispute about one deal needs: touches, reports, visits, the judgement,
    the split and the evidence chain with its hashes."""

    deal_id: int


class SettlementPrepare(_Mutation, tag="settlement.prepare"):
    """Statements per agency for signings in business days start..end not yet on a statement."""

    start: str
    end: str
    agency_id: int | None = None


class SettlementList(_Msg, tag="settlement.list"):
    """Settlement statements (a broker sees only their agency's)."""

    agency_id: int | None = None
    status: Literal["pending", "confirmed", "paid"] | None = None


class SettlementGet(_Msg, tag="settlement.get"):
    """One statement with its lines."""

    statement_id: int


class SettlementTransition(_Mutation, tag="settlement.transition"):
    """Move a statement on: pending -> confirmed -> paid."""

    statement_id: int
    to: Literal["confirmed", "paid"]
    note: str = ""


class SettlementCycle(_Msg, tag="settlement.cycle"):
    """Signing -> paid for agency lines of deals signed in business days start..end."""

    start: str
    end: str


class RadarReport(_Msg, tag="radar.report"):
    """A consultant's capability radar from call transcripts beside the team, and which script tags go
    with faster deals (period in business days; empty = all; staff_id null = the most recorded)."""

    staff_id: int | None = None
    start: str = ""
    end: str = ""


class ExperimentDefine(_Mutation, tag="experiment.define"):
    """A policy experiment's definition (new draft, or an edit of a draft when experiment_id is set)."""

    definition: dict[str, Any]
    experiment_id: int | None = None


class ExperimentStart(_Mutation, tag="experiment.start"):
    """Start a draft experiment."""

    experiment_id: int


class ExperimentStop(_Mutation, tag="experiment.stop"):
    """Stop a running experiment."""

    experiment_id: int


class ExperimentExpose(_Mutation, tag="experiment.expose"):
    """A consultant offered the customer their variant's policy (sticky: once per person)."""

    experiment_id: int
    customer_id: int
    through: str = "consultant"


class ExperimentList(_Msg, tag="experiment.list"):
    """Every experiment with its state and counts."""


class ExperimentCompare(_Msg, tag="experiment.compare"):
    """The live comparison of an experiment's variants (rates, intervals, tests, verdict)."""

    experiment_id: int
    kind: Literal["any", "subscription", "signing"] = "any"


class ExperimentOffers(_Msg, tag="experiment.offers"):
    """What a customer would be offered in every experiment open now (nothing recorded)."""

    customer_id: int


class MutationBatch(_Msg, tag="batch"):
    """Consecutive queued mutations of one desk, each a complete message with its own id, applied in
    order in one transaction; the result holds one reply per item (`replies`), in the same order."""

    items: list[msgspec.Raw]


ClientMessage = (
    Hello
    | Ping
    | Subscribe
    | VisitRegister
    | ReportFile
    | FollowUpLog
    | GrabClaim
    | StatusSet
    | LeadReassign
    | AlertAck
    | CustomerGet
    | CustomerLookup
    | KpiReport
    | KpiLate
    | StaffList
    | MutationBatch
    | DealRecord
    | DealList
    | DealGet
    | DisputeGet
    | SettlementPrepare
    | SettlementList
    | SettlementGet
    | SettlementTransition
    | SettlementCycle
    | RadarReport
    | ExperimentDefine
    | ExperimentStart
    | ExperimentStop
    | ExperimentExpose
    | ExperimentList
    | ExperimentCompare
    | ExperimentOffers
)
Mutation = (
    VisitRegister
    | ReportFile
    | FollowUpLog
    | StatusSet
    | LeadReassign
    | DealRecord
    | SettlementPrepare
    | SettlementTransition
    | ExperimentDefine
    | ExperimentStart
    | ExperimentStop
    | ExperimentExpose
)
MAX_BATCH_ITEMS = 200
CLIENT_MESSAGES: dict[str, type] = {t.__struct_config__.tag: t for t in ClientMessage.__args__}  # type: ignore[attr-defined]

_decoder = msgspec.json.Decoder(ClientMessage)
_mutation_decoder = msgspec.json.Decoder(Mutation)
_encoder = msgspec.json.Encoder()


class ProtocolError(ValueError):
    """A message that could not be decoded; `id` is set when the envelope was readable."""

    def __init__(self, code: str, message: str, msg_id: int | None = None):
        """Keep the error code and the offending message id."""
        super().__init__(message)
        self.code = code
        self.msg_id = msg_id


def decode(data: str | bytes) -> Any:
    """Decode one client message; ProtocolError says what was wrong (field and problem)."""
    try:
        return _decoder.decode(data)
    except msgspec.ValidationError as exc:
        raise ProtocolError(ErrorCode.BAD_MESSAGE, str(exc), _peek_id(data)) from None
    except msgspec.DecodeError as exc:
        raise ProtocolError(ErrorCode.BAD_MESSAGE, f"not valid JSON: {exc}") from None


def decode_mutation(data: str | bytes) -> Any:
    """Decode one item of a batch: a mutation message (ProtocolError says what was wrong)."""
    try:
        return _mutation_decoder.decode(data)
    except msgspec.ValidationError as exc:
        raise ProtocolError(ErrorCode.BAD_MESSAGE, f"batch item: {exc}", _peek_id(data)) from None
    except msgspec.DecodeError as exc:
        raise ProtocolError(ErrorCode.BAD_MESSAGE, f"batch item is not valid JSON: {exc}") from None


def reply(msg_id: int | None, result: dict[str, Any] | None = None, code: str = "", message: str = "") -> dict:
    """One reply of a batch: a result, or (with a code) an error; the same shape as a single reply."""
    if code:
        return {"id": msg_id, "type": "error", "code": code, "message": message}
    return {"id": msg_id, "type": "result", "result": result}


def _peek_id(data: str | bytes) -> int | None:
    """The id of a message that failed validation, if it has a usable one."""
    try:
        raw = msgspec.json.decode(data)
    except msgspec.DecodeError:
        return None
    value = raw.get("id") if isinstance(raw, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def encode(message: dict[str, Any]) -> str:
    """Encode a hub message as JSON text."""
    return _encoder.encode(message).decode()


def result_message(msg_id: int, result: dict[str, Any]) -> str:
    """The reply to a successful command."""
    return encode({"id": msg_id, "type": "result", "result": result})


def error_message(msg_id: int | None, code: str, message: str) -> str:
    """The reply to a refused or failed command."""
    return encode({"id": msg_id, "type": "error", "code": code, "message": message})


def event_message(seq: int, at: str, event: str, payload: dict[str, Any]) -> str:
    """A pushed state change."""
    return encode({"type": "event", "seq": seq, "at": at, "event": event, "payload": payload})


def mutation_digest(msg: Any) -> str:
    """The digest that tells a replay of a mutation from a different payload under the same key."""
    body = msgspec.structs.asdict(msg)
    body.pop("id", None)
    body["type"] = msg.__struct_config__.tag
    return hashlib.sha256(msgspec.json.encode(body, order="sorted")).hexdigest()
