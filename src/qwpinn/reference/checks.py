"""Argument checks of the reference solvers: level counts, pieces of V, mesh sizes and the box."""

from __future__ import annotations

import math
from operator import index
from typing import Any

import numpy as np

from qwpinn.errors import ConfigError

Piece = tuple[float, float, float]


def positive_int(key: str, value: Any, minimum: int = 1) -> int:
    """``value`` as an int ≥ ``minimum`` (bools refused), or a ConfigError naming ``key``."""
    if isinstance(value, bool):
        raise ConfigError(key, value, f"must be an integer ≥ {minimum}")
    try:
        number = index(value)
    except TypeError:
        raise ConfigError(key, value, f"must be an integer ≥ {minimum}") from None
    if number < minimum:
        raise ConfigError(key, value, f"must be an integer ≥ {minimum}")
    return number


def level(key: str, value: Any, count: int) -> int:
    """A level number 1..``count``, or a ConfigError naming ``key``."""
    number = positive_int(key, value)
    if number > count:
        raise ConfigError(key, value, f"must be a level 1..{count} of this spectrum")
    return number


def checked_pieces(pieces: Any) -> list[Piece]:
    """[(x0, x1, V), ...] as floats, finite, each x0 < x1, tiling the box in order."""
    try:
        out = [(float(x0), float(x1), float(v)) for x0, x1, v in pieces]
    except (TypeError, ValueError):
        raise ConfigError("pieces", pieces, "must be a list of (x0, x1, V)") from None
    ok = bool(out) and all(
        math.isfinite(x0) and math.isfinite(x1) and math.isfinite(v) and x0 < x1
        for x0, x1, v in out
    )
    if not ok or any(p[1] != q[0] for p, q in zip(out[:-1], out[1:], strict=True)):
        raise ConfigError(
            "pieces", pieces, "must be finite (x0, x1, V) with x0 < x1, in order, no gaps"
        )
    return out


def checked_kinetic(kinetic: Any, count: int) -> list[float]:
    """c of each of ``count`` pieces as finite floats > 0 (all 1 when ``kinetic`` is None)."""
    if kinetic is None:
        return [1.0] * count
    try:
        out = [float(c) for c in kinetic]
    except (TypeError, ValueError):
        raise ConfigError("kinetic", kinetic, "must be a list of numbers, one per piece") from None
    if len(out) != count or not all(math.isfinite(c) and c > 0.0 for c in out):
        raise ConfigError("kinetic", kinetic, f"must be {count} finite numbers > 0")
    return out


def checked_sizes(sizes: Any) -> list[int]:
    """Cell counts of the finite-difference meshes: ascending, ≥ 2, multiples of the first."""
    message = "must be ascending cell counts (≥ 2), each a multiple of the first"
    try:
        out = [index(s) for s in sizes]
    except TypeError:
        raise ConfigError("sizes", sizes, message) from None
    if (
        not out
        or out[0] < 2
        or any(s <= r or s % out[0] for r, s in zip(out[:-1], out[1:], strict=True))
    ):
        raise ConfigError("sizes", sizes, message)
    return out


def pieces_of(potential: Any) -> list[Piece] | None:
    """The checked ``potential.pieces``, or None when V is not piecewise constant."""
    pieces = getattr(potential, "pieces", None)
    return None if pieces is None else checked_pieces(pieces)


def box_of(potential: Any, pieces: list[Piece] | None) -> tuple[float, float]:
    """[a, b] of the pieces when there are some, else the checked ``potential.box``."""
    if pieces is not None:
        return pieces[0][0], pieces[-1][1]
    box = getattr(potential, "box", None)
    try:
        a, b = (float(v) for v in box)
    except (TypeError, ValueError):
        raise ConfigError("potential.box", box, "must be a pair [a, b] with a < b") from None
    if not (math.isfinite(a) and math.isfinite(b) and a < b):
        raise ConfigError("potential.box", box, "must be a pair [a, b] with a < b")
    return a, b


def potential_values(potential: Any, x: np.ndarray) -> np.ndarray:
    """V(x) broadcast to the shape of ``x``; a ConfigError unless every value is finite."""
    values = np.broadcast_to(np.asarray(potential(x), dtype=float), x.shape)
    if not np.all(np.isfinite(values)):
        raise ConfigError("potential", potential, "V(x) must be finite inside the box")
    return values


def kinetic_values(potential: Any, x: np.ndarray) -> np.ndarray:
    """c(x) = ``potential.kinetic(x)`` (1 for a potential without one), finite and > 0."""
    kinetic = getattr(potential, "kinetic", None)
    if kinetic is None:
        return np.ones_like(x)
    values = np.broadcast_to(np.asarray(kinetic(x), dtype=float), x.shape)
    if not np.all(np.isfinite(values) & (values > 0.0)):
        raise ConfigError("potential", potential, "c(x) must be finite and > 0 inside the box")
    return values
