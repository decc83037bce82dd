"""The reference spectrum in d = 2, 3: levels with their measured accuracy, the degenerate groups,
and ψ at points (N, d) (an orthonormal basis of each degenerate eigenspace)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qwpinn.errors import ConfigError
from qwpinn.reference.checks import level

DEGENERATE = 1e-8  # levels within this (relative) of each other form one degenerate group
StateEvaluator = Callable[[int, np.ndarray], np.ndarray]


@dataclass(frozen=True, eq=False)
class NDSpectrum:
    """Lowest levels of −Δψ + Vψ = Eψ in a d-dimensional box, ψ = 0 on its walls.

    ``energies`` ascending; it holds every level of the last degenerate group it reaches, so
    it may be longer than the levels asked for. ``accuracy``: the measured relative error of
    each energy. ``degeneracy[n − 1]``: the indices into ``energies`` (0-based: ψ_{k+1}) of
    level n's degenerate group, itself included.
    ``method``: ``"separable"`` or ``"spectral_element"``.
    """

    energies: np.ndarray
    accuracy: np.ndarray
    degeneracy: list[list[int]]
    method: str
    dim: int
    _evaluate: StateEvaluator = field(repr=False)

    @property
    def n_states(self) -> int:
        return len(self.energies)

    def psi_at(self, n: int, points: Any) -> np.ndarray:
        """ψ_n (n = 1: ground state) at ``points`` (N, d) → (N,), ∫ψ² = 1; 0 on the walls.
        Within a degenerate group the ψ_n are an orthonormal basis of the eigenspace."""
        n = level("n", n, self.n_states)
        points = np.asarray(points, dtype=float)
        if points.ndim != 2 or points.shape[1] != self.dim:
            raise ConfigError("points", points.shape, f"must be (N, {self.dim})")
        return self._evaluate(n, points)


def degenerate_groups(energies: np.ndarray) -> list[list[int]]:
    """For each level the 0-based indices of its group: neighbours within 1e-8 (relative)."""
    groups: list[list[int]] = []
    for n, energy in enumerate(energies):
        if groups and abs(energy - energies[groups[-1][-1]]) <= DEGENERATE * abs(energy):
            groups[-1].append(n)
        else:
            groups.append([n])
    return [group for group in groups for _ in group]


def through_last_group(energies: np.ndarray, n_states: int) -> int:
    """How many levels reach the end of level ``n_states``'s degenerate group."""
    last = energies[n_states - 1]
    close = np.abs(energies - last) <= DEGENERATE * abs(last)
    return max(n_states, int(np.flatnonzero(close).max()) + 1)


def frozen(*arrays: np.ndarray) -> None:
    for array in arrays:
        array.setflags(write=False)
