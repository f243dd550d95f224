"""Logging with a last line of defence: anything shaped like a mobile or an ID number is masked."""

from __future__ import annotations

import logging

from models.privacy import redact


class RedactingFilter(logging.Filter):
    """Masks mobile- and ID-shaped text in every record before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the message with personal numbers masked; never drops a record."""
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


def configure_logging(level: int = logging.INFO) -> None:
    """Install a stderr handler with the redacting filter on the root logger (idempotent)."""
    root = logging.getLogger()
    if any(isinstance(f, RedactingFilter) for h in root.handlers for f in h.filters):
        root.setLevel(level)
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # migrations are routine, not news
