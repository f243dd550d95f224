"""Packaging: installers and service units (filled in by the packaging work)."""
