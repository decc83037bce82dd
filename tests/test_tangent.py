"""TangentRitz: Rayleigh–Ritz steps in the tangent space, checked against a direct Ritz solve
and the exact reference."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.linalg
import torch
from test_module import fit, make_module
from torch import nn

from conftest import configured, network, tangent_phase, tangent_ritz
from qwpinn import reference
from qwpinn.errors import ConfigError, DivergedError
from qwpinn.lightning.callbacks import NanInjection
from qwpinn.methods.eigen import EigenState
from qwpinn.methods.energy import Nodal
from qwpinn.models.ansatz import DomainAnsatz
from qwpinn.numerics.blocks import compress_columns
from qwpinn.numerics.derivatives import derivatives
from qwpinn.numerics.grading import domain_maps
from qwpinn.numerics.quadrature import gauss_legendre, problem_rules
from qwpinn.optim.tangent import TangentRitz, jacobian_rows
from qwpinn.problems import FiniteWell


class LinearCombination(nn.Module):
    """ψ(x) = Σ_k θ_k x(1 − x) P_k(2x − 1): linear in θ, so its tangent space is the basis."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.theta = nn.Parameter(torch.zeros(size, dtype=torch.float64))
        with torch.no_grad():
            self.theta[0] = 1.0

    def basis(self, x: torch.Tensor) -> torch.Tensor:
        t = 2.0 * x - 1.0
        columns = [torch.ones_like(t), t]
        for k in range(1, self.theta.shape[0] - 1):
            columns.append(((2 * k + 1) * t * columns[-1] - k * columns[-2]) / (k + 1))
        return x * (1.0 - x) * torch.cat(columns[: self.theta.shape[0]], dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.basis(x) @ self.theta.reshape(-1, 1)


def nodal_closure(model: nn.Module, potential: FiniteWell, nodes_per_piece: int = 40):
    x, w = gauss_legendre(potential.box, potential.breakpoints, nodes_per_piece)
    x = torch.tensor(x).reshape(-1, 1)
    w, v = torch.tensor(w).reshape(-1, 1), potential(x)

    def closure():
        psi, dpsi = derivatives(model, x, 1, create_graph=True)
        return Nodal(psi, dpsi, w, v)

    return closure, x, w, v


def test_one_step_of_a_linear_model_is_the_ritz_solution_of_its_basis():
    """For ψ linear in θ the tangent space is the basis itself: one undamped step must land on
    the lowest generalized eigenvalue of (A, M) assembled directly, which bounds E_1 from above."""
    potential = configured("finite_well")
    model = LinearCombination(10)
    closure, x, w, v = nodal_closure(model, potential)
    basis = model.basis(x).detach()
    dbasis = torch.cat(  # column by column: derivatives() differentiates the sum of columns
        [
            derivatives(lambda t, k=k: model.basis(t)[:, k : k + 1], x, 1, False)[1]
            for k in range(basis.shape[1])
        ],
        dim=1,
    )
    stiffness = dbasis.T @ (w * dbasis) + basis.T @ (w * v * basis)
    mass = basis.T @ (w * basis)
    ritz = scipy.linalg.eigh(stiffness.numpy(), mass.numpy(), eigvals_only=True)[0]
    start = closure()
    before = start.energy().item()

    energy = tangent_ritz(model.parameters(), damping=1e-13, trials=(0,)).step(closure).item()

    assert before > ritz * 1.01  # the start is far from the answer
    assert energy == pytest.approx(ritz, rel=1e-10)
    exact = reference.solve(potential, 1).energies[0]
    assert exact < energy < exact * 1.01


def test_steps_never_raise_the_energy_and_reach_the_reference():
    """Domain ansatz on the finite well from its untrained start: every step lowers E[ψ] or
    stays, and 25 steps bring it within 1e-6 of the exact level."""
    potential = configured("finite_well")
    torch.manual_seed(0)
    nets = [network("mlp", width=8, depth=2).double() for _ in range(3)]
    model = DomainAnsatz(nets, domain_maps(potential), 0, [1.0] * 3).double()
    closure, *_ = nodal_closure(model, potential)
    optimizer = tangent_ritz(model.parameters())
    energies = [optimizer.step(closure).item() for _ in range(25)]
    exact = reference.solve(potential, 1).energies[0]

    assert all(b <= a for a, b in zip(energies[:-1], energies[1:], strict=False))
    assert abs(energies[-1] - exact) / exact < 1e-6
    assert optimizer.param_groups[0]["damping"] > 0.0


def tangent_module(**kwargs):
    options = {"refine": tangent_phase(), **kwargs}
    return make_module(
        weights={"rayleigh": 1.0, "residual": 0.0, "normalization": 1.0},
        energy_update="rayleigh",
        **options,
    )


def test_the_module_refines_with_tangent_ritz_after_adam(tmp_path):
    """3 Adam steps then 17 TangentRitz steps land 10× closer to E_1 than 20 Adam steps, stay
    above it (variational), and keep E = E[ψ]."""
    refined, adam_only = tangent_module(), tangent_module(refine=None)
    fit(refined, tmp_path, steps=20)
    fit(adam_only, tmp_path, steps=20)
    exact = reference.solve(refined.state.potential, 1).energies[0]
    terms = refined.loss.terms(refined.state, refined.state.quad_x[:0])
    energy = refined.state.energy.item()

    assert isinstance(refined.optimizers()[1].optimizer, TangentRitz)
    assert energy == pytest.approx(terms["rayleigh"].item(), rel=1e-12)
    assert exact < energy
    assert energy - exact < 0.1 * (adam_only.state.energy.item() - exact)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (
            {"weights": {"rayleigh": 1.0, "residual": 1.0, "normalization": 1.0}},
            "loss.weights.residual",
        ),
        ({"energy_update": "gradient"}, "loss.energy_update"),
    ],
)
def test_losses_tangent_ritz_cannot_minimize_are_refused_by_key(tmp_path, change, key):
    options = {
        "weights": {"rayleigh": 1.0, "residual": 0.0, "normalization": 1.0},
        "energy_update": "rayleigh",
        **change,
    }
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):  # before any training
        make_module(refine=tangent_phase(), **options)


