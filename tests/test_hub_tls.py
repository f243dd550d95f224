"""TLS: with a certificate configured the hub serves wss:// and https:// and plain connections fail."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl

import aiohttp
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from websockets.asyncio.client import connect

from models.db import write_transaction
from models.staff import add_staff, enroll
from tests.hubkit import running_hub

pytestmark = pytest.mark.asyncio


def self_signed(folder) -> tuple:
    """A throwaway certificate for 127.0.0.1 and its key, written as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "salesfloor-test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "hub.crt", folder / "hub.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


async def test_tls_serves_wss_and_https(registry, tmp_path):
    cert, key = self_signed(tmp_path)
    trust = ssl.create_default_context(cafile=str(cert))
    async with running_hub(registry, tls_cert=cert, tls_key=key) as hub:
        assert hub.ws_url.startswith("wss://") and hub.http_url.startswith("https://")
        async with aiohttp.ClientSession() as http, http.get(hub.http_url + "/healthz", ssl=trust) as resp:
            assert resp.status == 200
        token = await hub.hub.db(token_for, hub.hub.registry)
        ws = await connect(hub.ws_url, ssl=trust, additional_headers={"Authorization": f"Bearer {token}"})
        await ws.close()
        with pytest.raises(Exception):  # noqa: B017 - any failure will do: plain text to a TLS port
            await connect(hub.ws_url.replace("wss://", "ws://"), open_timeout=3)


def token_for(reg) -> str:
    """A consultant's token straight from the store."""
    with write_transaction(reg.engine) as conn:
        _member, code = add_staff(conn, reg.vault, "王磊", "consultant", reg.clock.now())
        return enroll(conn, code, "pc", reg.clock.now())[1]
