"""Architectures: ``nn.Module`` maps x (N×d) to N×out. No physics in here.

- ``MLP``: fully connected, smooth activation, Xavier init.
- ``FourierMLP``: random Fourier features γ(x) = [cos 2πBx, sin 2πBx], B ~ N(0, σ²), then an MLP
  (Tancik et al. 2020; Wang, Wang & Perdikaris 2021).
- ``ModifiedMLP``: U = φ(XW₁+b₁), V = φ(XW₂+b₂); each hidden layer H ← Z⊙U + (1−Z)⊙V with
  Z = φ(HW+b); linear output (Wang, Teng & Perdikaris 2021).
- ``GaussianMLP``: physics-informed Gaussians (Kang et al. 2024): a feature embedding
  FE(x) = Σᵢ fᵢ exp(−(x−μᵢ)²/2σᵢ²) with trainable centres μᵢ, widths σᵢ and feature vectors
  fᵢ, followed by a small MLP.
- ``SineNet``: one hidden layer, N(x) = Σ_j W_j sin(ω_j x + φ_j) + b, the frequencies ω_j
  evenly spread over (0, bandwidth] and trained: a trainable Fourier series.
Fourier bands and Gaussian widths are bounded by the quadrature that integrates the net
(``nodes``): features finer than the rule resolves let the optimizer alias it.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from qwpinn.errors import ConfigError, finite_number, integer_at_least, one_of

ACTIVATIONS = ("tanh", "sin", "silu", "gelu", "softplus")
FOURIER_NODES_PER_SIGMA = 320.0  # σ ≤ nodes/320: the untrained net's E[ψ] exact to 1e-12
GAUSSIAN_WIDTH_NODES = 32.0  # σ ≥ 32/nodes: likewise
SINE_NODES_PER_OMEGA = 16.0  # ω ≤ nodes/16: finite well and barrier ground states to 5e-12


class Sine(nn.Module):
    """σ(z) = sin(z)."""

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.sin(z)


class _Hidden(nn.Module):
    """A net of ``depth`` hidden layers of ``width`` units; subclasses ``build`` the layers."""

    def __init__(
        self,
        width: int,
        depth: int,
        activation: str,
        in_features: int,
        out_features: int,
    ) -> None:
        super().__init__()
        _check_sizes(width=width, depth=depth)
        self.build(width, depth, activation, in_features, out_features)

    def build(self, width: int, depth: int, activation: str, size_in: int, size_out: int) -> None:
        raise NotImplementedError


class MLP(_Hidden):
    """Fully connected net: depth hidden layers of `width` units, smooth activation, Xavier init."""

    def build(
        self, width: int, depth: int, activation: str, in_features: int, out_features: int
    ) -> None:
        layers: list[nn.Module] = []
        size = in_features
        for _ in range(depth):
            layers += [_linear(size, width), activation_module(activation)]
            size = width
        layers.append(_linear(size, out_features))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


class FourierMLP(nn.Module):
    """MLP on random Fourier features γ(x) = [cos 2πBx, sin 2πBx], B (features×d) ~ N(0, σ²).

    B is a buffer (fixed, saved in checkpoints), drawn from torch's seeded generator. σ is
    tied to the ``nodes`` of the Gauss–Legendre rule that integrates the net over its input
    range [−1, 1]: σ ≤ nodes/FOURIER_NODES_PER_SIGMA (null: that bound), where the rule still
    integrates the untrained net's E[ψ] to 1e-12; a wider band aliases the rule.
    """

    def __init__(
        self,
        width: int,
        depth: int,
        activation: str,
        features: int,
        sigma: float | None,
        nodes: int,
        in_features: int,
        out_features: int,
    ) -> None:
        super().__init__()
        _check_sizes(features=features, nodes=nodes)
        bound = nodes / FOURIER_NODES_PER_SIGMA
        sigma = bound if sigma is None else _positive("sigma", sigma)
        if sigma > bound * (1.0 + 1e-12):
            need = math.ceil(sigma * FOURIER_NODES_PER_SIGMA)
            raise ConfigError(
                "sigma",
                sigma,
                f"must be <= {bound:.3g} with {nodes} quadrature nodes "
                f"(finer features alias the rule): lower it or set quadrature_nodes={need}",
            )
        self.register_buffer("frequencies", sigma * torch.randn(features, in_features))
        self.mlp = MLP(width, depth, activation, 2 * features, out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        phase = 2.0 * math.pi * x @ self.frequencies.T.to(x.dtype)
        return self.mlp(torch.cat([torch.cos(phase), torch.sin(phase)], dim=1))


class ModifiedMLP(_Hidden):
    """Wang–Teng–Perdikaris modified MLP: two encoders U, V gate every hidden layer,
    H₁ = φ(XW₀+b₀),  H_{k+1} = Z_k⊙U + (1−Z_k)⊙V with Z_k = φ(H_k W_k + b_k),  f = H W + b."""

    def build(
        self, width: int, depth: int, activation: str, in_features: int, out_features: int
    ) -> None:
        self.phi = activation_module(activation)
        self.encoder_u, self.encoder_v = _linear(in_features, width), _linear(in_features, width)
        self.first = _linear(in_features, width)
        self.gates = nn.ModuleList(_linear(width, width) for _ in range(depth - 1))
        self.out = _linear(width, out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        u, v = self.phi(self.encoder_u(x)), self.phi(self.encoder_v(x))
        h = self.phi(self.first(x))
        for gate in self.gates:
            z = self.phi(gate(h))
            h = z * u + (1.0 - z) * v
        return self.out(h)


class GaussianMLP(nn.Module):
    """Physics-informed Gaussians: FE(x) = Σᵢ fᵢ exp(−|x−μᵢ|²/2σᵢ²) ∈ R^k, then a small MLP.

    Centres start evenly spread over the input range [−1, 1], feature vectors fᵢ ~ N(0, 1);
    all are trained. Widths σᵢ = σ_min + softplus(ρᵢ) never fall below σ_min =
    GAUSSIAN_WIDTH_NODES / ``nodes`` (the Gauss–Legendre nodes that integrate the net over
    [−1, 1]; narrower Gaussians alias the rule) and start at ``sigma`` (null: the larger of
    the centres' spacing and 2σ_min).
    """

    def __init__(
        self,
        gaussians: int,
        feature_dim: int,
        sigma: float | None,
        width: int,
        depth: int,
        activation: str,
        nodes: int,
        in_features: int,
        out_features: int,
    ) -> None:
        super().__init__()
        _check_sizes(gaussians=gaussians, feature_dim=feature_dim, nodes=nodes)
        spacing = 2.0 / gaussians
        self.min_width = GAUSSIAN_WIDTH_NODES / nodes
        sigma = max(spacing, 2.0 * self.min_width) if sigma is None else _positive("sigma", sigma)
        if sigma <= self.min_width:
            raise ConfigError(
                "sigma",
                sigma,
                f"must be > {self.min_width:.3g} with {nodes} quadrature nodes "
                "(narrower Gaussians alias the rule): widen it or raise quadrature_nodes",
            )
        centres = torch.linspace(-1.0 + spacing / 2, 1.0 - spacing / 2, gaussians)
        self.centres = nn.Parameter(centres.reshape(-1, 1).repeat(1, in_features))
        excess = torch.tensor(sigma - self.min_width)
        self.width_excess = nn.Parameter(torch.full((gaussians, 1), excess.expm1().log().item()))
        self.features = nn.Parameter(torch.randn(gaussians, feature_dim))
        self.mlp = MLP(width, depth, activation, feature_dim, out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        sigma = self.min_width + nn.functional.softplus(self.width_excess.T)
        distance2 = (x.unsqueeze(1) - self.centres).square().sum(dim=2)  # N×G
        weights = torch.exp(-0.5 * distance2 / sigma.square())
        return self.mlp(weights @ self.features)


class SineNet(nn.Module):
    """N(x) = W sin(ω x + φ) + b: ``width`` units, |ω_j| = bandwidth·j/width (j = 1 … width) on
    the input range [−1, 1] (with several inputs along random unit directions), phases φ_j
    uniform on [0, 2π); both from torch's seeded generator. All
    trainable; the output layer is linear (its last ``nn.Linear``). ``bandwidth`` null: tied to
    the ``nodes`` of the rule that integrates the net, nodes/SINE_NODES_PER_OMEGA."""

    def __init__(
        self,
        width: int,
        bandwidth: float | None,
        nodes: int,
        in_features: int,
        out_features: int,
    ) -> None:
        super().__init__()
        _check_sizes(width=width, nodes=nodes)
        if bandwidth is None:
            bandwidth = nodes / SINE_NODES_PER_OMEGA
        bandwidth = _positive("bandwidth", bandwidth)
        self.hidden = nn.Linear(in_features, width)
        steps = torch.arange(1, width + 1, dtype=torch.float32) / width
        directions = torch.ones(width, 1) if in_features == 1 else torch.randn(width, in_features)
        directions = directions / directions.norm(dim=1, keepdim=True)
        with torch.no_grad():
            self.hidden.weight.copy_(bandwidth * steps.reshape(-1, 1) * directions)
            self.hidden.bias.uniform_(0.0, 2.0 * math.pi)
        self.out = _linear(width, out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(torch.sin(self.hidden(x)))


def activation_module(name: str) -> nn.Module:
    """The activation φ by name."""
    modules = {
        "tanh": nn.Tanh,
        "sin": Sine,
        "silu": nn.SiLU,
        "gelu": nn.GELU,
        "softplus": nn.Softplus,
    }
    return modules[one_of("activation", name, ACTIVATIONS)]()


def _linear(size_in: int, size_out: int) -> nn.Linear:
    """Linear layer with Xavier-normal weights and zero bias."""
    layer = nn.Linear(size_in, size_out)
    nn.init.xavier_normal_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


def _check_sizes(**sizes: int) -> None:
    for key, value in sizes.items():
        integer_at_least(key, value)


def _positive(key: str, value: float) -> float:
    number = finite_number(key, value, "must be a finite number > 0")
    if number <= 0.0:
        raise ConfigError(key, value, "must be a finite number > 0")
    return number
