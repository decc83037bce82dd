"""Bound levels of the circular well in the whole plane (V = 0 for r < R, v0 outside): the
cross-check of the disk's reference when the box walls are far enough to be negligible."""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq
from scipy.special import jv, jvp, kv, kvp

SCAN = 4000  # energies scanned in (0, v0) to bracket the roots


def disk_levels(radius: float, v0: float, m: int) -> np.ndarray:
    """E in (0, v0) with  k J_m'(kR)/J_m(kR) = κ K_m'(κR)/K_m(κR),  k = √E, κ = √(v0 − E):
    ψ = J_m(kr) inside and K_m(κr) outside, times cos(mθ) or sin(mθ) (m > 0: each twice)."""

    def mismatch(energy: float) -> float:
        k, kappa = math.sqrt(energy), math.sqrt(v0 - energy)
        inside = k * jvp(m, k * radius) * kv(m, kappa * radius)
        outside = kappa * kvp(m, kappa * radius) * jv(m, k * radius)
        return float(inside - outside)

    grid = np.linspace(0.0, v0, SCAN + 1)[1:-1]
    values = np.array([mismatch(e) for e in grid])
    roots = [
        brentq(mismatch, a, b, xtol=1e-300, rtol=4 * np.finfo(float).eps)
        for a, b, fa, fb in zip(grid[:-1], grid[1:], values[:-1], values[1:], strict=True)
        if fa * fb < 0.0
    ]
    return np.array(roots)
