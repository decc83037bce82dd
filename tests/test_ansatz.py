from __future__ import annotations

import pytest
import torch

from qwpinn.ansatz import DirichletAnsatz
from qwpinn.nets import MLP


@pytest.mark.parametrize("box", [(0.0, 1.0), (-2.0, 3.5)])
@pytest.mark.parametrize("activation", ["tanh", "sin", "silu", "gelu"])
def test_ansatz_vanishes_exactly_at_the_walls(box, activation):
    torch.manual_seed(0)
    psi = DirichletAnsatz(MLP(16, 2, activation), box)
    walls = torch.tensor([[box[0]], [box[1]]])
    inside = torch.linspace(box[0], box[1], 11)[1:-1].reshape(-1, 1)
    assert torch.all(psi(walls) == 0.0)
    assert psi(inside).abs().max() > 0.0


def test_kink_terms_keep_psi_c1_and_free_the_second_derivative():
    torch.manual_seed(1)
    psi = DirichletAnsatz(MLP(16, 2, out_features=2), (0.0, 1.0), kinks=[0.45]).double()
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
    psi = DirichletAnsatz(MLP(16, 2, out_features=3), (0.0, 2.0), [0.5, 1.5], parity).double()
    x = torch.rand(50, 1, dtype=torch.float64) * 2.0
    assert torch.allclose(psi(2.0 - x), parity * psi(x), rtol=0, atol=1e-15)
