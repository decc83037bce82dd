"""Neural Galerkin's parts against closed forms: the energy basis of a sine net's tangent space
is a Rayleigh–Ritz of H (the well's levels (nπ)²), and the output layer's march follows the
exact eigenbasis expansion of a moving packet with its norm kept."""

from __future__ import annotations

import numpy as np
import torch
from scipy.integrate import DOP853

from qwpinn.methods.galerkin import GalerkinState
from qwpinn.methods.galerkin_energy import EnergyBasis
from qwpinn.methods.galerkin_features import FeatureGalerkin
from qwpinn.methods.galerkin_fit import fit_initial
from qwpinn.models.ansatz import DirichletAnsatz
from qwpinn.models.nets import SineNet
from qwpinn.numerics.grading import linear_maps
from qwpinn.numerics.quadrature import Quadrature
from qwpinn.problems.evolution import GaussianPacket


def sine_state(width: int, bandwidth: float) -> GalerkinState:
    torch.manual_seed(0)
    rule = Quadrature.on_maps(linear_maps([0.0, 1.0]), 24, 8)
    ansatz = DirichletAnsatz(SineNet(width, bandwidth, rule.nodes.shape[0], 1, 2), [0.0, 1.0])
    return GalerkinState(ansatz, rule.nodes, rule.weights, lambda x, t, psi: 0.0 * x, 1.0, 1e-9)


def test_the_energy_basis_of_the_output_layer_holds_the_levels_of_the_well() -> None:
    """V = 0 on [0, 1]: the lowest E_j are (nπ)², each twice (ψ_n and iψ_n), from above."""
    state = sine_state(32, 24.0)
    tangent = state.tangent(state.theta, state.output)
    energies = EnergyBasis.of(tangent, state.w, 0.0 * state.w, 1.0, state.rcond, 0.0).energies
    exact = np.repeat((np.pi * np.arange(1, 4)) ** 2, 2)
    assert np.all(energies[:6] >= exact * (1 - 1e-12))
    assert np.allclose(energies[:6], exact, rtol=1e-6)


def test_the_output_layer_march_follows_a_moving_packet_and_keeps_its_norm() -> None:
    """k0 = 40 packet in the unit well to t = 0.002 against Σ c_n e^{−i(nπ)²t} √2 sin(nπx)."""
    state = sine_state(64, 60.0)
    packet = GaussianPacket(0.4, 0.05, 40.0)
    assert fit_initial(state, packet(state.x), 20, 1e-7) < 1e-7
    features = FeatureGalerkin(state, state.theta, 100.0)
    start = features.coefficients(state.theta)
    solver = DOP853(features.velocity, 0.0, start, 0.002, rtol=1e-9, atol=1e-11)
    while solver.status == "running":
        solver.step()
    fine = Quadrature.on_maps(linear_maps([0.0, 1.0]), 64, 16)
    x, w = fine.nodes.reshape(-1), fine.weights.reshape(-1)
    n = np.arange(1, 201)
    modes = np.sqrt(2.0) * np.sin(np.pi * np.outer(n, x))
    exact = (modes @ (w * packet(x)) * np.exp(-1j * (np.pi * n) ** 2 * 0.002)) @ modes
    psi = state.psi(features.theta(solver.y), x)
    assert np.sqrt(np.sum(w * np.abs(psi - exact) ** 2)) < 1e-6
    assert abs(np.sum(w * np.abs(psi) ** 2) - np.sum(w * np.abs(exact) ** 2)) < 1e-10
