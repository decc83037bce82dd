"""The features at a circle where V jumps, for the product ansatz (``ansatz.DirichletAnsatz``).

Across the circle |x − c| = R an eigenfunction is C¹ and its Δψ jumps by (V_out − V_in)ψ, all
of it in ∂²ψ/∂r²: ψ = ψ_in + H(r − R)(r − R)² g with ψ_in and g smooth. The ramp

    ρ(x) = ((r − R)_+ / L)²,   r = |x − c|,

(L the longest side of the box) times a smooth network output spans that second term: ρ is C¹
with ∂²ρ/∂r² jumping from 0 to 2/L² on the circle, and smooth on either side of it.

With them come the offsets X_k = (x_k − c_k)/L and ρX_k: the untrained net (tanh, zero biases)
gives odd functions of its input x̂ about the box centre, so on a disk at the centre its output
layer alone spans odd functions and constants, and the ground state is even; X_k times those
odd functions gives the even ones (on the default disk the exact output layer went from 36 %
to 3e-9 with them).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


class CircleRamps(nn.Module):
    """The (N, C(2d + 1)) features at points x (N, d) of the circles (c_k, R_k) of ``circles``:
    the offsets X (C·d), the ramps ρ (C), then ρX (C·d); ``length`` is L."""

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

    @property
    def count(self) -> int:
        circles, dim = self.centres.shape
        return circles * (2 * dim + 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        offsets = (x.unsqueeze(1) - self.centres.to(x).unsqueeze(0)) / self.length  # (N, C, d)
        squared, radii = offsets.square().sum(dim=2), self.radii.to(x) / self.length
        r = torch.where(squared > radii.square(), squared, radii.square()).sqrt()  # R inside
        ramp = (r - radii).square()
        moments = ramp.unsqueeze(2) * offsets
        return torch.cat([offsets.flatten(1), ramp, moments.flatten(1)], dim=1)
