"""The problem H ψ = −∇·(c∇ψ) + Vψ = Eψ in a box Ω ⊂ R^d with ψ = 0 on its walls: the base
class every potential derives from (the box, V(x) and c(x) at points of shape (N, d))."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from qwpinn.errors import one_of
from qwpinn.problems.box import AXES, Box

ENERGY_MODES = ("trainable", "fixed")
MEAN_NODES = {1: 200, 2: 128, 3: 32}  # Gauss–Legendre nodes per axis of mean()


class Potential:
    """H = −∇·(c∇ψ) + Vψ on a box (``dim`` = d = 1, 2, 3) with Dirichlet walls.

    Units ħ²/2m0 = 1: c = m0/m*, 1 for the dimensionless problems. ``energy='fixed'`` holds E
    at its initial value (the infinite well of the paper), ``'trainable'`` makes E a parameter.
    A subclass defines V by :meth:`v_of` (and a non-uniform c by :meth:`c_of` and ``c_min``).

    1D only: ``pieces`` is the list of (x0, x1, V) for piecewise-constant V (exact reference
    roots), None otherwise; ``quadrature_panels`` is how many Gauss–Legendre panels each smooth
    stretch of V gets, between the ``quadrature_cuts``.

    d > 1: ``constant_on_cells`` says that V is constant on every cell of the quadrature that
    ``numerics.quadrature.problem_rules`` builds for it (a grid's cells between its cuts, a
    disk's elements on either side of its circle), so ψ is smooth inside each.
    """

    name = "potential"
    unit = "dimensionless"  # the unit of E and V in results
    length_unit = "dimensionless"  # the unit of x
    pieces: list[tuple[float, float, float]] | None = None
    quadrature_panels = 1
    smoothing = 0.0
    constant_on_cells = False

    def __init__(self, box: Sequence[Any] | Box, energy: str) -> None:
        self.domain = Box.parse(box)
        self.energy_mode = one_of("energy", energy, ENERGY_MODES)

    @property
    def dim(self) -> int:
        return self.domain.dim

    @property
    def bounds(self) -> np.ndarray:
        """[[a1, b1], ..., [ad, bd]]: (d, 2), read-only."""
        return self.domain.bounds

    @property
    def lengths(self) -> np.ndarray:
        return self.domain.lengths

    @property
    def box(self) -> tuple[float, float]:
        """(a, b) of a 1D box; AttributeError for d > 1 (use ``bounds``)."""
        if self.dim != 1:
            raise AttributeError(f"a {self.dim}D problem has no interval box: use bounds")
        return self.domain.interval

    @property
    def length(self) -> float:
        """b − a of a 1D box."""
        return self.box[1] - self.box[0]

    @property
    def energy_trainable(self) -> bool:
        return self.energy_mode == "trainable"

    @property
    def breakpoints(self) -> list[float]:
        """Interior points where V jumps (or, smoothed, the centre of each step)."""
        return []

    @property
    def quadrature_cuts(self) -> list[float]:
        """Interior points where the quadrature is split: V is smooth between them."""
        return self.breakpoints

    def sharp(self) -> Potential:
        """The same problem without smoothing (itself when V is not a smoothed step)."""
        return self

    def __call__(self, x: Any) -> Any:
        """V at points: torch (N, d) → (N, 1), numpy (N, d) → (N,); for d = 1 any other array
        or number holds x values and V is taken elementwise (numpy (N,) → (N,))."""
        return at_points(self.v_of, x, self.dim)

    def kinetic(self, x: Any) -> Any:
        """c at points, shaped as V is by ``__call__``."""
        return at_points(self.c_of, x, self.dim)

    def v_of(self, *coords: Any) -> Any:  # pragma: no cover - every subclass defines V
        """V(x, y, z) from the coordinate columns (numpy arrays or torch tensors)."""
        raise NotImplementedError

    def c_of(self, *coords: Any) -> Any:
        """c(x, y, z) from the coordinate columns: 1 here (dimensionless problems)."""
        return 0.0 * coords[0] + 1.0

    @property
    def c_min(self) -> float:
        """min of c over the box (1 here): the floor of the kinetic energy scales with it."""
        return 1.0

    def mean(self) -> float:
        """⟨V⟩ = (1/|Ω|) ∫_Ω V on a tensor-product Gauss–Legendre rule (MEAN_NODES per axis)."""
        points, weights = self.domain.mean_rule(MEAN_NODES[self.dim])
        return float(np.sum(weights * self(points)))

    def empty_box_level(self) -> float:
        """c_min · Σ_k π²/L_k²: the ground level of the empty box, so E[ψ] ≥ this + min V for
        every ψ vanishing on the walls."""
        return self.c_min * sum((math.pi / float(length)) ** 2 for length in self.lengths)

    def default_energy_init(self) -> float:
        """Problem-only guess for E: the lowest level of the empty box plus the mean of V.

        c_min Σ π²/L_k² + ⟨V⟩ — exact for the infinite well, never read from a reference solver.
        """
        return self.empty_box_level() + self.mean()


def at_points(f: Callable[..., Any], x: Any, dim: int) -> Any:
    """f(x, y, z) at points: columns of a torch (..., d) tensor kept 2D, so (N, d) → (N, 1); of
    a numpy (..., d) array as (N,), so (N, d) → (N,); d = 1 takes any other x elementwise."""
    if isinstance(x, np.ndarray):
        if x.ndim >= 2 and x.shape[-1] == dim:
            return f(*(x[..., k] for k in range(dim)))
    elif hasattr(x, "shape") and len(x.shape) >= 2 and x.shape[-1] == dim:
        return f(*(x[..., k : k + 1] for k in range(dim)))
    if dim == 1:
        return f(x)
    shape = tuple(getattr(x, "shape", ()))
    raise ValueError(f"points must be (N, {dim}) with columns {', '.join(AXES[:dim])}: {shape}")
