"""Personal data at rest (PIPL): AES-GCM encryption, HMAC blind indexes, and display masks.

One 32-byte master key (kept outside the database by the caller) is stretched with HKDF into
independent sub-keys: one to encrypt, one to compute blind indexes, one to seal the audit chain.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
_NONCE = 12


class MasterKeyError(ValueError):
    """The master key is missing or malformed."""


def hmac_sha256(key: bytes) -> Callable[[bytes], str]:
    """HMAC-SHA256 under a fixed key, as a function of the message returning the hex digest.

    The same value as `hmac.new(key, message, hashlib.sha256).hexdigest()`; the key's inner and outer
    pads are hashed once, so each message costs two SHA-256 state copies (half of `hmac.new`).
    """
    block = hashlib.sha256().block_size
    if len(key) > block:
        key = hashlib.sha256(key).digest()
    key = key.ljust(block, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def digest(message: bytes) -> str:
        """The hex HMAC of one message."""
        h = inner.copy()
        h.update(message)
        o = outer.copy()
        o.update(h.digest())
        return o.hexdigest()

    return digest


def _derive(master: bytes, purpose: bytes) -> bytes:
    """Derive a purpose-bound sub-key from the master key."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"salesfloor/v1", info=purpose).derive(master)


class Vault:
    """Encrypts personal fields and computes keyed blind indexes for matching."""

    def __init__(self, master_key: bytes):
        """Build the sub-keys from a 32-byte master key."""
        if len(master_key) != KEY_BYTES:
            raise MasterKeyError(f"master key must be {KEY_BYTES} bytes, got {len(master_key)}")
        self._aead = AESGCM(_derive(master_key, b"encrypt"))
        self._index_key = _derive(master_key, b"blind-index")
        self._index_mac = hmac_sha256(self._index_key)
        self.audit_key = _derive(master_key, b"audit-chain")

    @staticmethod
    def generate_key() -> bytes:
        """Return a fresh random master key."""
        return os.urandom(KEY_BYTES)

    def encrypt(self, plaintext: str | bytes | None, context: str = "") -> bytes | None:
        """Encrypt text or bytes; `context` is bound as associated data (e.g. the field kind)."""
        if plaintext is None:
            return None
        data = plaintext.encode("utf-8") if isinstance(plaintext, str) else plaintext
        nonce = os.urandom(_NONCE)
        return nonce + self._aead.encrypt(nonce, data, context.encode())

    def encrypt_all(self, items: list[tuple[str | bytes | None, str]]) -> list[bytes | None]:
        """`encrypt` each (plaintext, context), with all the random nonces drawn in one system call."""
        nonces = os.urandom(_NONCE * len(items))
        out: list[bytes | None] = []
        for i, (plaintext, context) in enumerate(items):
            if plaintext is None:
                out.append(None)
                continue
            data = plaintext.encode("utf-8") if isinstance(plaintext, str) else plaintext
            nonce = nonces[i * _NONCE : (i + 1) * _NONCE]
            out.append(nonce + self._aead.encrypt(nonce, data, context.encode()))
        return out

    def decrypt_bytes(self, blob: bytes | None, context: str = "") -> bytes | None:
        """Decrypt a blob made by `encrypt` with the same context."""
        if blob is None:
            return None
        return self._aead.decrypt(bytes(blob[:_NONCE]), bytes(blob[_NONCE:]), context.encode())

    def decrypt(self, blob: bytes | None, context: str = "") -> str | None:
        """Decrypt a blob made by `encrypt` and return text."""
        raw = self.decrypt_bytes(blob, context)
        return None if raw is None else raw.decode("utf-8")

    def fingerprint(self) -> str:
        """Identifies the master key (a backup says which key it needs) without revealing anything of it."""
        return self.blind_index("key", "fingerprint")[:16]

    def blind_index(self, kind: str, value: str) -> str:
        """Keyed hash of a canonical identifier: equal values match, the value cannot be recovered."""
        return self._index_mac(f"{kind}\x1f{value}".encode())[:32]


# --- masks ---------------------------------------------------------------------------------------

_DIGITS = re.compile(r"\d")


def mask_mobile(value: str | None) -> str:
    """'+8613812345678' or '13812345678' -> '138****5678'."""
    if not value:
        return ""
    digits = "".join(_DIGITS.findall(value))
    if value.startswith("+86") and len(digits) > 11:
        digits = digits[2:]
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_national_id(value: str | None) -> str:
    """'440401199001011768' -> '440401********1768'."""
    if not value:
        return ""
    text = value.strip()
    if len(text) < 10:
        return "*" * len(text)
    return f"{text[:6]}{'*' * (len(text) - 10)}{text[-4:]}"


def mask_name(value: str | None) -> str:
    """'李敏' -> '李*', '欧阳娜娜' -> '欧***', 'Alice' -> 'A****'."""
    if not value:
        return ""
    text = value.strip()
    return text[0] + "*" * max(len(text) - 1, 1)


def mask_token(value: str | None) -> str:
    """Device ids: keep the first 4 and last 2 characters."""
    if not value:
        return ""
    if len(value) <= 8:
        return value[:2] + "*" * (len(value) - 2)
    return f"{value[:4]}…{value[-2:]}"


def mask_identifier(kind: str, value: str | None) -> str:
    """Mask any identifier for display according to its kind."""
    if kind in ("mobile", "landline"):
        return mask_mobile(value)
    if kind == "national_id":
        return mask_national_id(value)
    return mask_token(value)


# A safety net for logs and exception text: anything shaped like a mobile or an ID number.
_SEP = r"[\s\-.·]?"
_MOBILE_RE = re.compile(rf"(?<!\d)(?:(?:\+|00)?86{_SEP})?\(?(1\d{{2}})\)?{_SEP}\d{{4}}{_SEP}(\d{{4}})(?!\d)")
_ID_RE = re.compile(r"(?<![\dA-Za-z])(\d{6})\s?\d{8}\s?(\d{3}[\dXx])(?![\dA-Za-z])")
_LEGACY_ID_RE = re.compile(r"(?<![\dA-Za-z])(\d{6})\d{6}(\d{3})(?![\dA-Za-z])")
# Full-width digits and phone punctuation typed with a Chinese input method, mapped one-to-one.
_WIDE = str.maketrans("０１２３４５６７８９＋－（）　ｘＸ", "0123456789+-() xX")


def redact(text: str) -> str:
    """Mask every mobile- or ID-shaped run in free text (full-width digits and separators included)."""
    text = text.translate(_WIDE)
    text = _ID_RE.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)
    text = _LEGACY_ID_RE.sub(lambda m: f"{m.group(1)}******{m.group(2)}", text)
    return _MOBILE_RE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
