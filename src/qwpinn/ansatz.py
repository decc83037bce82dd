"""Trial wavefunctions with exact Dirichlet zeros at the box walls."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


class DirichletAnsatz(nn.Module):
    """ψ(x) = 4(x−a)(b−x)/L² · N(x̂),  x̂ = (2x − a − b)/L ∈ [−1, 1].

    ψ(a) = ψ(b) = 0 hold exactly for any network N, so no boundary loss is needed.
    """

    def __init__(self, net: nn.Module, box: Sequence[float]) -> None:
        super().__init__()
        self.net = net
        self.a, self.b = float(box[0]), float(box[1])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        length = self.b - self.a
        envelope = 4.0 * (x - self.a) * (self.b - x) / length**2
        return envelope * self.net((2.0 * x - self.a - self.b) / length)
