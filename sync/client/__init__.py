"""The desktop client's sync engine: a local SQLite replica with an outbox, kept in step with the hub."""

from sync.client.engine import ClientSettings, SyncEngine

__all__ = ["ClientSettings", "SyncEngine"]
