"""The time-dependent problem iψ_t = −c ψ_xx + (V(x, t) + g|ψ|²)ψ on a 1D box, ψ = 0 at the
walls or periodic, from an initial state ψ0 over [0, t_end]; c = 1, g = 0 is the Schrödinger
equation in the units of the eigenproblems (ħ = 1, ħ²/2m = 1)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from qwpinn.errors import ConfigError, finite_number, integer_at_least, one_of
from qwpinn.problems.nls import SechPulse

INITIAL_KINDS = ("gaussian", "states", "sech")
BOUNDARIES = ("dirichlet", "periodic")
StateAt = Callable[[int, np.ndarray], np.ndarray]  # ψ_n(x), n = 1, 2, ...


class GaussianPacket:
    """ψ0(x) = (2πσ²)^(−1/4) exp(−(x − x0)²/(4σ²) + i k0 x): unit norm on the real line."""

    def __init__(self, x0: float, sigma: float, k0: float) -> None:
        self.x0, self.k0 = finite_number("x0", x0), finite_number("k0", k0)
        self.sigma = finite_number("sigma", sigma, "must be a finite number > 0")
        if self.sigma <= 0.0:
            raise ConfigError("sigma", sigma, "must be a finite number > 0")

    def __call__(self, x: Any) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        amplitude = (2.0 * math.pi * self.sigma**2) ** -0.25
        return amplitude * np.exp(-((x - self.x0) ** 2) / (4 * self.sigma**2) + 1j * self.k0 * x)

    def parts(self, x: Any) -> tuple[Any, Any]:
        """(Re ψ0, Im ψ0) of a torch tensor x, differentiable."""
        amplitude = (2.0 * math.pi * self.sigma**2) ** -0.25
        envelope = amplitude * (-((x - self.x0) ** 2) / (4 * self.sigma**2)).exp()
        return envelope * (self.k0 * x).cos(), envelope * (self.k0 * x).sin()

    def free(self, x: Any, t: float) -> np.ndarray:
        """The packet at time t with V = 0 on the whole line (no walls):
        (2πσ²)^(−1/4) s^(−1/2) exp(−(x − x0 − 2k0 t)²/(4σ² s) + i k0 x − i k0² t), s = 1 + it/σ²."""
        x = np.asarray(x, dtype=float)
        s = 1.0 + 1j * t / self.sigma**2
        moved = x - self.x0 - 2.0 * self.k0 * t
        phase = 1j * self.k0 * x - 1j * self.k0**2 * t
        amplitude = (2.0 * math.pi * self.sigma**2) ** -0.25 / np.sqrt(s)
        return amplitude * np.exp(-(moved**2) / (4 * self.sigma**2 * s) + phase)


class Superposition:
    """ψ0 = Σ_n c_n ψ_n / ‖c‖ on the problem's own eigenstates ψ_n (n = 1, 2, ...), which the
    caller supplies (``state_at``: the reference spectrum's ``psi_at``)."""

    def __init__(self, coefficients: Sequence[float], state_at: StateAt) -> None:
        values = [finite_number("coefficients", c) for c in coefficients or ()]
        norm = math.sqrt(sum(c * c for c in values))
        if not values or norm == 0.0:
            raise ConfigError("coefficients", coefficients, "must hold a non-zero coefficient")
        self.coefficients = np.array(values) / norm
        self.state_at = state_at

    def __call__(self, x: Any) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        total = np.zeros(x.shape, dtype=complex)
        for n, c in enumerate(self.coefficients, start=1):
            if c:
                total += c * self.state_at(n, x)
        return total


@dataclass(frozen=True)
class Evolution:
    """iψ_t = −``kinetic`` ψ_xx + (V(x, t) + ``cubic`` |ψ|²)ψ on ``potential``'s box over
    [0, ``t_end``] from ``initial``, ``boundary`` dirichlet (ψ = 0 at the walls) or periodic,
    output on ``n_times`` uniform times (0 and t_end included)."""

    potential: Any
    initial: Callable[[np.ndarray], np.ndarray]
    t_end: float
    n_times: int
    boundary: str
    kinetic: float
    cubic: float

    @property
    def times(self) -> np.ndarray:
        return np.linspace(0.0, self.t_end, self.n_times)

    @property
    def time_dependent(self) -> bool:
        return bool(getattr(self.potential, "time_dependent", False))

    def v(self, x: np.ndarray, t: float) -> np.ndarray:
        """V(x, t) at x values (N,): V(x) for a static potential."""
        if self.time_dependent:
            return np.asarray(self.potential.v_at(x, t), dtype=float)
        return np.asarray(self.potential(x), dtype=float)

    def v_eff(self, x: np.ndarray, t: float, psi: np.ndarray) -> np.ndarray:
        """V(x, t) + g|ψ|² at x values (N,) where the state is ψ (N,)."""
        return self.v(x, t) + self.cubic * np.abs(psi) ** 2


def initial_state(
    kind: str,
    x0: float,
    sigma: float,
    k0: float,
    amplitude: float,
    coefficients: Sequence[float],
    state_at: StateAt | None,
) -> Callable[[np.ndarray], np.ndarray]:
    """ψ0 of ``kind`` (``gaussian``: x0, sigma, k0; ``sech``: amplitude, x0, k0; ``states``:
    coefficients)."""
    one_of("initial", kind, INITIAL_KINDS)
    if kind == "gaussian":
        return GaussianPacket(x0, sigma, k0)
    if kind == "sech":
        return SechPulse(amplitude, x0, k0)
    assert state_at is not None
    return Superposition(coefficients, state_at)


def evolution_problem(
    potential: Any,
    initial: Any,
    t_end: float,
    n_times: int,
    *,
    boundary: str = "dirichlet",
    kinetic: float = 1.0,
    cubic: float = 0.0,
) -> Evolution:
    """The problem, with t_end > 0, n_times ≥ 11, c > 0 checked, and a kinetic coefficient other
    than 1 or a cubic term only with periodic walls (the Dirichlet references are the linear
    c = 1 ones); one ConfigError line each. The keywords' defaults are the Schrödinger equation."""
    t_end = finite_number("t_end", t_end, "must be a finite number > 0")
    if t_end <= 0.0:
        raise ConfigError("t_end", t_end, "must be a finite number > 0")
    integer_at_least("n_times", n_times, 11)
    one_of("boundary", boundary, BOUNDARIES)
    kinetic = finite_number("kinetic", kinetic, "must be a finite number > 0")
    if kinetic <= 0.0:
        raise ConfigError("kinetic", kinetic, "must be a finite number > 0")
    cubic = finite_number("cubic", cubic)
    if boundary == "dirichlet" and (kinetic != 1.0 or cubic != 0.0):
        key, value = ("kinetic", kinetic) if kinetic != 1.0 else ("cubic", cubic)
        raise ConfigError(key, value, "needs boundary=periodic (Dirichlet: c = 1, g = 0)")
    return Evolution(potential, initial, t_end, int(n_times), boundary, kinetic, cubic)
