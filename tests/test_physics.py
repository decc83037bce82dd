from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from qwpinn.methods.energy import norm_squared, rayleigh_quotient, residual
from qwpinn.numerics.derivatives import derivatives
from qwpinn.numerics.quadrature import gauss_legendre


def sine_state(n: int):
    return lambda x: math.sqrt(2.0) * torch.sin(n * math.pi * x)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_residual_of_exact_infinite_well_state_vanishes(n):
    x = torch.linspace(0, 1, 201, dtype=torch.float64).reshape(-1, 1)
    psi, _, d2psi = derivatives(sine_state(n), x, order=2, create_graph=False)
    level = torch.tensor(n**2 * math.pi**2, dtype=x.dtype)
    r = residual(psi, d2psi, torch.zeros_like(x), level, 1.0)
    assert r.abs().max().item() < 1e-10
    assert residual(psi, d2psi, torch.zeros_like(x), 1.1 * level, 1.0).abs().max().item() > 1.0
    # −(cψ')' = Eψ with c = 2: the level doubles
    assert residual(psi, d2psi, torch.zeros_like(x), 2.0 * level, 2.0).abs().max().item() < 1e-10


@pytest.mark.parametrize("n", [1, 2, 4])
def test_rayleigh_quotient_and_norm_of_sine(n):
    nodes, weights = gauss_legendre([0, 1], [0.3], 48)
    x, w = torch.tensor(nodes).reshape(-1, 1), torch.tensor(weights).reshape(-1, 1)
    psi, dpsi = derivatives(sine_state(n), x, order=1, create_graph=False)
    assert norm_squared(psi, w).item() == pytest.approx(1.0, rel=1e-13)
    energy = rayleigh_quotient(3.0 * psi, 3.0 * dpsi, torch.zeros_like(x), w).item()
    assert energy == pytest.approx(n**2 * math.pi**2, rel=1e-12)


def test_gauss_legendre_is_split_at_breakpoints():
    nodes, weights = gauss_legendre([0, 1], [0.25, 0.75], 4)
    assert len(nodes) == 12 and weights.sum() == pytest.approx(1.0)
    step = np.where((nodes > 0.25) & (nodes < 0.75), 0.0, 100.0)
    assert (weights * step).sum() == pytest.approx(50.0, rel=1e-14)  # exact for a step
    assert (weights * nodes**7).sum() == pytest.approx(1 / 8, rel=1e-14)
