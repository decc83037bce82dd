"""The features at a circle where V jumps, for the product ansatz (``ansatz.DirichletAnsatz``).

Across the circle |x − c| = R an eigenfunction is C¹ and its Δψ jumps by (V_out − V_in)ψ, all
of it in ∂²ψ/∂r²: ψ = ψ_in + H(r − R)(r − R)² g with ψ_in and g smooth. The ramp

    ρ(x) = ((r − R)_+ / L)²,   r = |x − c|,

(L the longest side of the box) times a smooth network output spans that second term: ρ is C¹
with ∂²ρ/∂r² jumping from 0 to 2/L² on the circle, and smooth on either side of it.

With it come the monomials of the offsets X = (x − c)/L of degree 1 and 2 (X_k, X_jX_k), alone
and times ρ. The untrained net (tanh, zero biases) gives odd functions of its input about the
box centre, so about a disk there its output layer alone spans odd functions and constants: X_k
times them gives the even functions (the ground state; the default disk's exact layer went
from 36 % to 2e-8), X_jX_k more odd ones (the pair above it: from 2e-6 to 2e-8).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from qwpinn.models.monomials import OffsetMonomials


class CircleRamps(nn.Module):
    """The features at points x (N, d) of the circles (c, R) of ``circles``, for each circle
    in this order: the monomials m of X of degree 1 and 2 (``monomials.OffsetMonomials``), ρ,
    then ρ·m (2M + 1 columns, M = d + d(d + 1)/2); ``length`` is L."""

    def __init__(
        self, circles: Sequence[tuple[Sequence[float], float]], length: float, dim: int
    ) -> None:
        super().__init__()
        centres = [[float(v) for v in centre] for centre, _ in circles]
        scales = [[float(length)] * dim for _ in circles]
        self.monomials = OffsetMonomials(centres, scales, 2, dim)
        radii = [float(radius) for _, radius in circles]
        self.register_buffer("radii", torch.tensor(radii, dtype=torch.float64).reshape(1, -1))
        self.length = float(length)

    @property
    def count(self) -> int:
        circles, monomials = self.radii.shape[1], len(self.monomials.exponents)
        return circles * (2 * monomials + 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        offsets = self.monomials.offsets(x)  # (N, C, d)
        squared, radii = offsets.square().sum(dim=2), self.radii.to(x) / self.length
        r = torch.where(squared > radii.square(), squared, radii.square()).sqrt()  # R inside
        ramp = (r - radii).square()
        monomials = self.monomials.of_offsets(offsets)  # (N, C, M)
        columns = [monomials, ramp.unsqueeze(2), ramp.unsqueeze(2) * monomials]
        return torch.cat(columns, dim=2).flatten(1)
