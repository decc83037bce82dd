"""A Gaussian weight from the harmonic approximation of a smooth V at its minimum.

Near its minimum m a smooth V is V(m) + Σ_k ½V_kk (x_k − m_k)² + …, whose ground state is

    G(x) = exp(−½ Σ_k (x_k − m_k)²/ℓ_k²),   ℓ_k = (c(m) / (½ V_kk(m)))^{1/4},

and every state of that oscillator is a polynomial times G. A net under G only has to give
the slowly varying factor: ψ = envelope · G · N(x̂). On an axis where the curvature is not
positive or ℓ_k is not shorter than the box (V too weak to confine ψ) G is 1 there; where
V has a second well (ψ not confined near m) there is no G.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

SAMPLES_PER_AXIS = {2: 257, 3: 65}  # the grid on which the minimum of V is sought
CURVATURE_STEP = 1e-4  # central-difference step for V_kk, as a fraction of the box length
SINGLE_WELL_RADIUS = 3.0  # beyond 3ℓ from m, V must rise above V(m) + Σ_k √(c·½V_kk)
HIDDEN_BIAS_STD = 1.0  # hidden biases of the net under G: N(0, 1), so its features are not all
# odd about the box centre (zero biases and tanh: an odd net plus a constant)


class GaussianWeight(nn.Module):
    """G(x) = exp(−½ Σ_k (x_k − m_k)²/ℓ_k²) at points x (N, d); ℓ_k = inf: no factor on axis k."""

    def __init__(self, centre: np.ndarray, lengths: np.ndarray) -> None:
        super().__init__()
        as_row = {"dtype": torch.float64}
        self.register_buffer("centre", torch.as_tensor(centre, **as_row).reshape(1, -1))
        self.register_buffer("lengths", torch.as_tensor(lengths, **as_row).reshape(1, -1))
        self.register_buffer("precision", 1.0 / self.lengths**2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        offset = x - self.centre.to(x.dtype)
        return torch.exp(-0.5 * (self.precision.to(x.dtype) * offset**2).sum(dim=1, keepdim=True))


def harmonic_weight(potential: Any) -> GaussianWeight | None:
    """G of ``potential``'s harmonic approximation at its minimum: the lowest V on a grid of
    the box, moved by one Newton step m_k − V_k/V_kk on each confining axis (exact for a
    quadratic V). None when no axis confines (every ℓ_k ≥ L_k), or when V comes down to the
    harmonic zero-point energy anywhere beyond SINGLE_WELL_RADIUS·ℓ of m (another well)."""
    bounds = np.asarray(potential.bounds, dtype=float)
    dim = len(bounds)
    axes = [np.linspace(a, b, SAMPLES_PER_AXIS[dim])[1:-1] for a, b in bounds]
    grid = np.stack([g.reshape(-1) for g in np.meshgrid(*axes, indexing="ij")], axis=1)
    centre = grid[np.argmin(potential(grid).reshape(-1))]
    slopes, half_curvatures = _derivatives(potential, centre, bounds)
    confining = half_curvatures > 0.0
    centre = np.where(
        confining, centre - 0.5 * slopes / np.where(confining, half_curvatures, 1.0), centre
    )
    centre = np.clip(centre, bounds[:, 0], bounds[:, 1])
    _, half_curvatures = _derivatives(potential, centre, bounds)
    c = float(np.asarray(potential.kinetic(centre[None, :])).reshape(-1)[0])
    lengths = np.full(dim, np.inf)
    for k, (a, b) in enumerate(bounds):
        if half_curvatures[k] > 0.0 and (c / half_curvatures[k]) ** 0.25 < b - a:
            lengths[k] = (c / half_curvatures[k]) ** 0.25
    if np.all(np.isinf(lengths)):
        return None
    away = (((grid - centre) / lengths) ** 2).sum(axis=1) > SINGLE_WELL_RADIUS**2
    zero_point = np.sqrt(c * half_curvatures[np.isfinite(lengths)]).sum()
    rise = np.asarray(potential(grid[away])).reshape(-1) - potential(centre[None, :]).item()
    if rise.size and rise.min() <= zero_point:  # another well: ψ is not confined near m
        return None
    return GaussianWeight(centre, lengths)


def _derivatives(potential: Any, centre: np.ndarray, bounds: np.ndarray) -> tuple[Any, Any]:
    """V_k and ½V_kk at ``centre`` by central differences (step CURVATURE_STEP·L_k)."""
    dim = len(bounds)
    steps = CURVATURE_STEP * (bounds[:, 1] - bounds[:, 0])
    shifts = np.eye(dim) * steps[:, None]
    low = np.asarray(potential(centre - shifts)).reshape(-1)
    high = np.asarray(potential(centre + shifts)).reshape(-1)
    mid = float(np.asarray(potential(centre[None, :])).reshape(-1)[0])
    return (high - low) / (2.0 * steps), 0.5 * (low - 2.0 * mid + high) / steps**2


def spread_hidden_biases(net: nn.Module) -> None:
    """Draw the biases of every Linear layer of ``net`` but its last from N(0, HIDDEN_BIAS_STD²)."""
    linears = [m for m in net.modules() if isinstance(m, nn.Linear)]
    for layer in linears[:-1]:
        nn.init.normal_(layer.bias, std=HIDDEN_BIAS_STD)
