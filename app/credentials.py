"""The desk's bearer token lives in the OS keyring, never in a plain file; no secure backend, no storing."""

from __future__ import annotations

import contextlib

import keyring
from keyring.errors import KeyringError, PasswordDeleteError

SERVICE = "salesfloor-desk"
INSECURE_BACKENDS = ("fail", "null", "PlaintextKeyring", "chainer")


class CredentialStoreError(RuntimeError):
    """The OS keyring cannot keep the token safely; the message says what to do."""


def _backend_name() -> str:
    backend = keyring.get_keyring()
    return f"{type(backend).__module__}.{type(backend).__name__}"


def secure_backend() -> bool:
    """True when the active keyring backend stores secrets securely (not a plain file, not a no-op)."""
    backend = keyring.get_keyring()
    if getattr(backend, "priority", 0) <= 0:
        return False
    name = _backend_name()
    if "chainer" in name:
        return any(getattr(b, "priority", 0) > 0 for b in getattr(backend, "backends", []))
    return not any(bad in name for bad in INSECURE_BACKENDS)


def save_token(hub: str, token: str) -> None:
    """Keep the token for this hub; refuse (CredentialStoreError) rather than store it in plain text."""
    if not secure_backend():
        raise CredentialStoreError(
            f"no secure keyring on this computer ({_backend_name()}): the token is kept for this session only; "
            "install a keyring (e.g. gnome-keyring or KWallet on Linux) to stay signed in"
        )
    try:
        keyring.set_password(SERVICE, hub, token)
    except KeyringError as exc:
        raise CredentialStoreError(f"the OS keyring refused the token: {exc}") from None


def load_token(hub: str) -> str | None:
    """The stored token for this hub, if any."""
    if not secure_backend():
        return None
    try:
        return keyring.get_password(SERVICE, hub)
    except KeyringError:
        return None


def forget_token(hub: str) -> None:
    """Remove the stored token (after revocation)."""
    with contextlib.suppress(KeyringError, PasswordDeleteError):
        keyring.delete_password(SERVICE, hub)
