"""Reference spectra of  -ψ'' + V(x) ψ = E ψ  on a box [a, b],  ψ(a) = ψ(b) = 0,  ∫ψ² dx = 1.

Two independent solvers:

* ``exact`` (piecewise-constant V): in each piece ψ is a combination of cos/sin (E > V),
  growing/decaying exponentials (E < V) or a line (E = V). The n-th level is the root of the
  Prüfer angle θ(b; E) = nπ, which is continuous and strictly increasing in E, so every level
  is bracketed without a guess and found by ``brentq`` to full double precision. ψ is the null
  vector of the matching conditions (found by SVD in a basis bounded by 1 in every piece), so
  deep barriers neither overflow nor amplify round-off.
* ``finite_difference`` (any V): the 3-point Laplacian on a mesh that is uniform within each
  piece of V (nodes at every jump), V averaged over each node's cell, energies recomputed as
  Rayleigh quotients from differences (exact to round-off for the discrete vector) and
  Richardson-extrapolated in h² over meshes whose cells are halved each time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import index
from typing import Any

import numpy as np
from scipy.interpolate import CubicSpline
from scipy.linalg import LinAlgError, eigh, eigh_tridiagonal, solve_banded, svd
from scipy.optimize import brentq

from qwpinn.errors import ConfigError

METHODS = ("auto", "exact", "finite_difference")
Piece = tuple[float, float, float]
Evaluator = Callable[[int, np.ndarray], np.ndarray]

_SIGN_THRESHOLD = 1e-6  # |ψ| > this · max|ψ| counts as "nonzero" for the sign convention
_KH_BASE = 0.3  # finite differences: max √|E − V| · h on the coarsest mesh
_LEVELS = 5  # finite differences: meshes in the Richardson table (cells ×1, ×2, ×4, ...)
_MIN_BASE_CELLS = 64
_MIN_SEGMENT_CELLS = 32  # smooth V split at its quadrature cuts: coarsest cells per segment
_DEGENERATE = 1e-6  # exact ψ: levels this close (relative) are orthogonalized against each other
_GAUSS_20 = np.polynomial.legendre.leggauss(20)
_GAUSS_4 = np.polynomial.legendre.leggauss(4)
_GAUSS_3 = np.polynomial.legendre.leggauss(3)


@dataclass(frozen=True, eq=False)
class Spectrum:
    """Lowest levels of  -ψ'' + V ψ = E ψ,  ψ(a) = ψ(b) = 0.

    ``energies`` (n_states,) ascending; ``x`` (m,) grid with both walls and every jump of V;
    ``psi`` (n_states, m) with ∫ψ² dx = 1, each signed so that its first sample with
    |ψ| > 1e-6·max|ψ| (scanning from x = a) is positive; ``method`` is ``"exact"`` or
    ``"finite_difference"``.
    """

    energies: np.ndarray
    x: np.ndarray
    psi: np.ndarray
    method: str
    _evaluate: Evaluator | None = field(default=None, repr=False)

    @property
    def n_states(self) -> int:
        return len(self.energies)

    def psi_at(self, n: int, x: Any) -> np.ndarray:
        """ψ_n (n = 1: ground state) at the points ``x`` (any shape); 0 on and outside the walls.

        Exact evaluation for ``method="exact"``, a cubic spline of the extrapolated
        finite-difference vector otherwise.
        """
        n = _level("n", n, self.n_states)
        points = np.asarray(x, dtype=float)
        if self._evaluate is not None:
            return self._evaluate(n, points)
        values = CubicSpline(self.x, self.psi[n - 1])(points.ravel()).reshape(points.shape)
        return np.where((points > self.x[0]) & (points < self.x[-1]), values, 0.0)


def solve(
    potential: Any, n_states: int = 1, grid_points: int = 2001, method: str = "auto"
) -> Spectrum:
    """The ``n_states`` lowest levels of  -ψ'' + V ψ = E ψ  in ``potential.box``, Dirichlet walls.

    ``method="auto"`` is ``"exact"`` when the potential has ``pieces`` (piecewise constant) and
    ``"finite_difference"`` otherwise. ψ is sampled on ``grid_points`` uniform points plus the
    jumps of V (a jump within 1e-9·L of a uniform point replaces it).
    """
    n_states = _positive_int("n_states", n_states)
    grid_points = _positive_int("grid_points", grid_points, minimum=2)
    if method not in METHODS:
        raise ConfigError("method", method, f"must be one of {', '.join(METHODS)}")
    pieces = _pieces_of(potential)
    if method == "exact" and pieces is None:
        raise ConfigError(
            "method",
            method,
            "'exact' needs a piecewise-constant potential (with .pieces); "
            "use 'auto' or 'finite_difference'",
        )
    if method == "auto":
        method = "exact" if pieces is not None else "finite_difference"
    box = (pieces[0][0], pieces[-1][1]) if pieces is not None else _box_of(potential)
    breaks = [p[0] for p in pieces[1:]] if pieces is not None else []
    x = _output_grid(box, grid_points, breaks)
    if method == "exact":
        energies = exact_energies(pieces, n_states)
        states: list[Any] = []
        for energy in energies:
            close = [
                state
                for state, other in zip(states, energies, strict=False)
                if abs(energy - other) <= _DEGENERATE * max(abs(energy), 1.0)
            ]
            states.append(_ExactState(pieces, energy, close))
    else:
        levels = _fd_levels(potential, pieces, box, n_states, None)
        energies = _richardson([lv.t for lv in levels], [lv.energies for lv in levels])
        states = _fd_states(levels, box, breaks)
    for state in states:
        state.fix_sign(x)
    psi = np.vstack([state(x) for state in states])
    energies, x = np.asarray(energies, dtype=float), np.asarray(x, dtype=float)
    for array in (energies, x, psi):
        array.setflags(write=False)
    return Spectrum(energies, x, psi, method, _Evaluate(states))


def finite_difference_energies(
    potential: Any, n_states: int, sizes: Sequence[int] | None = None
) -> np.ndarray:
    """Lowest ``n_states`` E of  -ψ'' + V ψ = E ψ  by Richardson-extrapolated finite differences.

    ``sizes``: cells across the box on each mesh, ascending, each a multiple of the first
    (cells are split evenly, so every jump of V stays a node); ``None`` picks
    M, 2M, 4M, 8M, 16M with max √|E − V| · L/M ≈ 0.3.
    """
    n_states = _positive_int("n_states", n_states)
    pieces = _pieces_of(potential)
    box = (pieces[0][0], pieces[-1][1]) if pieces is not None else _box_of(potential)
    levels = _fd_levels(potential, pieces, box, n_states, sizes)
    return _richardson([lv.t for lv in levels], [lv.energies for lv in levels])


def exact_energies(pieces: Sequence[Sequence[float]], n_states: int) -> np.ndarray:
    """Lowest ``n_states`` roots E of  -ψ'' + V ψ = E ψ,  ψ(a) = ψ(b) = 0,  V = V_i on each piece.

    ``pieces``: [(x0, x1, V), ...] tiling [a, b] in order. E_n solves θ(b; E) = nπ for the
    Prüfer angle of the solution with ψ(a) = 0, ψ'(a) > 0 (θ counts the nodes, so the bracket
    [E_{n-1}, max V + ((n+1)π/L)²] always holds exactly one root).
    """
    pieces = _checked_pieces(pieces)
    n_states = _positive_int("n_states", n_states)
    length = pieces[-1][1] - pieces[0][0]
    v_min, v_max = min(p[2] for p in pieces), max(p[2] for p in pieces)
    energies, lower = [], v_min
    for n in range(1, n_states + 1):
        upper = v_max + ((n + 1) * math.pi / length) ** 2
        root = brentq(
            lambda e, n=n: _prufer_angle(pieces, e) - n * math.pi,
            lower,
            upper,
            xtol=1e-300,
            rtol=4 * np.finfo(float).eps,
            maxiter=500,
        )
        energies.append(root)
        lower = root
    return np.array(energies)


# --- exact solution for piecewise-constant V -------------------------------------------------


def _wrap(angle: float) -> float:
    """angle reduced to [-π, π)."""
    return angle - 2.0 * math.pi * math.floor((angle + math.pi) / (2.0 * math.pi))


def _prufer_angle(pieces: list[Piece], energy: float) -> float:
    """θ(b) of ψ(a) = 0, ψ'(a) = 1 with ψ = ρ sin θ, ψ'/σ = ρ cos θ (σ = π/L); θ(a) = 0.

    Inside a piece the scale is √(E − V) (θ grows by k·d exactly) or any positive constant
    (E ≤ V: θ cannot cross the fixed points of θ' there, so |Δθ| < π and the nearest
    representative of atan2 is the right one). Rescaling keeps the quadrant.
    """
    theta, psi, dpsi = 0.0, 0.0, 1.0
    for x0, x1, v in pieces:
        q, d = energy - v, x1 - x0
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
                decay *= math.exp(-2.0 * kappa * d)
                psi, dpsi = grow + decay, kappa * (grow - decay)
            elif kappa > 0.0:  # cosh(κd), sinh(κd)/κ, κ sinh(κd)
                c, s = math.cosh(kappa * d), math.sinh(kappa * d) / kappa
                psi, dpsi = c * psi + s * dpsi, kappa * kappa * s * psi + c * dpsi
            else:
                psi += d * dpsi
            theta += _wrap(math.atan2(scale * psi, dpsi) - theta)
        size = max(abs(psi), abs(dpsi))
        psi, dpsi = psi / size, dpsi / size
    sigma = math.pi / (pieces[-1][1] - pieces[0][0])
    return theta + _wrap(math.atan2(sigma * psi, dpsi) - theta)


class _PieceBasis:
    """Two solutions f1, f2 of ψ'' = (V − E) ψ on one piece, both of size ≤ ~1 there.

    E > V: cos(kt), sin(kt)/(k·ℓ), ℓ = min(d, 1/k); E < V with κd > 1: e^{-κt}, e^{-κ(d-t)};
    E < V with κd ≤ 1: cosh(κt), sinh(κt)/(κd); E = V: 1, t/d  (t = x − x0).
    """

    def __init__(self, x0: float, x1: float, v: float, energy: float) -> None:
        self.x0, self.d = x0, x1 - x0
        q = energy - v
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
    """ψ at an eigenvalue of a piecewise-constant V: the null vector of the matching conditions.

    ``others``: already-built states of (near-)degenerate lower levels. The state is then the
    combination of the len(others)+1 smallest singular vectors farthest from their span, so
    levels that coincide to working precision (deep double wells) still come out orthonormal.
    """

    def __init__(self, pieces: list[Piece], energy: float, others: Sequence[_ExactState] = ()):
        self.bounds = np.array([p[0] for p in pieces] + [pieces[-1][1]])
        self.bases = [_PieceBasis(x0, x1, v, energy) for x0, x1, v in pieces]
        count = len(pieces)
        rows = np.zeros((2 * count, 2 * count))
        zero = np.zeros(1)
        starts = [np.array(b.values(zero)).ravel() for b in self.bases]
        ends = [np.array(b.values(np.array([b.d]))).ravel() for b in self.bases]
        rows[0, 0:2] = starts[0][:2]
        for j in range(count - 1):
            scale = max(self.bases[j].scale, self.bases[j + 1].scale)
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
        self.factor *= _first_lobe_sign(self(x))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        flat = np.asarray(x, dtype=float).ravel()
        inside = (flat > self.bounds[0]) & (flat < self.bounds[-1])  # ψ = 0 on the walls
        values = np.where(inside, self.factor * self._raw(flat), 0.0)
        return values.reshape(np.shape(x))


# --- finite differences ----------------------------------------------------------------------


@dataclass
class _FDLevel:
    t: float  # (h / h_coarsest)²
    energies: np.ndarray  # Rayleigh quotients, (n,)
    x: np.ndarray  # nodes with both walls, (N + 2,)
    u: np.ndarray  # (n, N + 2), Σ m u² = 1, zero at the walls


def _fd_levels(
    potential: Any,
    pieces: list[Piece] | None,
    box: tuple[float, float],
    n_states: int,
    sizes: Sequence[int] | None,
) -> list[_FDLevel]:
    a, b = box
    length = b - a
    if pieces is not None:
        bounds = [p[0] for p in pieces] + [b]
    else:  # a smooth V may name where it varies fast (a smoothed step's core): mesh them apart
        bounds = [a, *getattr(potential, "quadrature_cuts", []), b]
    widths = np.diff(bounds)
    if sizes is None:
        base = _base_cells(potential, pieces, box, n_states)
        sizes = [base * 2**i for i in range(_LEVELS)]
    sizes = _checked_sizes(sizes)
    least = 1 if pieces is not None or len(bounds) == 2 else _MIN_SEGMENT_CELLS
    base_cells = [max(least, round(sizes[0] * w / length)) for w in widths]
    levels = []
    for size in sizes:
        ratio = size // sizes[0]
        x = np.concatenate(
            [[a]]
            + [
                np.linspace(x0, x1, m * ratio + 1)[1:]
                for x0, x1, m in zip(bounds[:-1], bounds[1:], base_cells, strict=True)
            ]
        )
        if len(x) - 2 < n_states:
            raise ConfigError(
                "sizes", list(sizes), f"needs more than {n_states} cells on each mesh"
            )
        energies, u = _fd_solve(x, _cell_potential(potential, pieces, x), n_states)
        levels.append(_FDLevel(1.0 / ratio**2, energies, x, u))
    return levels


def _fd_solve(x: np.ndarray, v_node: np.ndarray, n_states: int) -> tuple[np.ndarray, np.ndarray]:
    """Lowest eigenpairs of  Σ (u_{i+1} − u_i)²/h + Σ m V u²  vs  Σ m u²  (lumped 3-point scheme).

    Symmetrized with w = √m u the matrix is tridiagonal. Its eigenvalues carry round-off
    ~eps·‖A‖ (‖A‖ ~ 4/h²), so the vectors get one step of inverse iteration (which removes
    their stiff components) and a Rayleigh–Ritz step whose matrices are built from differences:
    E is then exact to round-off for the discrete problem, however fine the mesh.
    """
    h = np.diff(x)
    mass = 0.5 * (h[:-1] + h[1:])
    diagonal = (1.0 / h[:-1] + 1.0 / h[1:]) / mass + v_node
    off = -1.0 / (h[1:-1] * np.sqrt(mass[:-1] * mass[1:]))
    raw, w = eigh_tridiagonal(diagonal, off, select="i", select_range=(0, n_states - 1))
    banded = np.zeros((3, len(diagonal)))
    banded[0, 1:], banded[2, :-1] = off, off
    for j in range(n_states):
        banded[1] = diagonal - raw[j]
        try:
            refined = solve_banded((1, 1), banded, w[:, j], check_finite=False)
        except LinAlgError:
            continue
        if np.all(np.isfinite(refined)):
            w[:, j] = refined / np.linalg.norm(refined)
    u = np.zeros((n_states, len(x)))
    u[:, 1:-1] = (np.linalg.qr(w)[0] / np.sqrt(mass)[:, None]).T
    slopes = np.diff(u, axis=1)
    stiffness = (slopes / h) @ slopes.T + (u[:, 1:-1] * mass * v_node) @ u[:, 1:-1].T
    energies, mix = eigh(stiffness, (u[:, 1:-1] * mass) @ u[:, 1:-1].T)
    u = mix.T @ u
    return energies, u / np.sqrt(np.sum(mass * u[:, 1:-1] ** 2, axis=1))[:, None]


def _cell_potential(potential: Any, pieces: list[Piece] | None, x: np.ndarray) -> np.ndarray:
    """V averaged over each interior node's cell [x_i − h_left/2, x_i + h_right/2]."""
    h = np.diff(x)
    if pieces is not None:  # every mesh interval lies inside one piece
        starts = np.array([p[0] for p in pieces])
        values = np.array([p[2] for p in pieces])
        middles = 0.5 * (x[:-1] + x[1:])
        v_edge = values[np.clip(np.searchsorted(starts, middles, side="right") - 1, 0, None)]
        return (h[:-1] * v_edge[:-1] + h[1:] * v_edge[1:]) / (h[:-1] + h[1:])
    nodes, weights = _GAUSS_3
    quarter = 0.25 * h[:, None]  # half of each half-interval
    left = _potential_values(potential, x[:-1, None] + quarter * (1.0 + nodes))  # [x_i, x_i + h/2]
    right = _potential_values(potential, x[1:, None] - quarter * (1.0 - nodes))  # [.., x_{i+1}]
    left_half = (quarter * weights * left).sum(axis=1)
    right_half = (quarter * weights * right).sum(axis=1)
    return (right_half[:-1] + left_half[1:]) / (0.5 * (h[:-1] + h[1:]))


