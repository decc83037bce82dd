"""Exact Rayleigh–Ritz over the parameters ψ is linear in (a network's output layer).

With ψ = Σ_k θ_k φ_k and φ_k = ∂ψ/∂θ_k independent of those θ (the output layer's weights and
bias, the hidden layers held), the lowest E[ψ] over them is the lowest eigenpair of

    a(φ_j, φ_k) c = E m(φ_j, φ_k) c,   a(u, v) = ∫ c∇u·∇v + V u v,   m(u, v) = ∫ u v

on the quadrature: no damping and no step length, unlike the tangent step, whose shift holds
these directions back. The φ_k are nearly collinear, so they are first made orthonormal in
the H¹ form (right singular vectors of the rows [√w φ; √(wc) ∇φ] above ``rcond``·σ_max, the
rows of ``tangent``); there a − (min V)·m is positive definite, and the largest eigenvalue ν
of m in its Cholesky coordinates gives E = min V + 1/ν.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from qwpinn.methods.energy import Nodal
from qwpinn.optim.tangent import assign, rules_agree


def linear_ritz(
    closure: Callable[[], Nodal],
    jacobian: Callable[[list[torch.Tensor]], tuple[torch.Tensor, torch.Tensor | None]],
    params: list[torch.Tensor],
    rcond: float,
    floor: float,
    check: Callable[[], Nodal],
) -> float:
    """Set ``params`` (ψ linear in them) to the lowest Ritz vector of the training rule; kept
    when E[ψ] stays at or above ``floor`` and the ``check`` rule agrees (``rules_agree``; else
    the rule is aliased and the parameters stay). Returns E[ψ] on the check rule after it."""
    with torch.enable_grad():
        nodal = closure().detach()
        before = nodal.energy().item(), check().energy().item()
    rows, lift = jacobian(params)
    coefficients = _lowest(nodal, rows, rcond)
    if lift is not None:
        coefficients = lift @ coefficients
    start = torch.nn.utils.parameters_to_vector(params).detach()
    assign(params, coefficients)
    with torch.enable_grad():
        energy, checked = closure().energy().item(), check().energy().item()
    if energy >= floor and rules_agree(energy, checked, before):
        return checked
    assign(params, start)
    return before[1]


class LinearRitz(torch.optim.Optimizer):
    """The exact layer as the whole step: ``step`` sets the parameters to the lowest Ritz
    vector (``linear_ritz``) and returns E[ψ] after it (``checked``: on the check rule); the
    hidden layers stay as they are."""

    def __init__(self, params: list[torch.Tensor], rcond: float) -> None:
        super().__init__(params, {})
        self.rcond = float(rcond)
        self.checked: float | None = None

    def step(  # type: ignore[override]
        self,
        closure: Callable[[], Nodal],
        jacobian: Callable[[list[torch.Tensor]], tuple[torch.Tensor, torch.Tensor | None]],
        floor: float,
        check: Callable[[], Nodal],
    ) -> torch.Tensor:
        params = [p for group in self.param_groups for p in group["params"]]
        self.checked = linear_ritz(closure, jacobian, params, self.rcond, floor, check)
        with torch.enable_grad():
            return closure().energy().detach()


def _lowest(nodal: Nodal, rows: torch.Tensor, rcond: float) -> torch.Tensor:
    """The coefficients of the lowest Ritz vector of the columns of ``rows`` (ψ then ∇ψ at the
    nodes), normalised to ∫ψ² = 1."""
    q = nodal.psi.shape[0]
    w, wk = nodal.w.reshape(-1), nodal.gradient_weights()
    v = nodal.v.reshape(-1)
    phi, dphi = rows[:q], rows[q:]
    stacked = torch.cat([w.sqrt().unsqueeze(1) * phi, wk.sqrt().unsqueeze(1) * dphi])
    if stacked.shape[0] > stacked.shape[1]:
        stacked = torch.linalg.qr(stacked, mode="r")[1]
    _, sigma, right = torch.linalg.svd(stacked, full_matrices=False)
    keep = sigma > rcond * sigma[0]
    basis = right[keep].T / sigma[keep]  # H¹-orthonormal combinations of the columns
    phi, dphi = phi @ basis, dphi @ basis
    shifted = dphi.T @ (wk.unsqueeze(1) * dphi) + phi.T @ ((w * (v - v.min())).unsqueeze(1) * phi)
    mass = phi.T @ (w.unsqueeze(1) * phi)
    lower = torch.linalg.cholesky(shifted)
    eye = torch.eye(lower.shape[0], dtype=lower.dtype, device=lower.device)
    inverse = torch.linalg.solve_triangular(lower, eye, upper=False)
    _, vectors = torch.linalg.eigh(inverse @ mass @ inverse.T)
    coefficients = basis @ (inverse.T @ vectors[:, -1])
    norm = (w * (phi @ (inverse.T @ vectors[:, -1])).square()).sum().sqrt()
    return coefficients / norm
