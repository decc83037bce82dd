"""ψ from finite differences: the finest mesh, Richardson-extrapolated with the one before, as a
cubic spline on each piece of V."""

from __future__ import annotations

import math

import numpy as np
from scipy.interpolate import CubicSpline

from qwpinn.reference.finite_difference import FDLevel
from qwpinn.reference.sampling import first_lobe_sign

_GAUSS_4 = np.polynomial.legendre.leggauss(4)


class _SplineState:
    """ψ from extrapolated finite-difference node values: a cubic spline on each piece of V."""

    def __init__(self, x: np.ndarray, u: np.ndarray, bounds: list[float]) -> None:
        self.bounds = np.asarray(bounds, dtype=float)
        self.splines = []
        for x0, x1 in zip(bounds[:-1], bounds[1:], strict=True):
            take = (x >= x0 - 1e-12 * abs(x1 - x0)) & (x <= x1 + 1e-12 * abs(x1 - x0))
            self.splines.append(CubicSpline(x[take], u[take]))
        self.factor = 1.0
        self.factor = 1.0 / math.sqrt(self._norm_squared())

    def _norm_squared(self) -> float:
        nodes, weights = _GAUSS_4  # exact for the degree-6 square of a cubic
        total = 0.0
        for spline in self.splines:
            knots = spline.x
            half = 0.5 * np.diff(knots)
            x = (0.5 * (knots[:-1] + knots[1:]))[:, None] + half[:, None] * nodes
            total += float(np.sum(half[:, None] * weights * spline(x) ** 2))
        return total

    def fix_sign(self, x: np.ndarray) -> None:
        self.factor *= first_lobe_sign(self(x))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        flat = np.asarray(x, dtype=float).ravel()
        where = np.clip(
            np.searchsorted(self.bounds, flat, side="right") - 1, 0, len(self.splines) - 1
        )
        out = np.zeros_like(flat)
        for j, spline in enumerate(self.splines):
            mask = where == j
            out[mask] = spline(flat[mask])
        inside = (flat > self.bounds[0]) & (flat < self.bounds[-1])  # ψ = 0 on the walls
        return np.where(inside, self.factor * out, 0.0).reshape(np.shape(x))


def fd_states(
    levels: list[FDLevel], box: tuple[float, float], breaks: list[float]
) -> list[_SplineState]:
    """ψ from the finest mesh, Richardson-extrapolated with the one before when it halves it."""
    fine = levels[-1]
    x, u = fine.x, fine.u
    if len(levels) > 1 and math.isclose(levels[-2].t, 4.0 * fine.t):
        coarse = levels[-2]
        u_fine = fine.u[:, ::2]
        signs = np.sign(np.sum(u_fine * coarse.u, axis=1))[:, None]
        x, u = coarse.x, (4.0 * signs * u_fine - coarse.u) / 3.0
    bounds = [box[0], *breaks, box[1]]
    return [_SplineState(x, row, bounds) for row in u]
