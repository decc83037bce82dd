"""The trial ψ on a wide barrier piece that ends at a wall: the exact decay with a trainable rate.

On a piece of constant V − E = cκ² between an interface at distance d = 0 and the wall at
d = h, every solution with ψ(h) = 0 is u·S(d), S = sinh(κ(h − d))/sinh(κh). The piece's trial
function is

    ψ = u·S(d) + (s + σuκ coth κh)·B(d) [+ e^{−κd}·16t²(1 − t)²·N(2t − 1)],
    B = σd·e^{−κd}(1 − d/h),

u and s (= ψ' at the interface, σ = dd/dx = ±1) shared with the neighbouring piece, so ψ and
ψ' stay continuous and ψ(wall) = 0 for any κ, N: at the level's κ the eigenfunction is u·S
exactly, whatever the width h (a box 1000 times the well). The net N only where V is not
constant on the piece (a layer tilted by a field): on a constant piece it would only trade
with κ (a flat valley: a 1000× box's level 2 stalled at 2e-9 with it, 1.8e-11 without).
κ = κ_max·|z|, z trainable, κ_max = 1/ℓ the grading's rate (``grading.PieceMap``). Where V is
constant on the piece, ``follow(E)`` sets κ = √((V − E)/c) for the current level E: a fixed
point that the level's own κ satisfies (a trainable z alone can settle where a wrong κ and the
slope term trade: a 10 nm GaAs well between 30 nm barriers stopped at 4e-7, z = 0.76 for
0.91).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from qwpinn.numerics.grading import PieceMap

MIN_RATE = 1e-3  # κ/κ_max below which κ is held (S → 1 − d/h; coth κh is finite)


class WallDecay(nn.Module):
    """ψ on one graded wall piece (module docstring); ``rate`` z₀ = κ₀/κ_max at the start;
    ``kinetic`` c and ``barrier`` V on the piece (None where V is not constant there)."""

    def __init__(self, piece: PieceMap, rate: float, kinetic: float, barrier: float | None) -> None:
        super().__init__()
        if piece.scale is None:
            raise ValueError("a wall decay needs a graded piece")
        self.piece, self.kinetic, self.barrier = piece, float(kinetic), barrier
        self.sign = 1.0 if piece.anchor == "left" else -1.0  # σ = dd/dx
        self.rate = nn.Parameter(torch.tensor(float(rate)))

    def kappa(self) -> torch.Tensor:
        """κ = κ_max·|z|, held at or above MIN_RATE·κ_max."""
        return self.rate.abs().clamp_min(MIN_RATE) / self.piece.scale

    @torch.no_grad()
    def follow(self, energy: float) -> bool:
        """z = √((V − E)/c)·ℓ for a level E below a constant V (else z stays); whether z
        moved."""
        if self.barrier is None or energy >= self.barrier:
            return False
        self.rate.fill_(math.sqrt((self.barrier - energy) / self.kinetic) * self.piece.scale)
        return True

    @torch.no_grad()
    def matching(self, value: torch.Tensor) -> torch.Tensor:
        """σuκ coth κh: the slope term's coefficient is s + this (ψ' of u·S is −this)."""
        kappa = self.kappa().to(value.dtype)
        return self.sign * value * kappa / torch.tanh(kappa * self.piece.width)

    def forward(
        self,
        x: torch.Tensor,
        t: torch.Tensor,
        value: torch.Tensor,
        slope: torch.Tensor,
        bubble: torch.Tensor | None,
    ) -> torch.Tensor:
        """ψ at x (t = X⁻¹(x)) from the interface value u, its slope s and N(2t − 1) (None:
        no net)."""
        piece = self.piece
        d = x - piece.left if self.sign > 0 else piece.right - x
        h = piece.width
        kappa = self.kappa().to(x.dtype)
        decay = torch.exp(-kappa * d)
        # sinh(κ(h − d))/sinh(κh) = e^{−κd}·(1 − e^{−2κ(h − d)})/(1 − e^{−2κh}), no overflow
        shape = decay * torch.expm1(-2.0 * kappa * (h - d)) / torch.expm1(-2.0 * kappa * h)
        coth = 1.0 / torch.tanh(kappa * h)
        ramp = self.sign * d * decay * (1.0 - d / h)
        free = slope + self.sign * value * kappa * coth
        psi = value * shape + free * ramp
        if bubble is None:
            return psi
        return psi + decay * 16.0 * (t * (1.0 - t)).square() * bubble


def start_rate(piece: PieceMap, kinetic: float, energy: float) -> float:
    """z₀ = κ₀/κ_max for a level ``energy`` above V's floor (c κ_max² = V − floor on the
    piece): √(1 − E ℓ²/c), at least 1/2 (a level near the top still decays)."""
    return math.sqrt(max(1.0 - energy * piece.scale**2 / kinetic, 0.25))
