"""The cubic Schrödinger (NLS) pieces against the exact bright soliton ψ = sech(x) e^{it/2} of
iψ_t + ½ψ_xx + |ψ|²ψ = 0: the split-step reference, and the Galerkin force with c and g|ψ|²;
the Raissi benchmark's run dir from the space–time PINN."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from qwpinn.methods.galerkin import GalerkinState
from qwpinn.numerics.grading import linear_maps
from qwpinn.numerics.quadrature import Quadrature
from qwpinn.pipeline.run import run
from qwpinn.problems.classics import EmptyBox
from qwpinn.problems.evolution import evolution_problem
from qwpinn.problems.nls import SechPulse, bright_soliton
from qwpinn.reference.split_step import split_step


def soliton_problem(t_end: float) -> object:
    """sech x on [−20, 20] (the periodic wrap 4e-9 from the line), c = ½, g = −1."""
    box = EmptyBox([-20.0, 20.0], "fixed", 1)
    return evolution_problem(
        box, SechPulse(1.0, 0.0, 0.0), t_end, 11, boundary="periodic", kinetic=0.5, cubic=-1.0
    )


def test_split_step_follows_the_bright_soliton() -> None:
    """The phase e^{it/2} over t ∈ [0, 2] to 1e-7 (the box's own error is 4e-9), and the
    reference's error estimate (change against 2N modes, Δt/2) bounds nothing larger."""
    evolution = soliton_problem(2.0)
    reference = split_step(evolution, 256, 4)
    x = np.linspace(-20.0, 20.0, 401)
    exact = np.array([bright_soliton(x, t) for t in evolution.times])
    assert np.abs(reference.at(x) - exact).max() < 1e-7
    assert reference.accuracy < 1e-7 and reference.truncation < 1e-9


def test_split_step_reports_the_tail_of_a_non_periodic_start() -> None:
    """2 sech x on [−5, 5]: ψ' jumps by 0.054 at the wrap, so its Fourier tail decays as
    k^(−2) and the reported truncation falls as N^(−3/2) (8× per 4× modes)."""
    box = EmptyBox([-5.0, 5.0], "fixed", 1)
    evolution = evolution_problem(
        box, SechPulse(2.0, 0.0, 0.0), 0.1, 11, boundary="periodic", kinetic=0.5, cubic=-1.0
    )
    coarse, fine = (split_step(evolution, n, 2).truncation for n in (128, 512))
    assert 1e-6 < fine < coarse and 6.0 < coarse / fine < 10.0


class Soliton(nn.Module):
    """ψ = e^r sech(x) (cos φ, sin φ): the tangent space holds ψ and iψ exactly."""

    pointwise = True

    def __init__(self) -> None:
        super().__init__()
        self.r = nn.Parameter(torch.zeros(()))
        self.phi = nn.Parameter(torch.zeros(()))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        envelope = self.r.exp() / x.cosh()
        return torch.cat([envelope * self.phi.cos(), envelope * self.phi.sin()], dim=1)


def test_galerkin_force_turns_the_soliton_phase_at_one_half() -> None:
    """Hψ = −½ψ'' − |ψ|²ψ = −½ψ for ψ = sech x: θ̇ = (ṙ, φ̇) = (0, ½); a missing c or g|ψ|²
    term changes φ̇."""
    evolution = soliton_problem(1.0)
    rule = Quadrature.on_maps(linear_maps([-20.0, 20.0]), 24, 8)
    state = GalerkinState(
        Soliton(), rule.nodes, rule.weights, evolution.v_eff, evolution.kinetic, 1e-12, 0.0
    )
    assert np.allclose(state.velocity(0.0, state.theta), [0.0, 0.5], atol=1e-9)


def test_spacetime_runs_the_raissi_benchmark_with_h0_built_in_and_periodic(make_config):
    """experiment=nls_raissi, method=spacetime for three Adam steps: ψ(0, x) = 2 sech x
    exactly, ψ(t, −5) = ψ(t, 5) (the embedding), |h|'s error beside the published one."""
    overrides = (
        "experiment=nls_raissi",
        "method=spacetime",
        "arch=mlp",
        "method.adam_steps=3",
        "method.lbfgs_steps=0",
        "method.n_points=64",
        "arch.width=4",
        "arch.depth=1",
        "evolve.reference.modes=64",
        "evolve.reference.steps=2",
        "evolve.n_x=33",
        "~logger",
    )
    cfg = make_config(*overrides)
    results = run(cfg, overrides=list(overrides))
    evolution = results["evolution"]
    assert evolution["modulus_l2_error_published"] == 1.97e-3
    assert 0.0 < evolution["modulus_l2_error"] <= evolution["l2_error"]
    assert evolution["reference"]["method"] == "split_step"
    data = np.load(Path(cfg.paths.output_dir) / "evolution.npz")
    assert data["psi"].shape == (21, 33) and data["t"][-1] == pytest.approx(np.pi / 2)
    assert np.abs(data["psi"][0] - 2.0 / np.cosh(data["x"])).max() < 1e-12
    assert np.abs(data["psi"][:, 0] - data["psi"][:, -1]).max() < 1e-12
