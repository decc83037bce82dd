"""Separable V = Σ_k V_k(x_k): E = Σ_k E^(k)_{n_k} and ψ = Π_k ψ^(k)_{n_k}(x_k) from the 1D
reference of each axis (exact roots for piecewise-constant V_k, Richardson FD otherwise)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

from qwpinn.reference.checks import pieces_of
from qwpinn.reference.finite_difference import extrapolated_energies, fd_levels
from qwpinn.reference.nd_spectrum import (
    DEGENERATE,
    NDSpectrum,
    degenerate_groups,
    frozen,
    through_last_group,
)

EXACT_ROOT_ERROR = 4 * np.finfo(float).eps  # relative error of a bracketed Prüfer root


def separable_spectrum(
    potential: Any, factors: list[Any], n_states: int, solve_1d: Callable[[Any, int], Any]
) -> NDSpectrum:
    """The lowest sums Σ_k E^(k)_{n_k}, each axis solved by ``solve_1d`` (the 1D reference)
    with enough levels that no sum up to the end of level ``n_states``'s group is missed."""
    counts = [n_states + 1] * len(factors)
    while True:
        axes = [
            _axis_levels(solve_1d(factor, count), factor)
            for factor, count in zip(factors, counts, strict=True)
        ]
        combos, sums, errors = _sums(axes)
        total = through_last_group(sums, n_states)
        ceiling = sums[total - 1] + DEGENERATE * abs(sums[total - 1])
        floors = sum(energies[0] for energies, _, _ in axes)
        short = [
            k
            for k, (energies, _, _) in enumerate(axes)
            if floors - energies[0] + energies[-1] <= ceiling
        ]
        if not short:
            break
        for k in short:
            counts[k] *= 2
    energies, errors, combos = sums[:total], errors[:total], combos[:total]
    accuracy = errors / np.maximum(np.abs(energies), np.finfo(float).tiny)
    frozen(energies, accuracy)
    states = [spectrum for _, _, spectrum in axes]
    return NDSpectrum(
        energies,
        accuracy,
        degenerate_groups(energies),
        "separable",
        potential.dim,
        _ProductStates(states, combos),
    )


def _axis_levels(spectrum: Any, factor: Any) -> tuple[np.ndarray, np.ndarray, Any]:
    """One axis's 1D reference ``spectrum``: its levels, their absolute error, the spectrum.

    Exact roots are good to a few ulps; Richardson FD's error is measured as the change of
    the extrapolation when the finest mesh is left out."""
    count = len(spectrum.energies)
    energies = np.asarray(spectrum.energies)
    if spectrum.method == "exact":
        return energies, EXACT_ROOT_ERROR * np.abs(energies), spectrum
    levels = fd_levels(factor, pieces_of(factor), factor.box, count, None)
    change = extrapolated_energies(levels) - extrapolated_energies(levels[:-1])
    return energies, np.abs(change), spectrum


def _sums(axes: list[tuple[np.ndarray, np.ndarray, Any]]) -> tuple[list, np.ndarray, np.ndarray]:
    """Every combination (n_1, ..., n_d) (1-based) with Σ E and Σ error, sorted by Σ E."""
    combos = list(itertools.product(*(range(1, len(e) + 1) for e, _, _ in axes)))
    sums = np.array([sum(axes[k][0][n - 1] for k, n in enumerate(c)) for c in combos])
    errors = np.array([sum(axes[k][1][n - 1] for k, n in enumerate(c)) for c in combos])
    order = np.argsort(sums, kind="stable")
    return [combos[i] for i in order], sums[order], errors[order]


class _ProductStates:
    """ψ_n(x) = Π_k ψ^(k)_{n_k}(x_k): distinct index tuples, so orthonormal in any group."""

    def __init__(self, spectra: list[Any], combos: list[tuple[int, ...]]) -> None:
        self.spectra, self.combos = spectra, combos

    def __call__(self, n: int, points: np.ndarray) -> np.ndarray:
        values = np.ones(len(points))
        for axis, (spectrum, index) in enumerate(
            zip(self.spectra, self.combos[n - 1], strict=True)
        ):
            values = values * spectrum.psi_at(index, points[:, axis])
        return values
