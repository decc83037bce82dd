from __future__ import annotations

import math

import pytest
import torch
from scipy.optimize import brentq

from conftest import network
from qwpinn.models.ansatz import DirichletAnsatz, DomainAnsatz
from qwpinn.models.wall_decay import WallDecay
from qwpinn.numerics.derivatives import derivatives
from qwpinn.numerics.grading import PieceMap, linear_maps


@pytest.mark.parametrize("box", [(0.0, 1.0), (-2.0, 3.5)])
@pytest.mark.parametrize("activation", ["tanh", "sin", "silu", "gelu"])
def test_ansatz_vanishes_exactly_at_the_walls(box, activation):
    torch.manual_seed(0)
    psi = DirichletAnsatz(network("mlp", width=16, depth=2, activation=activation), box)
    walls = torch.tensor([[box[0]], [box[1]]])
    inside = torch.linspace(box[0], box[1], 11)[1:-1].reshape(-1, 1)
    assert torch.all(psi(walls) == 0.0)
    assert psi(inside).abs().max() > 0.0


def test_kink_terms_keep_psi_c1_and_free_the_second_derivative():
    torch.manual_seed(1)
    psi = DirichletAnsatz(
        network("mlp", width=16, depth=2, out_features=2), (0.0, 1.0), kinks=[0.45]
    ).double()
    assert psi(torch.tensor([[0.0], [1.0]], dtype=torch.float64)).abs().max() == 0.0
    h = 1e-6
    x = torch.tensor([[0.45 - h], [0.45], [0.45 + h]], dtype=torch.float64, requires_grad=True)
    y = psi(x)
    (dy,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    (d2y,) = torch.autograd.grad(dy.sum(), x)
    assert abs(y[2] - y[0]).item() < 1e-4 and abs(dy[2] - dy[0]).item() < 1e-4  # C¹
    assert abs(d2y[2] - d2y[0]).item() > 1e-3  # ψ'' may jump at the kink


@pytest.mark.parametrize("parity", [1, -1])
def test_parity_is_exact(parity):
    torch.manual_seed(2)
    psi = DirichletAnsatz(
        network("mlp", width=16, depth=2, out_features=3), (0.0, 2.0), [0.5, 1.5], parity
    ).double()
    x = torch.rand(50, 1, dtype=torch.float64) * 2.0
    assert torch.allclose(psi(2.0 - x), parity * psi(x), rtol=0, atol=1e-15)


def _domain(
    dtype: torch.dtype, seed: int = 3, parity: int = 0, kinetic: tuple = (1.0, 1.0, 1.0)
) -> DomainAnsatz:
    """A domain ansatz on [0, 1] cut at 0.25 and 0.75, with random interface values/slopes."""
    torch.manual_seed(seed)
    psi = DomainAnsatz(
        [network("mlp", width=8, depth=2) for _ in range(3)],
        linear_maps([0.0, 0.25, 0.75, 1.0]),
        parity,
        list(kinetic),
    )
    with torch.no_grad():
        psi.values.normal_()
        psi.slopes.normal_()
    return psi.to(dtype)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_domain_ansatz_vanishes_exactly_at_the_walls(dtype):
    psi = _domain(dtype)
    assert torch.all(psi(torch.tensor([[0.0], [1.0]], dtype=dtype)) == 0.0)
    assert psi(torch.linspace(0.1, 0.9, 9, dtype=dtype).reshape(-1, 1)).abs().max() > 0.0


def test_domain_ansatz_is_c1_across_interfaces_and_frees_the_second_derivative():
    psi = _domain(torch.float64)
    eps = 1e-12
    for x_j in (0.25, 0.75):
        x = torch.tensor([[x_j - eps], [x_j + eps]], dtype=torch.float64)
        y, dy, d2y = derivatives(psi, x, 2, False)  # left point: left piece's net
        assert abs(y[1] - y[0]).item() < 1e-10 and abs(dy[1] - dy[0]).item() < 1e-8
        assert abs(d2y[1] - d2y[0]).item() > 1e-3


def test_domain_ansatz_keeps_the_flux_continuous_where_the_mass_steps():
    """BenDaniel–Duke: with c = 1, 3, 0.5 on the pieces, ψ and cψ' are continuous at both
    interfaces and ψ' itself jumps by the ratio of the c's."""
    kinetic = (1.0, 3.0, 0.5)
    psi = _domain(torch.float64, kinetic=kinetic)
    eps = 1e-12
    for j, x_j in enumerate((0.25, 0.75)):
        x = torch.tensor([[x_j - eps], [x_j + eps]], dtype=torch.float64)
        y, dy = derivatives(psi, x, 1, False)
        flux = dy.reshape(-1) * torch.tensor(kinetic[j : j + 2], dtype=torch.float64)
        assert abs(y[1] - y[0]).item() < 1e-10
        assert abs(flux[1] - flux[0]).item() < 1e-8 * max(1.0, abs(flux[0]).item())
        assert abs(dy[1] - dy[0]).item() > 1e-3


def test_domain_ansatz_returns_points_in_input_order():
    psi = _domain(torch.float64)
    x = torch.rand(40, 1, dtype=torch.float64)
    shuffled = torch.randperm(40)
    assert torch.equal(psi(x)[shuffled], psi(x[shuffled]))


@pytest.mark.parametrize("parity", [1, -1])
def test_domain_parity_is_exact(parity):
    psi = _domain(torch.float64, parity=parity)
    x = torch.rand(50, 1, dtype=torch.float64)
    assert torch.allclose(psi(1.0 - x), parity * psi(x), rtol=0, atol=1e-15)


WIDE = [PieceMap(-1e3, -1.0, 0.45, "right"), PieceMap(-1.0, 1.0), PieceMap(1.0, 1e3, 0.45)]


def _wide_box(seed: int, wall_nets: bool) -> DomainAnsatz:
    """A well [-1, 1] in the box [-1000, 1000]: two graded wall pieces with their decays, with
    nets there (a V that is not constant on them) or without (V constant)."""
    torch.manual_seed(seed)
    nets = [network("mlp", width=4) if wall_nets or m.scale is None else None for m in WIDE]
    psi = DomainAnsatz(nets, WIDE, 0, [1.0] * 3).double()
    assert sorted(psi.decays) == ["0", "2"] and len(psi.nets) == (3 if wall_nets else 1)
    return psi


@pytest.mark.parametrize("wall_nets", [True, False])
def test_wall_decay_keeps_psi_c1_at_the_interfaces_and_zero_at_the_walls(wall_nets):
    psi = _wide_box(4, wall_nets)
    with torch.no_grad():
        psi.values.normal_()
        psi.slopes.normal_()
        for decay in psi.decays.values():
            decay.rate.uniform_(0.3, 1.5)
    h = 1e-7
    at = torch.tensor([[-1.0 - h], [-1.0 + h], [1.0 - h], [1.0 + h]], dtype=torch.float64)
    value, slope = derivatives(psi, at, 1, False)[:2]
    assert torch.allclose(value[0::2], value[1::2], rtol=0, atol=1e-6)
    assert torch.allclose(slope[0::2], slope[1::2], rtol=0, atol=1e-5)
    assert psi(torch.tensor([[-1e3], [1e3]], dtype=torch.float64)).abs().max() == 0.0


def test_wall_decay_holds_the_exact_barrier_solution_at_the_level_kappa():
    """The ground state of V = 0 on [-1, 1], V0 = 5 outside, walls at ±1000: cos(kx) inside,
    cos k·sinh(κ(1000 − |x|))/sinh(999κ) outside, k tan k = κ, k² + κ² = 5. With the well's net
    output layer at zero, u = cos k, ψ'(±1) = ∓k sin k and the rate at κ, the wall pieces
    are that solution to round-off, whatever the box's width."""
    k = brentq(lambda k: k * math.tan(k) - math.sqrt(5.0 - k * k), 0.1, 1.5, xtol=1e-15)
    kappa = math.sqrt(5.0 - k * k)
    psi = _wide_box(5, wall_nets=False)
    with torch.no_grad():
        psi.nets["1"].layers[-1].weight.zero_()
        psi.nets["1"].layers[-1].bias.zero_()
        psi.values.fill_(math.cos(k))
        psi.slopes.copy_(
            torch.tensor([0.0, k * math.sin(k), -k * math.sin(k), 0.0], dtype=torch.float64)
        )
        psi.slopes.div_(psi.units[1])
        for decay in psi.decays.values():
            decay.rate.fill_(kappa * decay.piece.scale)
    x = torch.cat([-torch.logspace(0, 3, 40), torch.logspace(0, 3, 40)]).double()
    inside, barrier = 1e3 - x.abs(), 999.0
    ratio = torch.exp(kappa * (inside - barrier)) * -torch.expm1(-2 * kappa * inside)
    exact = math.cos(k) * ratio / -math.expm1(-2 * kappa * barrier)  # sinh/sinh, no overflow
    assert torch.allclose(psi(x.reshape(-1, 1)).reshape(-1), exact, rtol=1e-12, atol=1e-300)


def test_wall_decay_follows_a_level_below_a_constant_barrier_only():
    piece = PieceMap(1.0, 1e3, 0.5)
    decay = WallDecay(piece, 0.7, 2.0, 5.0)
    assert decay.follow(3.0)
    assert decay.kappa().item() == pytest.approx(1.0, rel=1e-15)  # √((5 − 3)/2)
    assert not decay.follow(6.0) and decay.kappa().item() == pytest.approx(1.0, rel=1e-15)
    tilted = WallDecay(piece, 0.7, 2.0, None)
    assert not tilted.follow(3.0) and tilted.kappa().item() == pytest.approx(1.4, rel=1e-7)
