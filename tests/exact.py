"""Reference energies computed in the tests, independently of qwpinn.reference.

Piecewise-constant V: exact shooting (ψ(a) = 0, ψ'(a) = 1 carried through each constant piece
by its 2×2 transfer matrix), roots of ψ(b; E) bracketed on a fine E grid and polished by
brentq. Smooth V: Chebyshev collocation. Named classics: their closed forms.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from scipy.optimize import brentq


def psi_at_right_wall(
    pieces: Sequence[Sequence[float]], energy: float, masses: Sequence[float] | None = None
) -> float:
    """ψ(b) for ψ(a) = 0, ψ'(a) = 1 of −(cψ')' + Vψ = Eψ, solved exactly through each piece
    [x0, x1, V] with c = ``masses`` (1 when None): cψ' carried across each interface."""
    psi, dpsi = 0.0, 1.0
    masses = masses or [1.0] * len(pieces)
    for (x0, x1, v), c, before in zip(pieces, masses, [masses[0], *masses], strict=False):
        dpsi *= before / c  # the flux cψ' is continuous
        length, q = x1 - x0, (energy - v) / c
        if q > 0:
            k = math.sqrt(q)
            c, s = math.cos(k * length), math.sin(k * length)
            psi, dpsi = c * psi + s / k * dpsi, -k * s * psi + c * dpsi
        elif q < 0:
            kappa = math.sqrt(-q)
            c, s = math.cosh(kappa * length), math.sinh(kappa * length)
            psi, dpsi = c * psi + s / kappa * dpsi, kappa * s * psi + c * dpsi
        else:
            psi, dpsi = psi + length * dpsi, dpsi
        scale = math.hypot(psi, dpsi)  # only the sign of ψ(b) matters: keep it finite
        psi, dpsi = psi / scale, dpsi / scale
    return psi


def piecewise_energies(
    pieces: Sequence[Sequence[float]], n: int, step: float = 0.05, masses=None
) -> list:
    """The n lowest E with ψ(b; E) = 0: sign changes on a grid of `step`, then brentq.
    (Adjacent levels of the wells tested here are ≥ 10 apart, far wider than `step`.)"""
    roots: list[float] = []
    energy = min(v for *_, v in pieces)
    value = psi_at_right_wall(pieces, energy, masses)
    while len(roots) < n:
        nxt = psi_at_right_wall(pieces, energy + step, masses)
        if value == 0.0 or value * nxt < 0:
            roots.append(
                brentq(
                    lambda e: psi_at_right_wall(pieces, e, masses),
                    energy,
                    energy + step,
                    xtol=1e-14,
                )
            )
        energy, value = energy + step, nxt
    return roots


def smooth_energies(
    potential: Callable[[np.ndarray], np.ndarray], box: Sequence[float], n: int, order: int = 160
) -> np.ndarray:
    """n lowest eigenvalues of −ψ'' + Vψ with ψ = 0 at the walls by Chebyshev collocation
    (spectral: ~1e-12 relative for the smooth wells of conf/ at this order)."""
    k = np.arange(order + 1)
    t = np.cos(np.pi * k / order)
    c = np.hstack([2.0, np.ones(order - 1), 2.0]) * (-1.0) ** k
    d = np.outer(c, 1.0 / c) / (t[:, None] - t[None, :] + np.eye(order + 1))
    d -= np.diag(d.sum(axis=1))
    a, b = box
    second = (d @ d)[1:-1, 1:-1] * (2.0 / (b - a)) ** 2  # Dirichlet: drop the wall rows
    x = a + (b - a) * (t[1:-1] + 1.0) / 2.0
    energies = np.linalg.eigvals(-second + np.diag(np.asarray(potential(x), dtype=float)))
    return np.sort(energies.real)[:n]


def ground_state(potential) -> float:
    """E_1 of a built qwpinn potential from the closed form of its kind, or computed here."""
    if potential.name == "harmonic":  # ω(2n + 1); the box walls shift it by ~e^{−ωL²}
        return potential.params["omega"]
    if potential.name == "poschl_teller":  # −α²λ²; the walls shift it by ~e^{−2αλL}
        return -((potential.params["alpha"] * potential.params["lam"]) ** 2)
    pieces = getattr(potential, "pieces", None)
    if pieces is not None:
        middles = np.array([0.5 * (x0 + x1) for x0, x1, _ in pieces])
        return piecewise_energies(pieces, 1, masses=list(potential.kinetic(middles)))[0]
    return float(smooth_energies(potential, potential.box, 1)[0])
