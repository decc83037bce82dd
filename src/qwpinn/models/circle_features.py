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


class CircleRamps(nn.Module):
    """The features at points x (N, d) of the circles (c, R) of ``circles``, for each circle
    in this order: the monomials m = (X_1 … X_d, X_jX_k for j ≤ k), ρ, then ρ·m (2M + 1
    columns, M = d + d(d + 1)/2); ``length`` is L."""

    def __init__(
        self, circles: Sequence[tuple[Sequence[float], float]], length: float, dim: int
    ) -> None:
        super().__init__()
        centres = [[float(v) for v in centre] for centre, _ in circles]
        shape = (len(circles), dim)
        self.register_buffer("centres", torch.tensor(centres, dtype=torch.float64).reshape(shape))
        radii = [float(radius) for _, radius in circles]
        self.register_buffer("radii", torch.tensor(radii, dtype=torch.float64).reshape(1, -1))
        self.length = float(length)
        self.pairs = [(j, k) for j in range(dim) for k in range(j, dim)]

    @property
    def count(self) -> int:
        circles, dim = self.centres.shape
        return circles * (2 * (dim + len(self.pairs)) + 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        offsets = (x.unsqueeze(1) - self.centres.to(x).unsqueeze(0)) / self.length  # (N, C, d)
        squared, radii = offsets.square().sum(dim=2), self.radii.to(x) / self.length
        r = torch.where(squared > radii.square(), squared, radii.square()).sqrt()  # R inside
        ramp = (r - radii).square()
        products = [offsets[:, :, j] * offsets[:, :, k] for j, k in self.pairs]
        monomials = torch.cat([offsets, torch.stack(products, dim=2)], dim=2)  # (N, C, M)
        columns = [monomials, ramp.unsqueeze(2), ramp.unsqueeze(2) * monomials]
        return torch.cat(columns, dim=2).flatten(1)
