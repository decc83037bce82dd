"""The eigenproblem −∇·(c∇ψ) + Vψ = Eψ as tensor functions on quadrature nodes.

Fields are (N, 1), gradients (N, d), weights (N, 1); c is the kinetic coefficient
(ħ²/2m0 = 1 units: c = m0/m*, 1 for the dimensionless problems), a number or (N, 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

ALIASING = 1e-6  # relative gap between E[ψ] on the training and the check rule: ψ aliases


def residual(
    psi: torch.Tensor,
    laplacian: torch.Tensor,
    v: torch.Tensor,
    energy: torch.Tensor,
    c: torch.Tensor | float,
) -> torch.Tensor:
    """r = −cΔψ + V ψ − E ψ (zero for an eigenpair): −∇·(c∇ψ) where c is locally constant,
    i.e. everywhere but on the faces where a piecewise-constant c steps."""
    return -c * laplacian + (v - energy) * psi


def norm_squared(psi: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """∫ ψ² dx ≈ Σ w_i ψ(x_i)²."""
    return (weights * psi.square()).sum()


def kinetic_density(grad: torch.Tensor, c: torch.Tensor | float = 1.0) -> torch.Tensor:
    """c |∇ψ|² at each node, (N, 1)."""
    return c * grad.square().sum(dim=1, keepdim=True)


def rayleigh_quotient(
    psi: torch.Tensor,
    grad: torch.Tensor,
    v: torch.Tensor,
    weights: torch.Tensor,
    c: torch.Tensor | float = 1.0,
) -> torch.Tensor:
    """E[ψ] = ∫ (c|∇ψ|² + V ψ²) dx / ∫ ψ² dx (weak form; ≥ E_1, equal for the ground state)."""
    density = kinetic_density(grad, c) + v * psi.square()
    return (weights * density).sum() / norm_squared(psi, weights)


@dataclass(frozen=True)
class Nodal:
    """ψ (Q, 1), ∇ψ (Q, d), weights w (Q, 1), V (Q, 1) and c (Q, 1 or a number) at the nodes
    of a quadrature: everything E[ψ] is made of."""

    psi: torch.Tensor
    grad: torch.Tensor
    w: torch.Tensor
    v: torch.Tensor
    c: torch.Tensor | float = 1.0

    def energy(self) -> torch.Tensor:
        """E[ψ] on these nodes."""
        return rayleigh_quotient(self.psi, self.grad, self.v, self.w, self.c)

    def rows(self) -> torch.Tensor:
        """ψ then ∇ψ at the nodes as one flat vector (Q + Q·d): the rows of the Jacobian."""
        return torch.cat([self.psi.reshape(-1), self.grad.reshape(-1)])

    def gradient_weights(self) -> torch.Tensor:
        """w·c for each entry of ∇ψ.reshape(-1) (Q·d): the weights of the kinetic form."""
        weights = self.w * self.c if torch.is_tensor(self.c) else self.w * float(self.c)
        return weights.expand_as(self.grad).reshape(-1)

    def detach(self) -> Nodal:
        c = self.c.detach() if torch.is_tensor(self.c) else self.c
        return Nodal(self.psi.detach(), self.grad.detach(), self.w.detach(), self.v.detach(), c)
