"""SMTP delivery of reports: HTML with inline chart images, STARTTLS or SSL and login as configured,
retried on transient failures, failed (and told to managers) only when the server says no for good."""

from __future__ import annotations

import asyncio
import base64
import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid

from models.db import write_transaction
from models.events import Event, PendingEvent, append_events
from models.notify_store import MAX_ATTEMPTS, Outgoing, due, mark_failed, mark_sent, postpone, retry_delay

log = logging.getLogger("salesfloor.notify.email")


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send."""

    host: str = ""
    port: int = 587
    security: str = "starttls"  # starttls | ssl | none
    username: str = ""
    password: str = ""
    sender: str = "salesfloor@localhost"
    recipients: tuple[str, ...] = field(default_factory=tuple)
    timeout_s: float = 20.0


def build_message(settings: SmtpSettings, payload: dict) -> EmailMessage:
    """An HTML message with its images inline (cid: references in the HTML)."""
    msg = EmailMessage()
    msg["Subject"] = payload["subject"]
    msg["From"] = settings.sender
    msg["To"] = ", ".join(payload.get("to") or settings.recipients)
    msg["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or "salesfloor")
    msg.set_content(payload.get("text") or "请使用支持 HTML 的邮件客户端查看本报告。")
    msg.add_alternative(payload["html"], subtype="html")
    html_part = msg.get_payload()[1]
    for cid, data in payload.get("images", {}).items():
        html_part.add_related(base64.b64decode(data), "image", "png", cid=f"<{cid}>")
    return msg


def _send(settings: SmtpSettings, msg: EmailMessage) -> None:
    """Blocking SMTP conversation (run in a worker thread)."""
    if settings.security == "ssl":
        client = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout_s, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s)
    with client:
        if settings.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if settings.username:
            client.login(settings.username, settings.password)
        client.send_message(msg)


def classify(exc: Exception) -> tuple[str, str]:
    """('retry' | 'fail', reason) for an SMTP failure: 4xx and network trouble are worth retrying."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "fail", f"login refused ({exc.smtp_code})"
    if isinstance(exc, smtplib.SMTPResponseException):
        return ("retry" if 400 <= exc.smtp_code < 500 else "fail"), f"SMTP {exc.smtp_code}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "fail", "every recipient was refused"
    return "retry", f"network: {type(exc).__name__}"


class EmailSender:
    """Drains queued emails."""

    def __init__(self, registry, settings: SmtpSettings):
        """Bind to the database and the SMTP settings."""
        self.registry = registry
        self.settings = settings

    async def deliver_due(self, db=None) -> list[Event]:
        """Send what is due; returns events about permanent failures."""
        run = db or _direct
        problems: list[Event] = []
        notes: list[Outgoing] = await run(self._due)
        for note in notes:
            if not self.settings.host:
                problems += await run(self._fail, note, "no SMTP server configured")
                continue
            try:
                message = build_message(self.settings, note.payload)
            except Exception as exc:  # a message that cannot be built fails alone; the rest still go
                log.warning("email #%s cannot be built: %s", note.id, type(exc).__name__)
                problems += await run(self._fail, note, f"the message cannot be built: {exc}")
                continue
            try:
                await asyncio.to_thread(_send, self.settings, message)
            except (smtplib.SMTPException, OSError) as exc:
                verdict, reason = classify(exc)
                log.warning("email #%s not sent (%s): %s", note.id, verdict, reason)
                if verdict == "retry" and note.attempts + 1 < MAX_ATTEMPTS:
                    await run(self._postpone, note, reason)
                else:
                    problems += await run(self._fail, note, reason)
                continue
            await run(self._sent, note.id)
        return problems

    def _due(self) -> list[Outgoing]:
        with self.registry.engine.connect() as conn:
            return due(conn, "email", self.registry.clock.now())

    def _sent(self, note_id: int) -> None:
        with write_transaction(self.registry.engine) as conn:
            mark_sent(conn, note_id, self.registry.clock.now())

    def _postpone(self, note: Outgoing, reason: str) -> None:
        with write_transaction(self.registry.engine) as conn:
            postpone(conn, note.id, self.registry.clock.now() + retry_delay(note.attempts), reason, True)

    def _fail(self, note: Outgoing, reason: str) -> list[Event]:
        with write_transaction(self.registry.engine) as conn:
            now = self.registry.clock.now()
            mark_failed(conn, note.id, reason, now)
            payload = {"notification_id": note.id, "channel": "email", "target": note.target, "reason": reason}
            return append_events(conn, [PendingEvent("notify.failed", payload)], now)


async def _direct(fn, *args):
    return fn(*args)
