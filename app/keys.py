"""The master key: from SALESFLOOR_MASTER_KEY, a 0600 key file in the data dir, or the OS keyring.

The key never goes into the database. A key file readable by group or others is refused.
"""

from __future__ import annotations

import base64
import binascii
import os
import stat
from pathlib import Path

from models.privacy import KEY_BYTES, MasterKeyError, Vault

ENV_VAR = "SALESFLOOR_MASTER_KEY"
KEYRING_SERVICE = "salesfloor"
KEYRING_USER = "master-key"


def _decode(text: str, where: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except (binascii.Error, ValueError):
        raise MasterKeyError(f"{where}: the master key is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise MasterKeyError(f"{where}: the master key must decode to {KEY_BYTES} bytes, got {len(key)}")
    return key


def encode_key(key: bytes) -> str:
    """Text form of a master key (URL-safe base64)."""
    return base64.urlsafe_b64encode(key).decode()


def _from_file(path: Path, create: bool) -> bytes | None:
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077 and os.name != "nt":  # Windows reports 0o666 for every file: its ACLs decide
            raise MasterKeyError(f"{path}: key file is readable by others (mode {mode:o}); run chmod 600 on it")
        return _decode(path.read_text(), str(path))
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Vault.generate_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(encode_key(key) + "\n")
    return key


def _from_keyring(create: bool) -> bytes | None:
    import keyring
    from keyring.errors import KeyringError

    try:
        text = keyring.get_password(KEYRING_SERVICE, KEYRING_USER)
        if text:
            return _decode(text, "OS keyring")
        if not create:
            return None
        key = Vault.generate_key()
        keyring.set_password(KEYRING_SERVICE, KEYRING_USER, encode_key(key))
        return key
    except KeyringError as exc:
        raise MasterKeyError(f"OS keyring unavailable: {exc}") from None


def load_master_key(key_file: Path, source: str = "auto", create: bool = True) -> bytes:
    """Find (or on first run create) the master key according to `source`."""
    if source in ("auto", "env") and os.environ.get(ENV_VAR):
        return _decode(os.environ[ENV_VAR], ENV_VAR)
    if source == "env":
        raise MasterKeyError(f"{ENV_VAR} is not set")
    if source == "keyring":
        key = _from_keyring(create)
        if key is None:
            raise MasterKeyError("no master key in the OS keyring")
        return key
    key = _from_file(key_file, create)
    if key is None:
        raise MasterKeyError(f"no master key: set {ENV_VAR} or create {key_file}")
    return key
