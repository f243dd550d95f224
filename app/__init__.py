"""Composition: command-line entry points, settings, keys and wiring."""

__version__ = "0.1.0"
