"""Classic d-dimensional problems of −Δψ + Vψ = Eψ with known spectra: the empty box and the
oscillator (separable: V = Σ_k V_k(x_k)), and the disk well."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from qwpinn.errors import ConfigError, finite_number, integer_at_least
from qwpinn.problems.base import Potential
from qwpinn.problems.box import Box
from qwpinn.problems.potentials import Expression, InfiniteWell

OSCILLATOR_FORMULA = "omega**2*(x-c)**2"


class EmptyBox(Potential):
    """V = 0 in the box: E = Σ_k n_k²π²/L_k², ψ = Π_k √(2/L_k) sin(n_k π (x_k − a_k)/L_k).
    In d > 1 its quadrature has ``panels`` panels per axis, cells of constant V."""

    name = "empty_box"

    def __init__(self, box: Sequence[Any] | Box, energy: str, panels: int) -> None:
        super().__init__(box, energy)
        self.constant_on_cells = self.dim > 1
        if self.dim > 1:
            self.quadrature_panels = integer_at_least("panels", panels)
        if self.dim == 1:  # the 1D reference's exact roots, as for infinite_well
            self.pieces = [(*self.domain.interval, 0.0)]

    def v_of(self, *coords: Any) -> Any:
        return 0.0 * coords[0]

    def factors(self) -> list[Potential]:
        """One infinite well per axis: V = Σ_k 0."""
        return [InfiniteWell(row.tolist(), self.energy_mode) for row in self.bounds]


class Oscillator(Potential):
    """V = Σ_k ω_k² (x_k − c_k)²: on the whole space E = Σ_k ω_k (2 n_k + 1); in the box each
    axis is the 1D oscillator between its walls (``factors``). ``omega`` and ``centre`` are one
    number (isotropic, on the box centre for ``centre: null``) or one per axis."""

    name = "oscillator"

    def __init__(
        self,
        box: Sequence[Any] | Box,
        omega: Any,
        centre: Any,
        energy: str,
        panels: int,
        name: str,
    ) -> None:
        super().__init__(box, energy)
        self.name = str(name)
        self.omega = _per_axis("omega", omega, self.dim)
        if np.any(self.omega <= 0.0):
            raise ConfigError("omega", omega, "every ω must be > 0")
        middle = self.bounds.mean(axis=1)
        self.centre = middle if centre is None else _per_axis("centre", centre, self.dim)
        self.quadrature_panels = integer_at_least("panels", panels)

    def v_of(self, *coords: Any) -> Any:
        return sum(
            w**2 * (x - c) ** 2 for x, w, c in zip(coords, self.omega, self.centre, strict=True)
        )

    def factors(self) -> list[Potential]:
        """The 1D oscillator ω_k²(x − c_k)² on each axis's interval."""
        return [
            Expression(
                row.tolist(),
                OSCILLATOR_FORMULA,
                {"omega": float(w), "c": float(c)},
                self.energy_mode,
                self.quadrature_panels,
                f"{self.name}_{axis}",
            )
            for axis, (row, w, c) in enumerate(
                zip(self.bounds, self.omega, self.centre, strict=True)
            )
        ]

    def line_levels(self, count: int) -> np.ndarray:
        """The ``count`` lowest Σ_k ω_k (2 n_k + 1) (whole space, no walls), ascending."""
        single = [w * (2 * np.arange(count) + 1) for w in self.omega]
        sums = np.zeros(())
        for levels in single:
            sums = np.add.outer(sums, levels)
        return np.sort(sums.ravel())[:count]


class DiskWell(Potential):
    """V = 0 inside the disk |x − c| < R, V = v0 outside it, in a 2D box."""

    name = "disk"
    constant_on_cells = True  # the quadrature's elements follow the circle

    def __init__(
        self, box: Sequence[Any] | Box, centre: Any, radius: float, v0: float, energy: str
    ) -> None:
        super().__init__(box, energy)
        if self.dim != 2:
            raise ConfigError("box", self.domain.tolist(), "a disk needs a 2D box [[a, b], [c, d]]")
        self.centre = _per_axis("centre", centre, self.dim)
        self.radius = finite_number("radius", radius)
        self.v0 = finite_number("v0", v0)
        low, high = self.centre - self.radius, self.centre + self.radius
        if (
            self.radius <= 0.0
            or np.any(low <= self.bounds[:, 0])
            or np.any(high >= self.bounds[:, 1])
        ):
            raise ConfigError(
                "radius",
                radius,
                f"the disk (centre {self.centre.tolist()}) must be > 0 and lie inside the box "
                f"{self.domain.tolist()}",
            )

    @property
    def disk(self) -> tuple[np.ndarray, float, float, float]:
        """(centre, radius, V inside, V outside): the reference's elements follow the circle."""
        return self.centre, self.radius, 0.0, self.v0

    def v_of(self, *coords: Any) -> Any:
        squared = sum((x - c) ** 2 for x, c in zip(coords, self.centre, strict=True))
        return self.v0 * (squared >= self.radius**2)


def _per_axis(key: str, value: Any, dim: int) -> np.ndarray:
    """One number per axis from a number or a list of d numbers, or one ConfigError line."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        return np.full(dim, finite_number(key, value))
    if len(value) != dim:
        raise ConfigError(key, value, f"must be one number or {dim} numbers (one per axis)")
    return np.array([finite_number(key, v) for v in value])
