"""The eigenproblem as pure tensor functions: derivatives, residual, quadrature, energies.

H ψ = −ψ'' + V ψ = E ψ on [a, b].  Integrals use a fixed Gauss–Legendre rule split at the
jumps of V, so ∫ over each smooth piece is exact to the rule's order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch

from qwpinn.grading import PieceMap, mapped_rule


def derivatives(
    fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, order: int, create_graph: bool
) -> list[torch.Tensor]:
    """[ψ, ψ', ..., ψ^(order)] at x (N×1) by nested autograd.

    Lower derivatives keep their graph (the next one and the loss need it); the highest keeps
    it only if ``create_graph`` (set False when the loss does not backpropagate through it).
    """
    x = x.detach().requires_grad_(True)
    out = [fn(x)]
    for k in range(order):
        keep = create_graph or k < order - 1
        (grad,) = torch.autograd.grad(out[-1].sum(), x, create_graph=keep, retain_graph=True)
        out.append(grad)
    return out


def residual(
    psi: torch.Tensor, d2psi: torch.Tensor, v: torch.Tensor, energy: torch.Tensor
) -> torch.Tensor:
    """r = −ψ'' + V ψ − E ψ (zero for an eigenpair)."""
    return -d2psi + (v - energy) * psi


def norm_squared(psi: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """∫ ψ² dx ≈ Σ w_i ψ(x_i)²."""
    return (weights * psi.square()).sum()


def rayleigh_quotient(
    psi: torch.Tensor, dpsi: torch.Tensor, v: torch.Tensor, weights: torch.Tensor
) -> torch.Tensor:
    """E[ψ] = ∫ (ψ'² + V ψ²) dx / ∫ ψ² dx (weak form; ≥ E_1, equal for the ground state)."""
    return (weights * (dpsi.square() + v * psi.square())).sum() / norm_squared(psi, weights)


def gauss_legendre(
    box: Sequence[float], breakpoints: Sequence[float], nodes_per_piece: int, panels: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss–Legendre rule on box: `panels` equal panels per smooth piece of V."""
    cuts = [float(box[0]), *sorted(float(p) for p in breakpoints), float(box[1])]
    maps = [PieceMap(lo, hi) for lo, hi in zip(cuts[:-1], cuts[1:], strict=False)]
    return mapped_rule(maps, nodes_per_piece, panels)
