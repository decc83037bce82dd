"""Piece coordinates that follow the problem's length scales, and the quadrature built on them.

Each piece [x_l, x_r] of the box has a monotone map x = X(t), t ∈ [0, 1]. It is linear,
X = x_l + h·t, unless the piece is a barrier that touches a wall and spans many decay
lengths: there a bound state decays from the inner end like exp(−κd) (d the distance from
that end, κ ≤ κ_max = √(V − min V)), and t is graded,

    d = ℓ(e^{Λt} − 1),   ℓ = 1/κ_max,   Λ = ln(1 + h/ℓ),

so exp(−κd) is a smooth function of t for every κ up to κ_max (the deepest state decays
over t ≈ 1/Λ, a state near the top of the barrier over all of it), and a Gauss–Legendre rule
in t puts its nodes where ψ lives: the wide-box and high-barrier limits cost no more nodes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from qwpinn.errors import ConfigError

GRADE_AT = 12.0  # κ_max·h at and above which a wall piece is graded: ψ falls by e⁻¹² over it
PANELS_PER_DECADE = 1.0  # Gauss–Legendre panels per ln(10) of Λ on a graded piece
MAX_CONTRAST = 1e6  # highest (V − min V) / E_span measured to reach the exact levels


@dataclass(frozen=True)
class PieceMap:
    """x = X(t) on [left, right]; ``scale`` ℓ > 0 grades it from the ``anchor`` end
    ("left" or "right"), None keeps it linear."""

    left: float
    right: float
    scale: float | None = None
    anchor: str = "left"

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def rate(self) -> float:
        """Λ = ln(1 + h/ℓ) (0 for a linear map)."""
        return 0.0 if self.scale is None else math.log1p(self.width / self.scale)

    def x(self, t: np.ndarray) -> np.ndarray:
        """X(t)."""
        if self.scale is None:
            return self.left + self.width * t
        if self.anchor == "left":
            return self.left + self.scale * np.expm1(self.rate * t)
        return self.right - self.scale * np.expm1(self.rate * (1.0 - t))

    def dx_dt(self, t: np.ndarray) -> np.ndarray:
        """X'(t) > 0."""
        if self.scale is None:
            return np.full_like(np.asarray(t, dtype=float), self.width)
        s = t if self.anchor == "left" else 1.0 - t
        return self.scale * self.rate * np.exp(self.rate * s)

    def t(self, x: torch.Tensor) -> torch.Tensor:
        """t = X⁻¹(x), differentiable in x."""
        if self.scale is None:
            return (x - self.left) / self.width
        if self.anchor == "left":
            return torch.log1p((x - self.left) / self.scale) / self.rate
        return 1.0 - torch.log1p((self.right - x) / self.scale) / self.rate

    @property
    def panels(self) -> int:
        """Extra Gauss–Legendre panels a graded piece needs: one per decade of Λ."""
        return 1 + int(self.rate / (PANELS_PER_DECADE * math.log(10.0)))


def domain_maps(potential: Any) -> list[PieceMap]:
    """The pieces of the domain ansatz: one per constant piece of V (graded where a wall piece
    spans κ_max·h ≥ GRADE_AT), else linear between the jumps of V."""
    if getattr(potential, "pieces", None):
        return _graded(potential.pieces)
    return linear_maps([potential.box[0], *potential.breakpoints, potential.box[1]])


def quadrature_maps(potential: Any) -> list[PieceMap]:
    """The panels of the quadrature: the domain ansatz's pieces for a piecewise-constant V,
    else linear between the quadrature cuts (V is smooth between them)."""
    if getattr(potential, "pieces", None):
        return _graded(potential.pieces)
    return linear_maps([potential.box[0], *potential.quadrature_cuts, potential.box[1]])


def axis_maps(potential: Any) -> list[list[PieceMap]]:
    """The panels of the quadrature along each axis: ``quadrature_maps`` in 1D; in d dims,
    linear between the walls and the axis' ``cuts`` (where V jumps; none for a smooth V)."""
    if potential.dim == 1:
        return [quadrature_maps(potential)]
    cuts = axis_cuts(potential)
    return [linear_maps([a, *c, b]) for (a, b), c in zip(potential.bounds, cuts, strict=True)]


def axis_cuts(potential: Any) -> list[list[float]]:
    """The interior cuts of each axis, where V jumps: a d-dim potential's ``cuts`` (1D: the
    breakpoints), else none."""
    if potential.dim == 1:
        return [list(potential.breakpoints)]
    cuts = getattr(potential, "cuts", None)
    if cuts is None:
        return [[] for _ in range(potential.dim)]
    return [[float(c) for c in axis] for axis in cuts]


def linear_maps(cuts: Sequence[float]) -> list[PieceMap]:
    """Linear maps between consecutive cuts (the walls included)."""
    return [PieceMap(lo, hi) for lo, hi in zip(cuts[:-1], cuts[1:], strict=False)]


def _graded(pieces: Sequence[tuple[float, float, float]]) -> list[PieceMap]:
    """Linear maps, but a wall piece of κ_max·h ≥ GRADE_AT graded from its inner end."""
    floor = min(v for _, _, v in pieces)
    maps = []
    for i, (lo, hi, v) in enumerate(pieces):
        kappa = math.sqrt(v - floor)
        at_wall = (i == 0) != (i == len(pieces) - 1)  # one wall, one interface
        if at_wall and kappa * (hi - lo) >= GRADE_AT:
            maps.append(PieceMap(lo, hi, 1.0 / kappa, "right" if i == 0 else "left"))
        else:
            maps.append(PieceMap(lo, hi))
    return maps


def check_contrast(potential: Any) -> None:
    """Refuse, before training, a piecewise-constant V whose highest step exceeds MAX_CONTRAST
    times E_span = π²/L², L the span of the pieces that are not graded (the well's own ground
    level): beyond it the levels are the infinite-wall ones to the accuracy we can reach."""
    pieces = getattr(potential, "pieces", None)
    if not pieces:
        return
    maps = _graded(pieces)
    linear = [m for m in maps if m.scale is None] or maps
    span = linear[-1].right - linear[0].left
    floor = min(v for _, _, v in pieces)
    contrast = max(v - floor for _, _, v in pieces) * (span / math.pi) ** 2
    if contrast > MAX_CONTRAST:
        key = "v0" if hasattr(potential, "v0") else "pieces"
        value = getattr(potential, key)
        limit = MAX_CONTRAST * (math.pi / span) ** 2
        wall = [linear[0].left, linear[-1].right]
        raise ConfigError(
            key,
            value,
            f"steps above {limit:.3g} (1e6 × the ground level π²/L² of {wall}) are out of range; "
            f"for the infinite-wall limit use potential=infinite_well potential.box={wall}",
        )
