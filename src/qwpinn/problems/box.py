"""The box Ω = [a1, b1] × … × [ad, bd] (d = 1, 2, 3) on whose walls ψ = 0 in
−∇·(c∇ψ) + Vψ = Eψ; points in it are (N, d) arrays, columns x, y, z."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from qwpinn.errors import ConfigError, finite_number

AXES = ("x", "y", "z")
SHAPES = "must be [a, b] (1D) or [[a1, b1], [a2, b2]] or [[a1, b1], [a2, b2], [a3, b3]]"


class Box:
    """An axis-aligned box: ``bounds`` is (d, 2), row k = [a_k, b_k] with a_k < b_k.

    Built from a config value by :meth:`parse`: ``[a, b]`` is the 1D box, a list of d pairs
    the d-dimensional one (``[[a, b]]`` is 1D too). Immutable: ``bounds`` is read-only.
    """

    def __init__(self, bounds: Any) -> None:
        bounds = np.array(bounds, dtype=float).reshape(-1, 2)
        if not 1 <= len(bounds) <= len(AXES) or not np.all(bounds[:, 0] < bounds[:, 1]):
            raise ValueError(f"Box needs 1 to 3 rows [a, b] with a < b: {bounds.tolist()}")
        bounds.setflags(write=False)
        self.bounds = bounds

    @classmethod
    def parse(cls, value: Any, key: str = "box") -> Box:
        """The box of a config value, or one ConfigError line naming `key`."""
        if isinstance(value, Box):
            return value
        if isinstance(value, np.ndarray):
            value = value.tolist()
        if isinstance(value, str) or not isinstance(value, Sequence) or not value:
            raise ConfigError(key, value, SHAPES)
        nested = [not isinstance(v, str) and isinstance(v, Sequence) for v in value]
        if not any(nested):
            return cls([_axis(key, value, value)])
        if not all(nested) or len(value) > len(AXES):
            raise ConfigError(key, value, SHAPES)
        return cls([_axis(key, pair, value) for pair in value])

    @property
    def dim(self) -> int:
        return len(self.bounds)

    @property
    def lengths(self) -> np.ndarray:
        """b_k − a_k for each axis, (d,)."""
        return self.bounds[:, 1] - self.bounds[:, 0]

    @property
    def volume(self) -> float:
        return math.prod(float(length) for length in self.lengths)

    @property
    def interval(self) -> tuple[float, float]:
        """(a, b) of a 1D box (ValueError for d > 1)."""
        if self.dim != 1:
            raise ValueError(f"a {self.dim}-dimensional box has no single interval (a, b)")
        return float(self.bounds[0, 0]), float(self.bounds[0, 1])

    def tolist(self) -> list[Any]:
        """[a, b] for d = 1, [[a1, b1], ...] otherwise: the config's own form."""
        rows = self.bounds.tolist()
        return rows[0] if self.dim == 1 else rows

    def grid(self, per_axis: int) -> np.ndarray:
        """The tensor-product grid of ``per_axis`` evenly spaced points per axis, walls
        included: (per_axis^d, d)."""
        axes = [np.linspace(a, b, per_axis) for a, b in self.bounds]
        return _product(axes)

    def mean_rule(self, per_axis: int) -> tuple[np.ndarray, np.ndarray]:
        """Tensor-product Gauss–Legendre rule averaging over the box: points (n^d, d) and
        weights (n^d,) summing to 1, exact for polynomials of degree 2n − 1 in each axis."""
        t, w = np.polynomial.legendre.leggauss(per_axis)
        half, mid = 0.5 * self.lengths, 0.5 * self.bounds.sum(axis=1)
        points = _product([h * t + m for h, m in zip(half, mid, strict=True)])
        weights = _product([0.5 * w] * self.dim).prod(axis=1)
        return points, weights

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Box) and np.array_equal(self.bounds, other.bounds)

    def __hash__(self) -> int:
        return hash(self.bounds.tobytes())

    def __repr__(self) -> str:
        return f"Box({self.tolist()})"


def _axis(key: str, pair: Any, whole: Any) -> tuple[float, float]:
    """One validated row [a, b] of the box; errors quote the `whole` value."""
    if isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2:
        raise ConfigError(key, whole, SHAPES)
    lo, hi = (finite_number(key, v, f"{SHAPES}, of finite numbers") for v in pair)
    if not lo < hi:
        raise ConfigError(key, [lo, hi] if pair is whole else whole, "needs a < b on every axis")
    return lo, hi


def _product(axes: Sequence[np.ndarray]) -> np.ndarray:
    """Every combination of the axes' values as rows (the first axis varies slowest)."""
    mesh = np.meshgrid(*axes, indexing="ij")
    return np.stack([m.reshape(-1) for m in mesh], axis=1)
