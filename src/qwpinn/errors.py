"""One error type for bad configuration: it names the key, the value and what is allowed."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any


class ConfigError(ValueError):
    """A configuration value that cannot be used; ``str(err)`` is one line naming the key."""

    def __init__(self, key: str, value: object, allowed: str) -> None:
        self.key, self.value, self.allowed = key, value, allowed
        super().__init__(f"{key} = {value!r}: {allowed}")

    def under(self, prefix: str) -> ConfigError:
        """The same error with its key placed under a config group, e.g. ``potential.v0``."""
        return ConfigError(f"{prefix}.{self.key}", self.value, self.allowed)


def finite_number(key: str, value: Any, allowed: str = "must be a finite number") -> float:
    """float(value), or a ConfigError naming `key` if it is not a finite number."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(key, value, allowed) from None
    if not math.isfinite(number):
        raise ConfigError(key, value, allowed)
    return number


def one_of(key: str, value: Any, allowed: Sequence[Any]) -> Any:
    """`value` if it is in `allowed`, else a ConfigError naming `key` and the choices."""
    if value not in allowed:
        names = ", ".join("null" if a is None else str(a) for a in allowed)
        raise ConfigError(key, value, f"must be one of {names}")
    return value


def integer_at_least(key: str, value: Any, minimum: int = 1) -> int:
    """`value` if it is an integer >= `minimum` (not a bool), else a ConfigError naming `key`."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(key, value, f"must be an integer >= {minimum}")
    return value


class DivergedError(FloatingPointError):
    """A non-finite loss, gradient norm or energy during training; the message names the step."""
