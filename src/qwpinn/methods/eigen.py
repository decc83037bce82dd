"""EigenState: the trial ψ of level n with the lower levels projected out, on its quadratures.

ψ̃ = ψ − Σ_j ⟨ψ, ψ_j⟩ ψ_j (``projection``: Gram–Schmidt on the training rule, so E[ψ̃] is
minimised by level n) and E[ψ̃] = ∫ c|∇ψ̃|² + Vψ̃² / ∫ψ̃² on the training or the check rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from qwpinn.errors import one_of
from qwpinn.methods.energy import Nodal, norm_squared, residual
from qwpinn.numerics.blocks import compress_columns
from qwpinn.numerics.derivatives import derivatives, pointwise_jacobian
from qwpinn.numerics.quadrature import Quadrature
from qwpinn.optim.tangent import jacobian_rows

ORTHOGONALITY = ("projection", "penalty")
ALIASING_SLACK = 1e-6  # relative: E_n ≥ E_{n−1}(1 − slack) for every true level n
FLOOR_SLACK = 1e-6  # relative: the empty-box bound π²/L² + min V, less this


class EigenState(nn.Module):
    """Level n = len(lower) + 1: ``ansatz`` ψ(x) for x (N, d), the energy E (a parameter when
    the problem's E is trainable, else a buffer), the frozen ``lower`` states, and the
    training and check rules (float64 sources; ``materialize`` casts them to the net)."""

    def __init__(
        self,
        ansatz: nn.Module,
        potential: Any,
        rules: tuple[Quadrature, Quadrature],
        energy_init: float,
        lower: Sequence[EigenState],
        orthogonality: str,
    ) -> None:
        super().__init__()
        self.ansatz, self.potential = ansatz, potential
        self.rule, self.check_rule = rules
        self.orthogonality = one_of("excited.orthogonality", orthogonality, ORTHOGONALITY)
        self.lower = nn.ModuleList(lower)
        self.lower.requires_grad_(False)
        self.n = len(lower) + 1
        self.energy_init = float(energy_init)
        energy = torch.tensor(self.energy_init)
        if potential.energy_trainable:
            self.energy = nn.Parameter(energy)
        else:
            self.register_buffer("energy", energy)
        for rule in ("quad", "check"):
            for name in ("x", "w", "v", "c"):
                self.register_buffer(f"{rule}_{name}", torch.empty(0), persistent=False)
        for name in ("lower_q", "lower_dq", "lower_scale"):
            self.register_buffer(name, torch.empty(0), persistent=False)
        self.materialize(with_energy=False)

    @property
    def projects(self) -> bool:
        return bool(len(self.lower)) and self.orthogonality == "projection"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.psi(x)

    def psi(self, x: torch.Tensor) -> torch.Tensor:
        """ψ̃ at x (N, d): the ansatz with the lower states projected out (projection)."""
        raw = self.ansatz(x)
        if not self.projects:
            return raw
        overlaps = (self.quad_w * self.ansatz(self.quad_x) * self.lower_q).sum(dim=0)
        below = torch.cat([state.psi(x) for state in self.lower], dim=1) * self.lower_scale
        return raw - below @ overlaps.reshape(-1, 1)

    def project(
        self, psi: torch.Tensor, grad: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """ψ, ∇ψ at the training nodes with the lower states removed (``projection``), and the
        overlaps ⟨ψ, ψ_j⟩ left (None without lower states)."""
        if not len(self.lower):
            return psi, grad, None
        overlaps = (self.quad_w * psi * self.lower_q).sum(dim=0)
        if self.orthogonality == "projection":
            psi = psi - self.lower_q @ overlaps.reshape(-1, 1)
            grad = grad - torch.einsum("qdj,j->qd", self.lower_dq, overlaps)
            overlaps = (self.quad_w * psi * self.lower_q).sum(dim=0)
        return psi, grad, overlaps

    def nodal(self) -> Nodal:
        """ψ̃, ∇ψ̃ (with their graph), w, V, c at the training nodes: what E[ψ̃] is made of."""
        psi, grad = derivatives(self.ansatz, self.quad_x, 1, create_graph=True)
        psi, grad, _ = self.project(psi, grad)
        return Nodal(psi, grad, self.quad_w, self.quad_v, self.quad_c)

    def jacobian(
        self, params: list[torch.Tensor], chunk: int = 64
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Rows ∂ψ̃(x_i)/∂θ then ∂∇ψ̃(x_i)/∂θ (Q + Q·d rows), node chunk by node chunk (ψ at a
        node depends on that node alone: the cost grows like Q, not Q²), or one vmapped
        reverse pass per node for a ``pointwise`` ansatz (its value at a point depends on that
        point alone: ``derivatives.pointwise_jacobian``); in the columns of ``compress_columns``
        (rows·B, and B: P × r, or None); the projection is linear in ψ and is applied to the
        rows afterwards."""
        q, d = self.quad_x.shape
        if getattr(self.ansatz, "pointwise", False):
            d_psi, d_grad = pointwise_jacobian(self.ansatz, params, self.quad_x)
        else:
            d_psi, d_grad = self._chunked_jacobian(params, chunk)
        rows, lift = compress_columns(torch.cat([d_psi, d_grad]), [p.numel() for p in params])
        d_psi, d_grad = rows[:q], rows[q:]
        if self.projects:
            d_overlaps = (self.quad_w * self.lower_q).T @ d_psi  # ∂⟨ψ, ψ_j⟩/∂θ
            d_psi = d_psi - self.lower_q @ d_overlaps
            d_grad = d_grad - self.lower_dq.reshape(q * d, -1) @ d_overlaps
        return torch.cat([d_psi, d_grad]), lift

    def _chunked_jacobian(
        self, params: list[torch.Tensor], chunk: int
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """∂ψ/∂θ and ∂∇ψ/∂θ by batched backward passes over chunks of nodes (any ansatz)."""
        psi_rows, grad_rows = [], []
        for x in self.quad_x.split(chunk):
            psi, grad = derivatives(self.ansatz, x, 1, create_graph=True)
            rows = jacobian_rows(torch.cat([psi.reshape(-1), grad.reshape(-1)]), params)
            psi_rows.append(rows[: x.shape[0]])
            grad_rows.append(rows[x.shape[0] :])
        return torch.cat(psi_rows), torch.cat(grad_rows)

    def check_nodal(self) -> Nodal:
        """ψ̃, ∇ψ̃, w, V, c at the check rule's nodes, no graph: E[ψ̃] of the network itself."""
        psi, grad = (t.detach() for t in derivatives(self.psi, self.check_x, 1, False))
        return Nodal(psi, grad, self.check_w, self.check_v, self.check_c)

    def step_floor(self) -> float:
        """The lowest E[ψ̃] a step may reach: π²/L² + min V (no ψ with Dirichlet walls lies
        below it; a trial there exploits the quadrature), or E of the state beneath; set by
        ``materialize``."""
        return self.floor

    @torch.enable_grad()
    def residual_at(self, x: torch.Tensor) -> torch.Tensor:
        """r = −cΔψ̂ + Vψ̂ − Eψ̂ of ψ̂ = ψ̃/‖ψ̃‖ at points x (N, d), no graph."""
        x = x.to(self.quad_x)
        psi, _, lap = derivatives(self.psi, x, 2, create_graph=False)
        scale = norm_squared(self.psi(self.quad_x), self.quad_w).rsqrt()
        v, c = self.potential(x), self.potential.kinetic(x)
        return residual(psi * scale, lap * scale, v, self.energy, c).detach()

    def materialize(self, with_energy: bool) -> None:
        """Nodes, weights, V and c of both rules (and E) from their float64 sources in the
        net's dtype (a float32 copy cast up would keep float32 rounding); the lower states,
        normalised, at the nodes; the floor: the empty-box bound, or E[ψ_{n−1}](1 −
        ALIASING_SLACK) above it."""
        like = next(self.ansatz.parameters())
        self.quad_x, self.quad_w, self.quad_v, self.quad_c = self._on_rule(self.rule, like)
        self.check_x, self.check_w, self.check_v, self.check_c = self._on_rule(
            self.check_rule, like
        )
        bound = self.potential.empty_box_level() + self.quad_v.min().item()
        self.floor = bound - FLOOR_SLACK * abs(bound)
        if len(self.lower):
            self._materialize_lower(like)
        if with_energy:
            self.energy.data = torch.tensor(self.energy_init, dtype=torch.float64).to(like)

    def _materialize_lower(self, like: torch.Tensor) -> None:
        with torch.enable_grad():
            nodes = self.quad_x.to(next(self.lower.parameters()))
            values = [
                [t.detach().to(like) for t in derivatives(s.psi, nodes, 1, False)]
                for s in self.lower
            ]
        psi = torch.cat([v[0] for v in values], dim=1)
        self.lower_scale = (self.quad_w * psi.square()).sum(dim=0).rsqrt()
        self.lower_q = psi * self.lower_scale
        self.lower_dq = torch.stack([v[1] for v in values], dim=2) * self.lower_scale
        below = Nodal(
            self.lower_q[:, -1:], self.lower_dq[..., -1], self.quad_w, self.quad_v, self.quad_c
        )
        energy = below.energy().item()
        self.floor = max(self.floor, energy - ALIASING_SLACK * abs(energy))

    def _on_rule(self, rule: Quadrature, like: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """x (N, d), w, V and c (N, 1) of a rule, V and c evaluated at its float64 nodes."""
        x, w = rule.tensors(torch.empty(0, dtype=torch.float64, device=like.device))
        v, c = (f(x).reshape(-1, 1) for f in (self.potential, self.potential.kinetic))
        return tuple(t.to(like) for t in (x, w, v, c))
