"""Reference solutions of iψ_t = −ψ_xx + V(x, t)ψ, ψ(a) = ψ(b) = 0, independent of any network.

* ``eigenbasis`` (static V): ψ(x, t) = Σ_n c_n e^{−iE_n t} ψ_n(x), c_n = ∫ψ_n ψ0 dx, with the
  reference eigenstates of ``solve`` (exact for piecewise-constant V); the only errors are the
  truncation ‖ψ0 − Σ c_n ψ_n‖ and the quadrature of c_n.
* ``crank_nicolson`` (any V(x, t)): Galerkin in the sine basis √(2/L) sin(nπ(x − a)/L), with
  (I + iΔt/2 H(t + Δt/2)) c' = (I − iΔt/2 H(t + Δt/2)) c, Richardson-extrapolated twice over
  Δt, Δt/2, Δt/4 (order 6 in Δt); its accuracy is bounded by the change from the order-4
  extrapolation to the order-6 one (the basis truncation of ψ0 is reported apart).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.linalg

from qwpinn.reference.spectrum import solve

Basis = Callable[[np.ndarray], np.ndarray]  # x (M,) → (N, M) basis values (real or complex)


@dataclass(frozen=True, eq=False)
class ReferenceEvolution:
    """ψ(x, t_k) = Σ_n ``coefficients``[k, n] φ_n(x) at the output ``times``; ``truncation``
    is ‖ψ0 − Σ c_n(0) φ_n‖/‖ψ0‖ (what the basis misses), ``accuracy`` the estimated relative
    L2 error of the time stepping and quadrature, ``method`` which solver made it."""

    times: np.ndarray
    coefficients: np.ndarray
    basis: Basis
    method: str
    truncation: float
    accuracy: float

    def at(self, x: np.ndarray) -> np.ndarray:
        """ψ at the output times and the points x (M,): (Nt, M) complex."""
        return self.coefficients @ self.basis(np.asarray(x, dtype=float).reshape(-1))


def reference_evolution(evolution: Any, modes: int, nodes: int, steps: int) -> ReferenceEvolution:
    """The eigenbasis expansion for a static V, Crank–Nicolson otherwise (``steps`` per output
    interval at the coarsest Δt); ``modes`` basis functions, ``nodes`` Gauss–Legendre nodes per
    panel of the rule that projects on them."""
    if evolution.time_dependent:
        return crank_nicolson(evolution, modes, nodes, steps)
    return eigenbasis(evolution, modes, nodes)


def eigenbasis(evolution: Any, modes: int, nodes: int) -> ReferenceEvolution:
    """ψ(t) = Σ_n c_n e^{−iE_n t} ψ_n on the ``modes`` lowest reference eigenstates."""
    spectrum = solve(evolution.potential, n_states=modes)

    def basis(x: np.ndarray) -> np.ndarray:
        return np.vstack([spectrum.psi_at(n, x) for n in range(1, modes + 1)])

    c, truncation, quadrature = _projection(evolution, basis, modes, nodes)
    phases = np.exp(-1j * np.outer(evolution.times, spectrum.energies))
    return ReferenceEvolution(
        evolution.times, phases * c, basis, "eigenbasis", truncation, quadrature
    )


def crank_nicolson(evolution: Any, modes: int, nodes: int, steps: int) -> ReferenceEvolution:
    """Crank–Nicolson in the sine basis, Richardson-extrapolated over Δt, Δt/2, Δt/4."""
    a, b = evolution.potential.box
    length = b - a
    k = np.arange(1, modes + 1) * math.pi / length

    def basis(x: np.ndarray) -> np.ndarray:
        inside = (x > a) & (x < b)
        return math.sqrt(2.0 / length) * np.sin(np.outer(k, x - a)) * inside

    c0, truncation, quadrature = _projection(evolution, basis, modes, nodes)
    x, w = _rule(evolution.potential, nodes, modes)
    phi = basis(x)
    check = getattr(evolution.potential, "check_finite", None)
    if check is not None:
        check(evolution.times)

    def hamiltonian(t: float) -> np.ndarray:
        return np.diag(k**2) + (phi * (w * evolution.v(x, t))) @ phi.T

    static = not evolution.time_dependent
    runs = [_cn_run(c0, hamiltonian, evolution.times, steps * 2**j, static) for j in range(3)]
    first = [(4.0 * runs[j + 1] - runs[j]) / 3.0 for j in range(2)]
    best = (16.0 * first[1] - first[0]) / 15.0
    change = np.linalg.norm(best - first[1], axis=1).max() / np.linalg.norm(c0)
    return ReferenceEvolution(
        evolution.times, best, basis, "crank_nicolson", truncation, max(change, quadrature)
    )


def _cn_run(
    c0: np.ndarray,
    hamiltonian: Callable[[float], np.ndarray],
    times: np.ndarray,
    steps: int,
    static: bool,
) -> np.ndarray:
    """Coefficients (Nt, N) at the uniform ``times`` by ``steps`` Crank–Nicolson steps per
    interval, H at the midpoint of each step (one propagator for all when V is ``static``)."""
    out, c = [c0], c0.astype(complex)
    eye = np.eye(len(c0))
    dt = (times[1] - times[0]) / steps

    def propagator(t: float) -> np.ndarray:
        h = hamiltonian(t)
        return scipy.linalg.solve(eye + 0.5j * dt * h, eye - 0.5j * dt * h)

    fixed = propagator(0.0) if static else None
    for t0 in times[:-1]:
        for j in range(steps):
            step = fixed if fixed is not None else propagator(t0 + (j + 0.5) * dt)
            c = step @ c
        out.append(c)
    return np.array(out)


def _projection(evolution: Any, basis: Basis, modes: int, nodes: int) -> tuple[Any, float, float]:
    """c_n = ∫φ_n ψ0 dx on the rule of ``nodes`` per panel; ‖ψ0 − Σ c_n φ_n‖/‖ψ0‖ (what the
    basis misses) and the change of c on a rule of 2·nodes + 1 per panel (the quadrature's
    error), both on the finer rule."""
    x, w = _rule(evolution.potential, nodes, modes)
    c = basis(x) @ (w * evolution.initial(x))
    finer_x, finer_w = _rule(evolution.potential, 2 * nodes + 1, modes)
    psi0, phi = evolution.initial(finer_x), basis(finer_x)
    finer = phi @ (finer_w * psi0)
    norm = math.sqrt(float(np.sum(finer_w * np.abs(psi0) ** 2)))
    missing = math.sqrt(float(np.sum(finer_w * np.abs(psi0 - finer @ phi) ** 2)))
    return c, missing / norm, float(np.linalg.norm(finer - c)) / norm


def _rule(potential: Any, nodes: int, modes: int) -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss–Legendre rule split at the jumps of V, with at least one panel per half
    wavelength of the highest basis function (``modes`` half-waves across the box)."""
    a, b = potential.box
    cuts = [a, *potential.quadrature_cuts, b]
    t, wt = np.polynomial.legendre.leggauss(nodes)
    xs, ws = [], []
    for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
        panels = max(potential.quadrature_panels, math.ceil(modes * (hi - lo) / (b - a) / 4))
        edges = np.linspace(lo, hi, panels + 1)
        for p, q in zip(edges[:-1], edges[1:], strict=True):
            xs.append(0.5 * (q - p) * t + 0.5 * (q + p))
            ws.append(0.5 * (q - p) * wt)
    return np.concatenate(xs), np.concatenate(ws)
