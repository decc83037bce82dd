"""The reference spectrum: ``Spectrum`` (levels, sampled ψ, ψ at any x) and ``solve``, which picks
the exact solver for piecewise-constant V and finite differences otherwise."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.interpolate import CubicSpline

from qwpinn.errors import ConfigError
from qwpinn.reference.checks import box_of, level, pieces_of, positive_int
from qwpinn.reference.exact import exact_energies, exact_states
from qwpinn.reference.fd_states import fd_states
from qwpinn.reference.finite_difference import extrapolated_energies, fd_levels
from qwpinn.reference.nd_solve import solve_nd
from qwpinn.reference.nd_spectrum import NDSpectrum
from qwpinn.reference.sampling import output_grid

METHODS = ("auto", "exact", "finite_difference")
Evaluator = Callable[[int, np.ndarray], np.ndarray]


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
        n = level("n", n, self.n_states)
        points = np.asarray(x, dtype=float)
        if self._evaluate is not None:
            return self._evaluate(n, points)
        values = CubicSpline(self.x, self.psi[n - 1])(points.ravel()).reshape(points.shape)
        return np.where((points > self.x[0]) & (points < self.x[-1]), values, 0.0)


def solve(
    potential: Any, n_states: int = 1, grid_points: int = 2001, method: str = "auto"
) -> Spectrum | NDSpectrum:
    """The ``n_states`` lowest levels of  -ψ'' + V ψ = E ψ  in ``potential.box``, Dirichlet walls.

    d > 1 (``potential.dim``): ``nd_solve.solve_nd`` (methods ``auto``, ``separable``,
    ``spectral_element``), an ``NDSpectrum`` with ψ at points (N, d); ``grid_points`` is 1D only.

    ``method="auto"`` is ``"exact"`` when the potential has ``pieces`` (piecewise constant) and
    ``"finite_difference"`` otherwise. ψ is sampled on ``grid_points`` uniform points plus the
    jumps of V (a jump within 1e-9·L of a uniform point replaces it).
    """
    n_states = positive_int("n_states", n_states)
    if getattr(potential, "dim", 1) > 1:
        return solve_nd(potential, n_states, method, solve)
    grid_points = positive_int("grid_points", grid_points, minimum=2)
    if method not in METHODS:
        raise ConfigError("method", method, f"must be one of {', '.join(METHODS)}")
    pieces = pieces_of(potential)
    if method == "exact" and pieces is None:
        raise ConfigError(
            "method",
            method,
            "'exact' needs a piecewise-constant potential (with .pieces); "
            "use 'auto' or 'finite_difference'",
        )
    if method == "auto":
        method = "exact" if pieces is not None else "finite_difference"
    box = box_of(potential, pieces)
    breaks = [p[0] for p in pieces[1:]] if pieces is not None else []
    x = output_grid(box, grid_points, breaks)
    states: list[Any]
    if method == "exact":
        energies = exact_energies(pieces, n_states)
        states = exact_states(pieces, energies)
    else:
        levels = fd_levels(potential, pieces, box, n_states, None)
        energies = extrapolated_energies(levels)
        states = fd_states(levels, box, breaks)
    for state in states:
        state.fix_sign(x)
    psi = np.vstack([state(x) for state in states])
    energies, x = np.asarray(energies, dtype=float), np.asarray(x, dtype=float)
    for array in (energies, x, psi):
        array.setflags(write=False)
    return Spectrum(energies, x, psi, method, _Evaluate(states))


class _Evaluate:
    """ψ_n(x) for ``Spectrum.psi_at``: the exact or spline states, 1-based."""

    def __init__(self, states: list[Any]) -> None:
        self.states = states

    def __call__(self, n: int, x: np.ndarray) -> np.ndarray:
        return self.states[n - 1](x)
