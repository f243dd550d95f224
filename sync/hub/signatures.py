"""Webhook authentication schemes, checked over the raw request bytes before anything is parsed."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class SignatureProblem:
    """Why a delivery was not accepted as authentic (HTTP status and a reason safe to return)."""

    status: int
    reason: str


def _header(headers: Mapping[str, str], name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name.lower()), "")


def douyin_signature(secret: str, body: bytes) -> str:
    """X-Douyin-Signature: sha1 of the client secret followed by the raw body, hex."""
    return hashlib.sha1(secret.encode() + body, usedforsecurity=False).hexdigest()


def body_signature(secret: str, body: bytes) -> str:
    """X-Signature for 'hmac_body' sources: HMAC-SHA256 of the raw body, hex."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def ts_nonce_signature(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    """X-Signature for 'hmac_ts_nonce' sources: HMAC-SHA256 of timestamp + nonce + raw body, hex."""
    return hmac.new(secret.encode(), timestamp.encode() + nonce.encode() + body, hashlib.sha256).hexdigest()


def verify(
    scheme: str, secret: str | None, headers: Mapping[str, str], body: bytes, now_ts: float, window_s: int
) -> tuple[SignatureProblem | None, str | None]:
    """Check a delivery; returns (problem or None, nonce to remember or None)."""
    if scheme == "none":
        return None, None
    if not secret:
        return SignatureProblem(503, "this source has no secret configured on the hub"), None
    if scheme == "douyin_sha1":
        given = _header(headers, "X-Douyin-Signature")
        if not given:
            return SignatureProblem(401, "missing X-Douyin-Signature header"), None
        ok = hmac.compare_digest(given.strip().lower(), douyin_signature(secret, body))
        return (None if ok else SignatureProblem(403, "X-Douyin-Signature does not match the body")), None
    given = _header(headers, "X-Signature").strip().lower().removeprefix("sha256=")
    if not given:
        return SignatureProblem(401, "missing X-Signature header"), None
    if scheme == "hmac_body":
        ok = hmac.compare_digest(given, body_signature(secret, body))
        return (None if ok else SignatureProblem(403, "X-Signature does not match the body")), None
    timestamp, nonce = _header(headers, "X-Timestamp").strip(), _header(headers, "X-Nonce").strip()
    if not timestamp or not nonce:
        return SignatureProblem(401, "missing X-Timestamp or X-Nonce header"), None
    if not timestamp.isdigit():
        return SignatureProblem(401, "X-Timestamp must be unix seconds"), None
    if len(nonce) > 64:
        return SignatureProblem(401, "X-Nonce is longer than 64 characters"), None
    if not hmac.compare_digest(given, ts_nonce_signature(secret, timestamp, nonce, body)):
        return SignatureProblem(403, "X-Signature does not match timestamp, nonce and body"), None
    if abs(now_ts - int(timestamp)) > window_s:
        return SignatureProblem(403, f"X-Timestamp is outside the {window_s} s replay window"), None
    return None, nonce
