"""The master key lives outside the database and is refused when exposed."""

from __future__ import annotations

import os
import stat
from typing import ClassVar

import pytest

from app.keys import ENV_VAR, encode_key, load_master_key
from models.privacy import MasterKeyError, Vault


def test_first_run_creates_a_0600_key_file_and_reuses_it(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    path = tmp_path / "data" / "master.key"
    key = load_master_key(path, "auto")
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_master_key(path, "auto") == key


def test_key_file_readable_by_others_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    path = tmp_path / "master.key"
    load_master_key(path, "file")
    os.chmod(path, 0o644)
    with pytest.raises(MasterKeyError, match="chmod 600"):
        load_master_key(path, "file")


def test_environment_key_wins_and_is_validated(tmp_path, monkeypatch):
    key = Vault.generate_key()
    monkeypatch.setenv(ENV_VAR, encode_key(key))
    assert load_master_key(tmp_path / "none.key", "auto") == key
    assert not (tmp_path / "none.key").exists()
    monkeypatch.setenv(ENV_VAR, "not base64 !!")
    with pytest.raises(MasterKeyError, match="base64"):
        load_master_key(tmp_path / "none.key", "env")
    monkeypatch.setenv(ENV_VAR, encode_key(b"short"))
    with pytest.raises(MasterKeyError, match="32 bytes"):
        load_master_key(tmp_path / "none.key", "env")


def test_keyring_source(tmp_path, monkeypatch):
    import keyring
    from keyring.backend import KeyringBackend

    class MemoryKeyring(KeyringBackend):
        """An in-memory keyring for tests."""

        priority = 1
        store: ClassVar[dict] = {}

        def get_password(self, service, username):
            return self.store.get((service, username))

        def set_password(self, service, username, password):
            self.store[(service, username)] = password

        def delete_password(self, service, username):
            self.store.pop((service, username), None)

    monkeypatch.delenv(ENV_VAR, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        key = load_master_key(tmp_path / "unused.key", "keyring")
        assert load_master_key(tmp_path / "unused.key", "keyring") == key
        assert not (tmp_path / "unused.key").exists()
    finally:
        keyring.set_keyring(previous)