def test_a_non_finite_energy_in_the_tangent_phase_names_the_step(tmp_path):
    module = tangent_module()
    with pytest.raises(DivergedError, match="step 5"):
        fit(module, tmp_path, steps=10, callbacks=[NanInjection(5)])
    assert np.isfinite([p.detach().numpy() for p in module.state.ansatz.parameters()][0]).all()


def test_the_floor_is_below_the_ground_level_and_is_the_infinite_wells_own():
    """π²/L² + min V bounds every Rayleigh quotient with Dirichlet walls from below."""
    potential = configured("finite_well")
    assert potential.empty_box_level() == pytest.approx(math.pi**2 / potential.length**2)
    assert potential.empty_box_level() < reference.solve(potential, 1).energies[0]
    well = configured("infinite_well", box=(0.0, 2.0))
    assert reference.solve(well, 1).energies[0] == pytest.approx(well.empty_box_level(), rel=1e-9)


def test_the_chunked_jacobian_of_a_projected_state_equals_the_batched_one():
    """Node chunks and the projection applied afterwards give the same rows as one batched
    backward pass through the projected ψ (state 2 above a frozen state 1)."""
    lower = make_module(potential=configured("finite_well"), refine=None).state
    lower.materialize(True)
    ritz = {"rayleigh": 1.0, "residual": 0.0, "normalization": 1.0}
    module = make_module(refine=None, weights=ritz, energy_update="rayleigh", lower_states=[lower])
    state = module.double().state
    state.materialize(True)
    params = list(state.ansatz.parameters())
    batched = jacobian_rows(state.nodal().rows(), params)
    chunked, lift = state.jacobian(params, chunk=7)
    assert lift is None  # one net on the whole box: no column to spare
    torch.testing.assert_close(chunked, batched, rtol=1e-10, atol=1e-12)


def test_one_net_per_piece_gives_fewer_orthonormal_columns_that_keep_every_row():
    """Domain ansatz, 3 pieces of 16 nodes, 3 nets of 105 parameters: each net's rows fit in
    ≤ 32 columns, and rows·B·Bᵀ is the full Jacobian."""
    potential = configured("finite_well")
    torch.manual_seed(0)
    maps = domain_maps(potential)
    nets = [network("mlp", width=8, depth=2) for _ in maps]
    ansatz = DomainAnsatz(nets, maps, 0, [1.0] * len(maps)).double()
    state = EigenState(ansatz, potential, problem_rules(potential, 16), 30.0, (), "projection")
    params = list(ansatz.parameters())
    batched = jacobian_rows(state.nodal().rows(), params)
    compressed, lift = state.jacobian(params)
    assert lift.shape[0] == batched.shape[1] > lift.shape[1]
    torch.testing.assert_close(lift.T @ lift, torch.eye(lift.shape[1], dtype=lift.dtype))
    torch.testing.assert_close(compressed @ lift.T, batched, rtol=1e-10, atol=1e-12)


def test_compressed_columns_span_the_rows_when_a_block_moves_no_row():
    """Two nets on disjoint rows and a parameter that moves none (its columns all zero): the
    compressed columns and their lift give the rows back, and the idle block adds none."""
    torch.manual_seed(0)
    rows = torch.zeros(6, 9, dtype=torch.float64)
    rows[:3, :4] = torch.randn(3, 4, dtype=torch.float64)
    rows[3:, 4:7] = torch.randn(3, 3, dtype=torch.float64)
    compressed, lift = compress_columns(rows, [4, 3, 2])
    torch.testing.assert_close(compressed @ lift.T, rows, rtol=1e-12, atol=1e-12)
    assert compressed.shape[1] == 6


def test_a_step_is_aliasing_when_the_check_rule_rises_or_the_rules_part():
    """``rules_agree``: E[ψ] may fall on both rules; a rise on the check rule, or a gap
    between the rules beyond ALIASING and beyond the gap before, is refused."""
    from qwpinn.methods.energy import ALIASING
    from qwpinn.optim.tangent import rules_agree

    before = (142.2, 142.2 + 1e-6)
    assert rules_agree(142.0, 142.0 + 1e-6, before)
    assert not rules_agree(142.0, 142.3, before)  # the check rule rose
    assert not rules_agree(117.0, 116.7, before)  # both fell, the rules parted: aliasing
    gap = 10 * ALIASING * 142.0
    assert rules_agree(141.0, 141.0 + gap / 2, (142.0, 142.0 + gap))  # a gap that narrows
