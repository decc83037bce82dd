"""Architectures: ``nn.Module`` maps x (N×d) to N×1. No physics in here."""

from __future__ import annotations

import torch
from torch import nn

from qwpinn.errors import ConfigError, one_of

ACTIVATIONS = ("tanh", "sin", "silu", "gelu", "softplus")


class Sine(nn.Module):
    """σ(z) = sin(z)."""

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.sin(z)


class MLP(nn.Module):
    """Fully connected net: depth hidden layers of `width` units, smooth activation, Xavier init."""

    def __init__(
        self,
        width: int = 32,
        depth: int = 3,
        activation: str = "tanh",
        in_features: int = 1,
        out_features: int = 1,
    ) -> None:
        super().__init__()
        one_of("activation", activation, ACTIVATIONS)
        for key, value in (("width", width), ("depth", depth)):
            if not isinstance(value, int) or value < 1:
                raise ConfigError(key, value, "must be an integer >= 1")
        layers: list[nn.Module] = []
        size = in_features
        for _ in range(depth):
            layers += [nn.Linear(size, width), _activation(activation)]
            size = width
        layers.append(nn.Linear(size, out_features))
        self.layers = nn.Sequential(*layers)
        for layer in self.layers:
            if isinstance(layer, nn.Linear):
                nn.init.xavier_normal_(layer.weight)
                nn.init.zeros_(layer.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


def _activation(name: str) -> nn.Module:
    modules = {
        "tanh": nn.Tanh,
        "sin": Sine,
        "silu": nn.SiLU,
        "gelu": nn.GELU,
        "softplus": nn.Softplus,
    }
    return modules[name]()
