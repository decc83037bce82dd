"""Trial functions periodic on [a, b]: the network sees x only through the embedding

    e(x) = (cos 2πk(x − a)/L, sin 2πk(x − a)/L),  k = 1..K,

so ψ and every derivative are L-periodic exactly (no walls, no penalty)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from qwpinn.errors import integer_at_least


def periodic_features(x: torch.Tensor, a: float, length: float, harmonics: int) -> torch.Tensor:
    """e(x) (N, 2K) of a column x (N, 1)."""
    k = torch.arange(1, harmonics + 1, dtype=x.dtype, device=x.device)
    phase = (2.0 * math.pi / length) * (x - a) * k
    return torch.cat([phase.cos(), phase.sin()], dim=1)


class PeriodicAnsatz(nn.Module):
    """ψ(x) = N(e(x)): ``net`` maps the 2·``harmonics`` features to its outputs."""

    pointwise = True  # ψ at a point depends on that point alone: per-node Jacobians by vmap

    def __init__(self, net: nn.Module, box: Sequence[float], harmonics: int) -> None:
        super().__init__()
        self.net = net
        self.a, self.length = float(box[0]), float(box[1]) - float(box[0])
        self.harmonics = integer_at_least("harmonics", harmonics)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(periodic_features(x, self.a, self.length, self.harmonics))
