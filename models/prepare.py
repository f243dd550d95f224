"""Turn a `LeadIn` into storable rows: validated identifiers, ciphertext, blind indexes, masks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from models.identifiers import Identifier, IdentifierPolicy, parse_all
from models.leads import LeadIn
from models.privacy import Vault, mask_identifier, mask_name


@dataclass
class PreparedIdentifier:
    """One identifier ready for the identifiers table."""

    ident: Identifier
    blind_index: str | None
    value_enc: bytes
    masked: str

    @property
    def match_key(self) -> str | None:
        """The key that links leads (untagged); None when the identifier may not match."""
        return self.blind_index if self.ident.matchable else None

    def row(self, lead_id: int) -> dict:
        """Row for the identifiers table."""
        return {
            "lead_id": lead_id,
            "kind": self.ident.kind.value,
            "status": self.ident.status.value,
            "blind_index": self.blind_index,
            "match_key": self.match_key,
            "tag": 0,
            "value_enc": self.value_enc,
            "masked": self.masked,
            "reason": self.ident.reason,
            "warnings": ",".join(self.ident.warnings),
        }


@dataclass
class PreparedLead:
    """A lead with its identifiers validated and personal fields encrypted."""

    lead: LeadIn
    identifiers: list[PreparedIdentifier]
    name_enc: bytes | None
    name_masked: str
    payload_enc: bytes
    payload_digest: str

    @property
    def problems(self) -> int:
        """How many identifiers on this lead are unusable (shown to staff)."""
        return sum(1 for p in self.identifiers if p.ident.status.value != "valid")


def payload_digest(vault: Vault, payload: bytes) -> str:
    """Keyed digest of the raw payload, to tell a true replay from a conflicting one."""
    return vault.blind_index("payload", hashlib.sha256(payload).hexdigest())


def prepare_lead(lead: LeadIn, vault: Vault, policy: IdentifierPolicy, today: date | None = None) -> PreparedLead:
    """Validate, encrypt and index everything personal on a lead."""
    prepared = []
    for ident in parse_all(lead.identifiers, policy, today):
        valid = ident.status.value == "valid"
        prepared.append(
            PreparedIdentifier(
                ident=ident,
                blind_index=vault.blind_index(ident.kind.value, ident.value) if valid else None,
                value_enc=vault.encrypt(ident.value, ident.kind.value),
                masked=mask_identifier(ident.kind.value, ident.value) if valid else _mask_raw(ident),
            )
        )
    name = lead.name.strip()
    return PreparedLead(
        lead=lead,
        identifiers=prepared,
        name_enc=vault.encrypt(name, "name") if name else None,
        name_masked=mask_name(name),
        payload_enc=vault.encrypt(lead.payload, "payload"),
        payload_digest=payload_digest(vault, lead.payload),
    )


def _mask_raw(ident: Identifier) -> str:
    """Mask an unusable raw value: keep its shape for staff, never its digits in full."""
    raw = ident.value.strip()
    if len(raw) <= 4:
        return "*" * len(raw)
    keep = 3 if len(raw) >= 10 else 1
    return raw[:keep] + "*" * (len(raw) - keep - 2) + raw[-2:]