def _base_cells(
    potential: Any, pieces: list[Piece] | None, box: tuple[float, float], n_states: int
) -> int:
    """Coarsest mesh with √(max V − min V + (nπ/L)²) · h ≈ _KH_BASE (max|E_n − V| bound)."""
    length = box[1] - box[0]
    if pieces is not None:
        values = np.array([p[2] for p in pieces])
    else:
        values = _potential_values(potential, np.linspace(box[0], box[1], 4097))
    spread = float(values.max() - values.min()) + (n_states * math.pi / length) ** 2
    return max(_MIN_BASE_CELLS, math.ceil(math.sqrt(spread) * length / _KH_BASE))


def _richardson(t: Sequence[float], values: Sequence[np.ndarray]) -> np.ndarray:
    """Neville extrapolation of values(t) to t = 0 (t = h², so error terms h², h⁴, ... cancel)."""
    table = [np.asarray(v, dtype=float) for v in values]
    for j in range(1, len(t)):
        table = [
            (t[i] * table[i + 1] - t[i + j] * table[i]) / (t[i] - t[i + j])
            for i in range(len(table) - 1)
        ]
    return table[0]


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
        self.factor *= _first_lobe_sign(self(x))

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


def _fd_states(
    levels: list[_FDLevel], box: tuple[float, float], breaks: list[float]
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


# --- helpers ---------------------------------------------------------------------------------


class _Evaluate:
    """ψ_n(x) for ``Spectrum.psi_at``: the exact or spline states, 1-based."""

    def __init__(self, states: list[Any]) -> None:
        self.states = states

    def __call__(self, n: int, x: np.ndarray) -> np.ndarray:
        return self.states[n - 1](x)


def _first_lobe_sign(values: np.ndarray) -> float:
    """+1 if the first sample with |ψ| > 1e-6·max|ψ| is positive, else −1."""
    big = np.flatnonzero(np.abs(values) > _SIGN_THRESHOLD * np.abs(values).max())
    return 1.0 if big.size == 0 or values[big[0]] > 0 else -1.0


def _output_grid(box: tuple[float, float], points: int, breaks: list[float]) -> np.ndarray:
    x = np.linspace(box[0], box[1], points)
    tolerance = 1e-9 * (box[1] - box[0])
    extra = []
    for point in breaks:
        nearest = int(np.argmin(np.abs(x - point)))
        if abs(x[nearest] - point) <= tolerance and 0 < nearest < points - 1:
            x[nearest] = point
        else:
            extra.append(point)
    return np.union1d(x, extra)


def _potential_values(potential: Any, x: np.ndarray) -> np.ndarray:
    values = np.broadcast_to(np.asarray(potential(x), dtype=float), x.shape)
    if not np.all(np.isfinite(values)):
        raise ConfigError("potential", potential, "V(x) must be finite inside the box")
    return values


def _pieces_of(potential: Any) -> list[Piece] | None:
    pieces = getattr(potential, "pieces", None)
    return None if pieces is None else _checked_pieces(pieces)


def _box_of(potential: Any) -> tuple[float, float]:
    box = getattr(potential, "box", None)
    try:
        a, b = (float(v) for v in box)
    except (TypeError, ValueError):
        raise ConfigError("potential.box", box, "must be a pair [a, b] with a < b") from None
    if not (math.isfinite(a) and math.isfinite(b) and a < b):
        raise ConfigError("potential.box", box, "must be a pair [a, b] with a < b")
    return a, b


def _checked_pieces(pieces: Any) -> list[Piece]:
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


def _checked_sizes(sizes: Any) -> list[int]:
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


def _positive_int(key: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool):
        raise ConfigError(key, value, f"must be an integer ≥ {minimum}")
    try:
        number = index(value)
    except TypeError:
        raise ConfigError(key, value, f"must be an integer ≥ {minimum}") from None
    if number < minimum:
        raise ConfigError(key, value, f"must be an integer ≥ {minimum}")
    return number


def _level(key: str, value: Any, count: int) -> int:
    number = _positive_int(key, value)
    if number > count:
        raise ConfigError(key, value, f"must be a level 1..{count} of this spectrum")
    return number
