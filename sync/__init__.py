"""The wire: message schemas (`sync.protocol`), the hub (`sync.hub`), the desktop client's sync engine
(`sync.client`: local replica, outbox, hub connection on its own thread) and notifiers."""
