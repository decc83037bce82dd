"""Singular functions at the cuts of a piecewise-constant V, the features a smooth network
multiplies in the product ansatz (``ansatz.DirichletAnsatz``).

- ramps r = ((x_k − c)_+ / L_k)²: C¹ with a jump of ∂²/∂x_k² across the face x_k = c, as ψ
  has where V jumps across it;
- corners K(X, Y) = XY ln ρ + ½X² atan(Y/X) + ½Y² atan(X/Y), X = (x_k − c_k)/L,
  Y = (x_l − c_l)/L (one length for both, L = max(L_k, L_l), so that ΔK keeps its form),
  ρ² = X² + Y²: C¹, with ΔK = (π/2)·sign(XY) — the part of the
  Newtonian potential of a cell that no C¹ piecewise polynomial has (with the ramps and a
  smooth part it solves Δu = χ of a quadrant), i.e. the r² ln r singularity of ψ where two
  cut lines of a non-separable V cross (every pair of cuts on two axes: vertices in 2D, edge
  lines in 3D); and the next order, U_X = (4/3π)[XK − ρ²g/4 + (π/8)|X|Y|Y|] with
  g = Y ln ρ + X atan(Y/X) (U_Y: X and Y swapped), C¹ with ΔU_X = sign(XY)·X: the
  r³ ln r · sin 3θ, cos 3θ terms that ψ's gradient at the crossing drives, which K times a
  smooth function cannot give (its logarithm always carries the factor XY).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import combinations

import torch
from torch import nn


class CutFeatures(nn.Module):
    """The (N, F) features at points x (N, d): a ramp per cut of every axis, then (with
    ``corners``) the corner functions K, U_X, U_Y per pair of cuts on every pair of axes."""

    def __init__(
        self, bounds: torch.Tensor, cuts: Sequence[Sequence[float]], corners: bool
    ) -> None:
        super().__init__()
        lengths = bounds[:, 1] - bounds[:, 0]
        self.axes = [k for k, axis in enumerate(cuts) for _ in axis]
        self.register_buffer("at", _row([c for axis in cuts for c in axis]))
        self.register_buffer("scale", lengths[self.axes].reshape(1, -1))
        pairs = [
            ((k, ck), (m, cm))
            for k, m in combinations(range(len(cuts)), 2)
            if corners
            for ck in cuts[k]
            for cm in cuts[m]
        ]
        self.pair_axes = ([p[0][0] for p in pairs], [p[1][0] for p in pairs])
        self.register_buffer("pair_at", _row([p[0][1] for p in pairs] + [p[1][1] for p in pairs]))
        common = [max(lengths[k], lengths[m]) for k, m in zip(*self.pair_axes, strict=True)]
        self.register_buffer("pair_scale", _row(common + common))

    @property
    def count(self) -> int:
        return len(self.axes) + CORNER_TERMS * len(self.pair_axes[0])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        ramps = torch.relu(x[:, self.axes] - self.at.to(x)).div(self.scale.to(x)).square()
        if not self.pair_axes[0]:
            return ramps
        both = x[:, self.pair_axes[0] + self.pair_axes[1]] - self.pair_at.to(x)
        local = both / self.pair_scale.to(x)
        half = local.shape[1] // 2
        return torch.cat([ramps, *corner(local[:, :half], local[:, half:])], dim=1)


CORNER_TERMS = 3  # K, U_X, U_Y per crossing


def corner(x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """K, U_X, U_Y (module docstring) at X = x, Y = y, each continued by its limit (0, and a
    zero gradient) where X or Y is 0 exactly."""
    zero_x, zero_y = x == 0, y == 0
    sx, sy = torch.where(zero_x, 1.0, x), torch.where(zero_y, 1.0, y)
    rho2 = x.square() + y.square()
    log_rho = 0.5 * torch.log(torch.where(zero_x & zero_y, 1.0, rho2))
    angle_x = torch.where(zero_x, 0.0, torch.atan(y / sx))
    angle_y = torch.where(zero_y, 0.0, torch.atan(x / sy))
    k = x * y * log_rho + 0.5 * x.square() * angle_x + 0.5 * y.square() * angle_y
    scale = 4.0 / (3.0 * math.pi)
    quarter = 0.125 * math.pi * x.abs() * y.abs()  # (π/8)|X||Y|
    u_x = x * k - 0.25 * rho2 * (y * log_rho + x * angle_x) + quarter * y
    u_y = y * k - 0.25 * rho2 * (x * log_rho + y * angle_y) + quarter * x
    return k, scale * u_x, scale * u_y


def _row(values: list[float]) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64).reshape(1, -1)
