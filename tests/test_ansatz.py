from __future__ import annotations

import pytest
import torch

from conftest import network
from qwpinn.models.ansatz import DirichletAnsatz, DomainAnsatz
from qwpinn.numerics.derivatives import derivatives
from qwpinn.numerics.grading import PieceMap, linear_maps
from qwpinn.numerics.quadrature import mapped_rule


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


def test_graded_wall_slope_moves_psi_no_more_than_the_interface_slope():
    """On a well in a box 1000× its width the wall pieces are graded: per unit, the trainable
    slope at a far wall changes ψ (in ∫ψ'² + ψ²) by at most a few times what an interface
    slope does, so TangentRitz's damping still shortens its steps (scaled by X' at the wall
    it moved ψ ~h/ℓ ≈ 2200 times more), and it still sets ψ' at the wall."""
    maps = [PieceMap(-1e3, -1.0, 0.45, "right"), PieceMap(-1.0, 1.0), PieceMap(1.0, 1e3, 0.45)]
    psi = DomainAnsatz([network("mlp", width=4) for _ in maps], maps, 0, [1.0] * 3).double()
    nodes, weights = (torch.as_tensor(a) for a in mapped_rule(maps, 48))
    x = nodes.reshape(-1, 1)

    def moved_by_slope(j: int) -> tuple[float, float]:
        """∫(δψ'² + δψ²) of δψ = ∂ψ/∂s_j (ψ is linear in s_j), and δψ' at the wall x = 1e3."""
        before = derivatives(psi, torch.cat([x, torch.tensor([[1e3]])]), 1, False)
        with torch.no_grad():
            psi.slopes[j] += 1.0
        after = derivatives(psi, torch.cat([x, torch.tensor([[1e3]])]), 1, False)
        with torch.no_grad():
            psi.slopes[j] -= 1.0
        value, slope = (a - b for a, b in zip(after, before, strict=True))
        size = weights @ (value[:-1].square() + slope[:-1].square()).reshape(-1)
        return size.item(), slope[-1].item()

    (wall, at_wall), (interface, _) = moved_by_slope(3), moved_by_slope(2)
    assert 0.0 < wall < 10.0 * interface
    assert abs(at_wall) > 0.0
