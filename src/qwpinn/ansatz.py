"""Trial wavefunctions with exact Dirichlet zeros at the box walls."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


class DirichletAnsatz(nn.Module):
    """ψ(x) = 4(x−a)(b−x)/L² · g(x),  g = N_0(x̂) + Σ_j ((x − x_j)_+ / L)² N_j(x̂),
    x̂ = (2x − a − b)/L.

    ψ(a) = ψ(b) = 0 hold exactly for any network N (outputs N_0, N_1, ...). The optional
    terms at the jumps x_j of V (``kinks``) are C¹ with a free jump of ψ'' and of every higher
    derivative at x_j — the exact regularity of an eigenfunction of a step potential, which a
    smooth network alone can only approximate. ``parity`` ±1 builds ψ(a + b − x) = ±ψ(x) in
    exactly: g(x) ± g(a + b − x) (for potentials symmetric about the box centre).
    """

    def __init__(
        self,
        net: nn.Module,
        box: Sequence[float],
        kinks: Sequence[float] = (),
        parity: int = 0,
    ) -> None:
        super().__init__()
        self.net = net
        self.a, self.b = float(box[0]), float(box[1])
        self.parity = int(parity)
        kinks = torch.tensor([float(k) for k in kinks], dtype=torch.float64).reshape(1, -1)
        self.register_buffer("kinks", kinks)

    @property
    def outputs(self) -> int:
        """Network outputs this ansatz consumes: 1 + one per kink."""
        return 1 + self.kinks.shape[1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        length = self.b - self.a
        envelope = 4.0 * (x - self.a) * (self.b - x) / length**2
        inner = self._inner(x)
        if self.parity:
            inner = inner + self.parity * self._inner(self.a + self.b - x)
        return envelope * inner

    def _inner(self, x: torch.Tensor) -> torch.Tensor:
        """g(x): the network, plus its kink terms."""
        out = self.net((2.0 * x - self.a - self.b) / (self.b - self.a))
        if self.kinks.shape[1] == 0:
            return out
        ramps = torch.relu(x - self.kinks.to(x.dtype)).div(self.b - self.a).square()
        return out[:, :1] + (ramps * out[:, 1:]).sum(dim=1, keepdim=True)
