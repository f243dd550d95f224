"""Signing a desk in: enrollment over HTTP against a real hub, the token only in a secure keyring."""

from __future__ import annotations

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from PySide6.QtWidgets import QWidget

from app.credentials import CredentialStoreError, forget_token, load_token, save_token, secure_backend
from app.desk import Enrollment, ws_url_for
from models.db import write_transaction
from models.staff import add_staff
from tests.hubkit import HubThread


class MemoryKeyring(KeyringBackend):
    """A secure-looking backend that keeps secrets in memory (tests only)."""

    priority = 1

    def __init__(self):
        """Empty store."""
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        """Look up."""
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        """Keep."""
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        """Forget."""
        self.store.pop((service, username), None)


@pytest.fixture
def memory_keyring():
    """Swap in the in-memory backend for one test."""
    before = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(before)


def test_the_token_goes_into_a_secure_keyring(memory_keyring):
    assert secure_backend()
    save_token("ws://hub:8765/", "tok-1")
    assert load_token("ws://hub:8765/") == "tok-1"
    assert memory_keyring.store == {("salesfloor-desk", "ws://hub:8765/"): "tok-1"}
    forget_token("ws://hub:8765/")
    assert load_token("ws://hub:8765/") is None


def test_without_a_secure_keyring_the_token_is_not_stored_and_the_user_is_told():
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        assert not secure_backend()
        with pytest.raises(CredentialStoreError, match="no secure keyring"):
            save_token("ws://hub:8765/", "tok-1")
        assert load_token("ws://hub:8765/") is None
    finally:
        keyring.set_keyring(before)


def test_enrollment_over_http_against_a_real_hub(qtbot, registry):
    hub = HubThread(registry)
    running = hub.start()
    try:
        with write_transaction(registry.engine) as conn:
            _member, code = add_staff(conn, registry.vault, "前台小周", "reception", registry.clock.now())
        owner = QWidget()  # the sign-in dialog owns the exchange in the app; qtbot closes this one
        qtbot.addWidget(owner)
        enrollment = Enrollment(owner)
        with qtbot.waitSignal(enrollment.done, timeout=10000) as done:
            enrollment.start(running.http_url, code.lower().replace("-", " "), "前台电脑")
        base, token, answer = done.args
        assert token and answer["staff"]["role"] == "reception" and answer["ws_port"] == running.ws_port
        assert ws_url_for(base, answer["ws_port"], answer["tls"]) == running.ws_url
        with qtbot.waitSignal(enrollment.failed, timeout=10000) as failed:
            enrollment.start(running.http_url, code, "again")
        assert "already used" in failed.args[0]
        with qtbot.waitSignal(enrollment.failed, timeout=10000) as failed:
            enrollment.start("http://127.0.0.1:9", code, "nowhere")
        assert failed.args[0]
    finally:
        hub.stop()


def test_the_websocket_address_beside_a_hub_address():
    assert ws_url_for("192.168.1.20:8766", 8765, False) == "ws://192.168.1.20:8765/"
    assert ws_url_for("https://hub.office.example", 8765, True) == "wss://hub.office.example:8765/"
    assert ws_url_for("http://[::1]:8766", 8765, False) == "ws://[::1]:8765/"  # IPv6 in brackets
