"""Qt widgets and item models: they render state and emit intents (no SQL, no sockets)."""
