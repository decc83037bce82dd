"""One error type for bad configuration: it names the key, the value and what is allowed."""

from __future__ import annotations


class ConfigError(ValueError):
    """A configuration value that cannot be used; ``str(err)`` is one line naming the key."""

    def __init__(self, key: str, value: object, allowed: str) -> None:
        self.key, self.value, self.allowed = key, value, allowed
        super().__init__(f"{key} = {value!r}: {allowed}")

    def under(self, prefix: str) -> ConfigError:
        """The same error with its key placed under a config group, e.g. ``potential.v0``."""
        return ConfigError(f"{prefix}.{self.key}", self.value, self.allowed)
