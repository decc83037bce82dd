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
