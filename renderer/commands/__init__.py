"""Implementations of the `prosector` sub-commands (imported lazily by renderer.cli)."""
