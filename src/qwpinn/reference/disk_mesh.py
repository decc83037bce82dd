"""Macro elements whose faces follow a circle in a 2D box: an inner square, two rings of four
curved quadrilaterals (inside and outside the circle) and the eight rectangles of the box around
the outer square, each the Gordon–Hall (transfinite) image of [−1, 1]² from its four sides."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Curve = Callable[[np.ndarray], np.ndarray]  # t ∈ [−1, 1] (m,) → points (m, 2)
INNER_SQUARE = 0.5  # half side of the inner square / R
NEWTON_STEPS = 30


def segment(start: np.ndarray, stop: np.ndarray) -> Curve:
    return lambda t: start + 0.5 * (t[:, None] + 1.0) * (stop - start)


def arc(centre: np.ndarray, radius: float, first: float, last: float) -> Curve:
    def points(t: np.ndarray) -> np.ndarray:
        angle = first + 0.5 * (t + 1.0) * (last - first)
        return centre + radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)

    return points


@dataclass
class Macro:
    """x(ξ, η) = Σ blended sides − Σ blended corners; sides: bottom/top (η = ∓1, along ξ) and
    left/right (ξ = ∓1, along η), oriented so that the map keeps orientation."""

    bottom: Curve
    top: Curve
    left: Curve
    right: Curve
    inside: bool  # inside the circle

    def __call__(self, xi: np.ndarray, eta: np.ndarray) -> np.ndarray:
        one = np.array([-1.0, 1.0])
        b, t, lft, r = self.bottom(xi), self.top(xi), self.left(eta), self.right(eta)
        c00, c10 = self.bottom(one[:1])[0], self.bottom(one[1:])[0]
        c01, c11 = self.top(one[:1])[0], self.top(one[1:])[0]
        x, e = 0.5 * (1 + xi[:, None]), 0.5 * (1 + eta[:, None])
        sides = (1 - e) * b + e * t + (1 - x) * lft + x * r
        corners = (1 - x) * (1 - e) * c00 + x * (1 - e) * c10 + (1 - x) * e * c01 + x * e * c11
        return sides - corners

    def inverse(self, points: np.ndarray) -> np.ndarray:
        """(ξ, η) of ``points`` (m, 2) inside this element, by Newton's method."""
        ref = np.zeros_like(points)
        step = 1e-7
        for _ in range(NEWTON_STEPS):
            here = self(ref[:, 0], ref[:, 1])
            dxi = (self(ref[:, 0] + step, ref[:, 1]) - self(ref[:, 0] - step, ref[:, 1])) / (
                2 * step
            )
            deta = (self(ref[:, 0], ref[:, 1] + step) - self(ref[:, 0], ref[:, 1] - step)) / (
                2 * step
            )
            jacobian = np.stack([dxi, deta], axis=2)  # (m, 2, 2): columns ∂x/∂ξ, ∂x/∂η
            update = np.linalg.solve(jacobian, (points - here)[:, :, None])[:, :, 0]
            ref = np.clip(ref + update, -1.0, 1.0)
            if np.max(np.abs(update), initial=0.0) < 1e-13:
                break
        return ref


class DiskMesh:
    """The macro elements of a circle (``centre``, ``radius``) in ``bounds`` (2, 2), and which
    of them holds a point. The outer square's half side is halfway from R to the nearest wall."""

    def __init__(self, bounds: np.ndarray, centre: np.ndarray, radius: float) -> None:
        self.bounds, self.centre, self.radius = bounds, centre, radius
        gap = float(min(np.min(centre - bounds[:, 0]), np.min(bounds[:, 1] - centre)))
        self.inner, self.outer = INNER_SQUARE * radius, 0.5 * (radius + gap)
        self.macros = [self._square()]
        self.macros += [self._ring(k, outside=False) for k in range(4)]
        self.macros += [self._ring(k, outside=True) for k in range(4)]
        (a1, b1), (a2, b2) = bounds
        self.xcuts = [a1, centre[0] - self.outer, centre[0] + self.outer, b1]
        self.ycuts = [a2, centre[1] - self.outer, centre[1] + self.outer, b2]
        self.boxes = [(i, j) for i in range(3) for j in range(3) if (i, j) != (1, 1)]
        self.macros += [self._rectangle(i, j) for i, j in self.boxes]

    def _corner(self, half: float, angle: float) -> np.ndarray:
        return self.centre + half * math.sqrt(2.0) * np.array([math.cos(angle), math.sin(angle)])

    def _square(self) -> Macro:
        c, s = self.centre, self.inner
        p00, p10, p01, p11 = (c + s * np.array(v) for v in ((-1, -1), (1, -1), (-1, 1), (1, 1)))
        return Macro(
            segment(p00, p10), segment(p01, p11), segment(p00, p01), segment(p10, p11), True
        )

    def _ring(self, k: int, outside: bool) -> Macro:
        """Sector k (centred on angle kπ/2): ξ outward, η counter-clockwise."""
        first, last = (k - 0.5) * math.pi / 2, (k + 0.5) * math.pi / 2
        circle = arc(self.centre, self.radius, first, last)
        half = self.outer if outside else self.inner
        straight = segment(self._corner(half, first), self._corner(half, last))
        near, far = (circle, straight) if outside else (straight, circle)
        minus, plus = np.array([-1.0]), np.array([1.0])
        bottom = segment(near(minus)[0], far(minus)[0])
        top = segment(near(plus)[0], far(plus)[0])
        return Macro(bottom, top, near, far, not outside)

    def _rectangle(self, i: int, j: int) -> Macro:
        x0, x1, y0, y1 = self.xcuts[i], self.xcuts[i + 1], self.ycuts[j], self.ycuts[j + 1]
        p00, p10 = np.array([x0, y0]), np.array([x1, y0])
        p01, p11 = np.array([x0, y1]), np.array([x1, y1])
        return Macro(
            segment(p00, p10), segment(p01, p11), segment(p00, p01), segment(p10, p11), False
        )

    def longest_side(self) -> float:
        """The longest side of a macro element: a rectangle's, or a quarter of the circle."""
        sides = [*np.diff(self.xcuts), *np.diff(self.ycuts), 0.5 * math.pi * self.radius]
        return float(max(sides))

    def locate(self, points: np.ndarray) -> np.ndarray:
        """Index into ``macros`` of the element holding each point (m, 2)."""
        d = points - self.centre
        radius, square = np.hypot(d[:, 0], d[:, 1]), np.max(np.abs(d), axis=1)
        sector = np.mod(np.rint(np.arctan2(d[:, 1], d[:, 0]) / (math.pi / 2)), 4).astype(int)
        i = np.clip(np.searchsorted(self.xcuts, points[:, 0], side="right") - 1, 0, 2)
        j = np.clip(np.searchsorted(self.ycuts, points[:, 1], side="right") - 1, 0, 2)
        table = np.zeros((3, 3), dtype=int)
        for index, (a, b) in enumerate(self.boxes):
            table[a, b] = index
        box = table[i, j]
        return np.select(
            [square <= self.inner, radius <= self.radius, square <= self.outer],
            [0, 1 + sector, 5 + sector],
            9 + box,
        )
