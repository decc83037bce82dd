"""A potential and an architecture defined outside the package, reached through ``_target_``."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from qwpinn.problems import Potential


class CosineWell(Potential):
    """V(x) = depth·(1 − cos(2π(x − a)/L)) / 2 on the box: smooth, so the reference is finite
    differences."""

    name = "cosine_well"
    quadrature_panels = 4

    def __init__(self, box: list[float], depth: float, energy: str = "trainable") -> None:
        super().__init__(box, energy)
        self.depth = float(depth)

    def v_of(self, x):
        a, length = self.box[0], self.length
        cos = torch.cos if torch.is_tensor(x) else np.cos
        return self.depth * (1.0 - cos(2.0 * np.pi * (x - a) / length)) / 2.0


class SinePerceptron(nn.Module):
    """ψ-net N(x) = W₂ sin(W₁x + b₁) + b₂: one hidden layer of sines."""

    def __init__(self, width: int, out_features: int = 1, in_features: int = 1) -> None:
        super().__init__()
        self.hidden = nn.Linear(in_features, width)
        self.out = nn.Linear(width, out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(torch.sin(self.hidden(x)))
