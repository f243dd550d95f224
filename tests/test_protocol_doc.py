"""docs/protocol.md and sync/protocol.py cannot drift: every message is documented with an example
that the schema decodes, naming every field; every event the hub emits is in the events table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import msgspec

from sync.protocol import CLIENT_MESSAGES, decode

DOC = (Path(__file__).resolve().parent.parent / "docs" / "protocol.md").read_text(encoding="utf-8")
ROOT = Path(__file__).resolve().parent.parent


def sections() -> dict[str, str]:
    """Example JSON per '### `type`' heading."""
    out = {}
    for match in re.finditer(r"^### `([a-z.]+)`\n(.*?)(?=^### |^## |\Z)", DOC, re.S | re.M):
        block = re.search(r"```json\n(.*?)```", match.group(2), re.S)
        if block:
            out[match.group(1)] = block.group(1)
    return out


def test_every_client_message_is_documented_with_a_decodable_example_naming_every_field():
    examples = sections()
    missing = set(CLIENT_MESSAGES) - set(examples)
    assert not missing, f"undocumented messages: {sorted(missing)}"
    for name, schema in CLIENT_MESSAGES.items():
        decoded = decode(examples[name])
        assert type(decoded) is schema
        fields = set(schema.__struct_fields__) | {"type"}
        assert set(json.loads(examples[name])) == fields, name


def test_documented_client_messages_all_exist():
    hub_messages = {"result", "error", "event", "snapshot"}
    assert set(sections()) - hub_messages == set(CLIENT_MESSAGES)


def test_every_event_the_hub_emits_is_in_the_events_table():
    emitted = set()
    for path in (ROOT / "models").glob("*.py"):
        emitted |= set(re.findall(r'PendingEvent\(\s*"([a-z_.]+)"', path.read_text(encoding="utf-8")))
    table = set(re.findall(r"^\| `([a-z_.]+)` \|", DOC, re.M))
    assert emitted and emitted <= table, f"undocumented events: {sorted(emitted - table)}"


def test_hub_message_examples_are_valid_json():
    for name in ("result", "error", "event", "snapshot"):
        assert isinstance(msgspec.json.decode(sections()[name]), dict)
