"""The reference in d = 2, 3: exact sums of 1D levels for separable V, spectral elements for
any other V."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qwpinn.errors import ConfigError
from qwpinn.reference.disk_elements import disk_spectrum
from qwpinn.reference.nd_spectrum import NDSpectrum
from qwpinn.reference.separable import separable_spectrum
from qwpinn.reference.spectral_elements import spectral_element_spectrum

ND_METHODS = ("auto", "separable", "spectral_element")


def solve_nd(
    potential: Any, n_states: int, method: str, solve_1d: Callable[[Any, int], Any]
) -> NDSpectrum:
    """The ``n_states`` lowest levels of −Δψ + Vψ = Eψ in ``potential.bounds`` (d > 1);
    ``solve_1d(factor, count)`` is the 1D reference of a separable V's factors.

    ``method="auto"`` is ``"separable"`` when ``potential.factors()`` gives one 1D potential
    per axis (V = Σ_k V_k(x_k)) and ``"spectral_element"`` otherwise: on a tensor mesh with
    faces on the cuts of V, or, for a disk well (``potential.disk``), on curved elements
    whose faces follow its circle."""
    if method not in ND_METHODS:
        raise ConfigError("method", method, f"must be one of {', '.join(ND_METHODS)} for d > 1")
    factors = potential.factors() if hasattr(potential, "factors") else None
    if method == "separable" and factors is None:
        raise ConfigError(
            "method", method, "needs a separable potential (with factors()); use 'auto'"
        )
    if hasattr(potential, "disk"):
        return disk_spectrum(potential, n_states)
    if method == "spectral_element" or factors is None:
        return spectral_element_spectrum(potential, n_states)
    return separable_spectrum(potential, factors, n_states, solve_1d)
