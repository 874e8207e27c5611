"""The error of a configuration that passes the schema but is inconsistent."""
from __future__ import annotations

__all__ = ["ConfigError"]


class ConfigError(ValueError):
    """A configuration that passes the schema but is inconsistent; the message names the key."""
