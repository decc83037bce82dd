"""Exact spectrum of piecewise-constant V and c in −(cψ')' + Vψ = Eψ: the levels are roots of the
Prüfer angle, ψ the null vector of the matching conditions (ψ and cψ' continuous) between pieces."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.linalg import svd
from scipy.optimize import brentq

from qwpinn.reference.checks import Piece, checked_kinetic, checked_pieces, positive_int
from qwpinn.reference.sampling import first_lobe_sign

_DEGENERATE = 1e-6  # exact ψ: levels this close (relative) are orthogonalized against each other
_GAUSS_20 = np.polynomial.legendre.leggauss(20)


def exact_energies(
    pieces: Sequence[Sequence[float]], n_states: int, kinetic: Sequence[float] | None = None
) -> np.ndarray:
    """Lowest ``n_states`` roots E of  −(cψ')' + V ψ = E ψ,  ψ(a) = ψ(b) = 0,  V = V_i and
    c = c_i > 0 (``kinetic``, 1 when None) on each piece.

    ``pieces``: [(x0, x1, V), ...] tiling [a, b] in order. E_n solves θ(b; E) = nπ for the
    Prüfer angle of the solution with ψ(a) = 0, ψ'(a) > 0 (θ counts the nodes, so the bracket
    [E_{n-1}, max V + max c ((n+1)π/L)²] always holds exactly one root).
    """
    pieces = checked_pieces(pieces)
    kinetic = checked_kinetic(kinetic, len(pieces))
    n_states = positive_int("n_states", n_states)
    length = pieces[-1][1] - pieces[0][0]
    v_min, v_max = min(p[2] for p in pieces), max(p[2] for p in pieces)
    energies, lower = [], v_min
    for n in range(1, n_states + 1):
        upper = v_max + max(kinetic) * ((n + 1) * math.pi / length) ** 2
        root = brentq(
            lambda e, n=n: _prufer_angle(pieces, kinetic, e) - n * math.pi,
            lower,
            upper,
            xtol=1e-300,
            rtol=4 * np.finfo(float).eps,
            maxiter=500,
        )
        energies.append(root)
        lower = root
    return np.array(energies)


def exact_states(
    pieces: list[Piece], energies: Sequence[float], kinetic: Sequence[float] | None = None
) -> list[_ExactState]:
    """ψ at each of ``energies`` (c per piece: ``kinetic``, 1 when None); levels within 1e-6
    (relative) of a lower one are made orthogonal to it."""
    kinetic = checked_kinetic(kinetic, len(pieces))
    states: list[_ExactState] = []
    for energy in energies:
        close = [
            state
            for state, other in zip(states, energies, strict=False)
            if abs(energy - other) <= _DEGENERATE * max(abs(energy), 1.0)
        ]
        states.append(_ExactState(pieces, kinetic, energy, close))
    return states


def _wrap(angle: float) -> float:
    """angle reduced to [-π, π)."""
    return angle - 2.0 * math.pi * math.floor((angle + math.pi) / (2.0 * math.pi))


def _prufer_angle(pieces: list[Piece], kinetic: list[float], energy: float) -> float:
    """θ(b) of ψ(a) = 0, ψ'(a) = 1 with ψ = ρ sin θ, ψ'/σ = ρ cos θ (σ = π/L); θ(a) = 0.

    Inside a piece the scale is √((E − V)/c) (θ grows by k·d exactly) or any positive constant
    (E ≤ V: θ cannot cross the fixed points of θ' there, so |Δθ| < π and the nearest
    representative of atan2 is the right one). Rescaling keeps the quadrant, and so does the
    jump of ψ' = flux/c where c steps (the flux cψ' is what is continuous).
    """
    theta, psi, flux = 0.0, 0.0, kinetic[0]
    for (x0, x1, v), coefficient in zip(pieces, kinetic, strict=True):
        q, d, dpsi = (energy - v) / coefficient, x1 - x0, flux / coefficient
        if q > 0.0:
            k = math.sqrt(q)
            theta += _wrap(math.atan2(k * psi, dpsi) - theta)
            c, s = math.cos(k * d), math.sin(k * d)
            psi, dpsi = c * psi + (s / k) * dpsi, -k * s * psi + c * dpsi
            theta += k * d
        else:
            kappa = math.sqrt(-q)
            scale = max(kappa, 1.0 / d)
            theta += _wrap(math.atan2(scale * psi, dpsi) - theta)
            if kappa * d > 1.0:
                # ψ = A e^{κt} + B e^{-κt}, scaled by e^{-κd}: the end direction is exactly
                # (1, κ)·sign A unless A is below round-off, so no overflow and no cancellation.
                grow, decay = 0.5 * (psi + dpsi / kappa), 0.5 * (psi - dpsi / kappa)
                shrunk = decay * math.exp(-2.0 * kappa * d)
                if grow == 0.0 and shrunk == 0.0:  # e^{-κt} alone, below the smallest float
                    psi, dpsi = math.copysign(1.0, decay), -kappa * math.copysign(1.0, decay)
                else:
                    psi, dpsi = grow + shrunk, kappa * (grow - shrunk)
            elif kappa > 0.0:  # cosh(κd), sinh(κd)/κ, κ sinh(κd)
                c, s = math.cosh(kappa * d), math.sinh(kappa * d) / kappa
                psi, dpsi = c * psi + s * dpsi, kappa * kappa * s * psi + c * dpsi
            else:
                psi += d * dpsi
            theta += _wrap(math.atan2(scale * psi, dpsi) - theta)
        size = max(abs(psi), abs(dpsi))
        psi, dpsi = psi / size, dpsi / size
        flux = coefficient * dpsi
    sigma = math.pi / (pieces[-1][1] - pieces[0][0])
    return theta + _wrap(math.atan2(sigma * psi, dpsi) - theta)


class _PieceBasis:
    """Two solutions f1, f2 of cψ'' = (V − E) ψ on one piece, both of size ≤ ~1 there
    (k = √(|E − V|/c)).

    E > V: cos(kt), sin(kt)/(k·ℓ), ℓ = min(d, 1/k); E < V with κd > 1: e^{-κt}, e^{-κ(d-t)};
    E < V with κd ≤ 1: cosh(κt), sinh(κt)/(κd); E = V: 1, t/d  (t = x − x0).
    """

    def __init__(self, x0: float, x1: float, v: float, c: float, energy: float) -> None:
        self.x0, self.d, self.c = x0, x1 - x0, c
        q = (energy - v) / c
        self.k = math.sqrt(abs(q))
        if q > 0.0:
            self.kind = "osc"
        elif self.k * self.d > 1.0:
            self.kind = "exp"
        else:
            self.kind = "hyp"  # includes E = V (κ = 0): cosh → 1, sinh(κt)/(κd) → t/d
        self.scale = max(self.k, 1.0 / self.d)  # size of f', for row scaling

    def values(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """f1, f2, f1', f2' at t = x − x0."""
        k, d = self.k, self.d
        if self.kind == "osc":
            ell = min(d, 1.0 / k)
            c, s = np.cos(k * t), np.sin(k * t)
            return c, s / (k * ell), -k * s, c / ell
        if self.kind == "exp":
            f1, f2 = np.exp(-k * t), np.exp(-k * (d - t))
            return f1, f2, -k * f1, k * f2
        if k == 0.0:
            return np.ones_like(t), t / d, np.zeros_like(t), np.full_like(t, 1.0 / d)
        c, s = np.cosh(k * t), np.sinh(k * t)
        return c, s / (k * d), k * s, c / d


class _ExactState:
    """ψ at an eigenvalue of piecewise-constant V and c: the null vector of the matching
    conditions (ψ and the flux cψ' continuous).

    ``others``: already-built states of (near-)degenerate lower levels. The state is then the
    combination of the len(others)+1 smallest singular vectors farthest from their span, so
    levels that coincide to working precision (deep double wells) still come out orthonormal.
    """

    def __init__(
        self,
        pieces: list[Piece],
        kinetic: list[float],
        energy: float,
        others: Sequence[_ExactState] = (),
    ) -> None:
        self.bounds = np.array([p[0] for p in pieces] + [pieces[-1][1]])
        self.bases = [
            _PieceBasis(x0, x1, v, c, energy)
            for (x0, x1, v), c in zip(pieces, kinetic, strict=True)
        ]
        count = len(pieces)
        rows = np.zeros((2 * count, 2 * count))
        zero = np.zeros(1)
        starts = [np.array(b.values(zero)).ravel() * [1, 1, b.c, b.c] for b in self.bases]
        ends = [np.array(b.values(np.array([b.d]))).ravel() * [1, 1, b.c, b.c] for b in self.bases]
        rows[0, 0:2] = starts[0][:2]
        for j in range(count - 1):
            scale = max(b.c * b.scale for b in self.bases[j : j + 2])
            rows[2 * j + 1, 2 * j : 2 * j + 2] = ends[j][:2]
            rows[2 * j + 1, 2 * j + 2 : 2 * j + 4] = -starts[j + 1][:2]
            rows[2 * j + 2, 2 * j : 2 * j + 2] = ends[j][2:] / scale
            rows[2 * j + 2, 2 * j + 2 : 2 * j + 4] = -starts[j + 1][2:] / scale
        rows[-1, -2:] = ends[-1][:2]
        vectors = svd(rows)[2]
        self.factor = 1.0
        self.coefficients = vectors[-1].reshape(count, 2)
        x, w = self._quadrature()
        if others and len(others) < len(vectors):
            candidates = vectors[-len(others) - 1 :]
            values = []
            for vector in candidates:
                self.coefficients = vector.reshape(count, 2)
                values.append(self._raw(x))
            values = np.array(values)
            previous = np.array([other(x) for other in others])  # orthonormal in L²
            residual = values - ((values * w) @ previous.T) @ previous
            _, mix = np.linalg.eigh((residual * w) @ residual.T)
            self.coefficients = (mix[:, -1] @ candidates).reshape(count, 2)
        self.factor = 1.0 / math.sqrt(float(np.sum(w * self._raw(x) ** 2)))

    def _raw(self, x: np.ndarray) -> np.ndarray:
        where = np.clip(np.searchsorted(self.bounds, x, side="right") - 1, 0, len(self.bases) - 1)
        out = np.zeros_like(x)
        for j, basis in enumerate(self.bases):
            mask = where == j
            if mask.any():
                f1, f2, _, _ = basis.values(x[mask] - basis.x0)
                out[mask] = self.coefficients[j, 0] * f1 + self.coefficients[j, 1] * f2
        return out

    def _quadrature(self) -> tuple[np.ndarray, np.ndarray]:
        """20-point Gauss–Legendre on parts of each piece with √|E − V| · length ≤ 2."""
        nodes, weights = _GAUSS_20
        xs, ws = [], []
        for basis in self.bases:
            parts = max(1, math.ceil(basis.k * basis.d / 2.0))
            edges = basis.x0 + basis.d * np.arange(parts + 1) / parts
            half = 0.5 * np.diff(edges)[:, None]
            xs.append((0.5 * (edges[:-1] + edges[1:]))[:, None] + half * nodes)
            ws.append(half * weights)
        return np.concatenate([x.ravel() for x in xs]), np.concatenate([w.ravel() for w in ws])

    def fix_sign(self, x: np.ndarray) -> None:
        self.factor *= first_lobe_sign(self(x))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        flat = np.asarray(x, dtype=float).ravel()
        inside = (flat > self.bounds[0]) & (flat < self.bounds[-1])  # ψ = 0 on the walls
        values = np.where(inside, self.factor * self._raw(flat), 0.0)
        return values.reshape(np.shape(x))
