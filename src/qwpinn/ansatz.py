"""Trial wavefunctions with exact Dirichlet zeros at the box walls."""

from __future__ import annotations

import math
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


class DomainAnsatz(nn.Module):
    """One network per piece [x_i, x_{i+1}] of the box (cut at the jumps of V):

        ψ(x) = u_i H₀₀(t) + h s_i H₁₀(t) + u_{i+1} H₀₁(t) + h s_{i+1} H₁₁(t)
               + 16 t²(1 − t)² N_i(2t − 1),        t = (x − x_i)/h,  h = x_{i+1} − x_i,

    with cubic Hermite basis H, trainable interface values u_j and slopes s_j (u = 0 at the
    walls). The bubble and its slope vanish at both ends of its piece, so ψ(a) = ψ(b) = 0 and
    ψ, ψ' continuous at every interface hold exactly for any weights; ψ'' is free to jump
    there, as an eigenfunction's does where V jumps. ``parity`` ±1 uses ψ(x) ± ψ(a + b − x).
    Interface values and slopes start at sin(π(x − a)/L), the empty box's ground state.
    """

    def __init__(
        self,
        nets: Sequence[nn.Module],
        box: Sequence[float],
        interfaces: Sequence[float] = (),
        parity: int = 0,
    ) -> None:
        super().__init__()
        self.a, self.b = float(box[0]), float(box[1])
        self.edges = [self.a, *sorted(float(x) for x in interfaces), self.b]
        if len(nets) != len(self.edges) - 1:
            raise ValueError(f"{len(self.edges) - 1} pieces need as many nets, got {len(nets)}")
        self.nets = nn.ModuleList(nets)
        self.parity = int(parity)
        phase = [math.pi * (x - self.a) / (self.b - self.a) for x in self.edges]
        self.values = nn.Parameter(torch.tensor([math.sin(p) for p in phase[1:-1]]))
        slope = math.pi / (self.b - self.a)
        self.slopes = nn.Parameter(torch.tensor([slope * math.cos(p) for p in phase]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        psi = self._pieces(x)
        if self.parity:
            psi = psi + self.parity * self._pieces(self.a + self.b - x)
        return psi

    def _pieces(self, x: torch.Tensor) -> torch.Tensor:
        """ψ at x (N×1): each point goes to its piece's net, results return in input order."""
        inner = torch.tensor(self.edges[1:-1], dtype=x.dtype, device=x.device)
        piece = torch.bucketize(x.detach().reshape(-1), inner, right=True)
        order = torch.argsort(piece, stable=True)
        counts = torch.bincount(piece, minlength=len(self.nets)).tolist()
        zero = self.slopes.new_zeros(1)
        values = torch.cat([zero, self.values, zero])
        parts = []
        for i, chunk in enumerate(torch.split(x[order], counts)):
            if chunk.shape[0]:
                parts.append(self._piece(i, chunk, values))
        return torch.cat(parts)[torch.argsort(order)]

    def _piece(self, i: int, x: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
        """Hermite cubic through (u_i, s_i), (u_{i+1}, s_{i+1}) plus the piece's bubble."""
        h = self.edges[i + 1] - self.edges[i]
        t = (x - self.edges[i]) / h
        t2, t3 = t.square(), t * t.square()
        hermite = (
            values[i] * (2 * t3 - 3 * t2 + 1)
            + h * self.slopes[i] * (t3 - 2 * t2 + t)
            + values[i + 1] * (3 * t2 - 2 * t3)
            + h * self.slopes[i + 1] * (t3 - t2)
        )
        return hermite + 16.0 * (t * (1.0 - t)).square() * self.nets[i](2.0 * t - 1.0)
