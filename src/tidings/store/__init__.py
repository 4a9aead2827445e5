"""Persistence: the only code that knows SQL."""
