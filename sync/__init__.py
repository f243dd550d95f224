"""The wire: message schemas, the hub, the client sync engine and notifiers."""
