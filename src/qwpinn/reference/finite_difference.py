"""Finite-difference energies for any V and c: the flux-conserving 3-point scheme for −(cψ')' on
meshes with a node at every jump of V and c, energies as Rayleigh quotients, Richardson-extrapolated
in h² over halved cells."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.linalg import LinAlgError, eigh, eigh_tridiagonal, solve_banded

from qwpinn.errors import ConfigError
from qwpinn.reference.checks import (
    Piece,
    box_of,
    checked_sizes,
    kinetic_values,
    pieces_of,
    positive_int,
    potential_values,
)

_KH_BASE = 0.3  # finite differences: max √|E − V| · h on the coarsest mesh
_LEVELS = 5  # finite differences: meshes in the Richardson table (cells ×1, ×2, ×4, ...)
_MIN_BASE_CELLS = 64
_MIN_SEGMENT_CELLS = 32  # smooth V split at its quadrature cuts: coarsest cells per segment
_GAUSS_3 = np.polynomial.legendre.leggauss(3)


def finite_difference_energies(
    potential: Any, n_states: int, sizes: Sequence[int] | None = None
) -> np.ndarray:
    """Lowest ``n_states`` E of  -ψ'' + V ψ = E ψ  by Richardson-extrapolated finite differences.

    ``sizes``: cells across the box on each mesh, ascending, each a multiple of the first
    (cells are split evenly, so every jump of V stays a node); ``None`` picks
    M, 2M, 4M, 8M, 16M with max √|E − V| · L/M ≈ 0.3.
    """
    n_states = positive_int("n_states", n_states)
    pieces = pieces_of(potential)
    levels = fd_levels(potential, pieces, box_of(potential, pieces), n_states, sizes)
    return extrapolated_energies(levels)


@dataclass
class FDLevel:
    t: float  # (h / h_coarsest)²
    energies: np.ndarray  # Rayleigh quotients, (n,)
    x: np.ndarray  # nodes with both walls, (N + 2,)
    u: np.ndarray  # (n, N + 2), Σ m u² = 1, zero at the walls


def fd_levels(
    potential: Any,
    pieces: list[Piece] | None,
    box: tuple[float, float],
    n_states: int,
    sizes: Sequence[int] | None,
) -> list[FDLevel]:
    """Eigenpairs on each mesh of the Richardson table (``sizes`` cells across, or the default)."""
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
    sizes = checked_sizes(sizes)
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
        c_edge = kinetic_values(potential, 0.5 * (x[:-1] + x[1:]))
        energies, u = _fd_solve(x, _cell_potential(potential, pieces, x), c_edge, n_states)
        levels.append(FDLevel(1.0 / ratio**2, energies, x, u))
    return levels


def _fd_solve(
    x: np.ndarray, v_node: np.ndarray, c_edge: np.ndarray, n_states: int
) -> tuple[np.ndarray, np.ndarray]:
    """Lowest eigenpairs of  Σ c (u_{i+1} − u_i)²/h + Σ m V u²  vs  Σ m u²  (lumped 3-point
    scheme; c on each mesh interval, so the flux c·ψ' is continuous where c steps at a node).

    Symmetrized with w = √m u the matrix is tridiagonal. Its eigenvalues carry round-off
    ~eps·‖A‖ (‖A‖ ~ 4/h²), so the vectors get one step of inverse iteration (which removes
    their stiff components) and a Rayleigh–Ritz step whose matrices are built from differences:
    E is then exact to round-off for the discrete problem, however fine the mesh.
    """
    h = np.diff(x)
    mass = 0.5 * (h[:-1] + h[1:])
    stiff = c_edge / h
    diagonal = (stiff[:-1] + stiff[1:]) / mass + v_node
    off = -stiff[1:-1] / np.sqrt(mass[:-1] * mass[1:])
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
    stiffness = (slopes * stiff) @ slopes.T + (u[:, 1:-1] * mass * v_node) @ u[:, 1:-1].T
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
    left = potential_values(potential, x[:-1, None] + quarter * (1.0 + nodes))  # [x_i, x_i + h/2]
    right = potential_values(potential, x[1:, None] - quarter * (1.0 - nodes))  # [.., x_{i+1}]
    left_half = (quarter * weights * left).sum(axis=1)
    right_half = (quarter * weights * right).sum(axis=1)
    return (right_half[:-1] + left_half[1:]) / (0.5 * (h[:-1] + h[1:]))


def _base_cells(
    potential: Any, pieces: list[Piece] | None, box: tuple[float, float], n_states: int
) -> int:
    """Coarsest mesh with √((max V − min V + max c (nπ/L)²) / min c) · h ≈ _KH_BASE (a bound of
    max |E_n − V|/c)."""
    length = box[1] - box[0]
    if pieces is not None:
        x = np.array([0.5 * (p[0] + p[1]) for p in pieces])
        values = np.array([p[2] for p in pieces])
    else:
        x = np.linspace(box[0], box[1], 4097)
        values = potential_values(potential, x)
    c = kinetic_values(potential, x)
    spread = float(values.max() - values.min()) + c.max() * (n_states * math.pi / length) ** 2
    spread /= c.min()
    return max(_MIN_BASE_CELLS, math.ceil(math.sqrt(spread) * length / _KH_BASE))


def richardson(t: Sequence[float], values: Sequence[np.ndarray]) -> np.ndarray:
    """Neville extrapolation of values(t) to t = 0 (t = h², so error terms h², h⁴, ... cancel)."""
    table = [np.asarray(v, dtype=float) for v in values]
    for j in range(1, len(t)):
        table = [
            (t[i] * table[i + 1] - t[i + j] * table[i]) / (t[i] - t[i + j])
            for i in range(len(table) - 1)
        ]
    return table[0]


def extrapolated_energies(levels: list[FDLevel]) -> np.ndarray:
    """The Rayleigh quotients of every mesh, Richardson-extrapolated to h = 0."""
    return richardson([lv.t for lv in levels], [lv.energies for lv in levels])
