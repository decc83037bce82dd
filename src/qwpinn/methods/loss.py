"""EigenLoss: L = w_ray·E[ψ] + w_res·mean(r²) + w_norm·(∫ψ² − 1)² (+ w_orth·Σ_j⟨ψ̂, ψ̂_j⟩²).

E[ψ] is the Rayleigh quotient on the training rule (variational, scale invariant: ψ ≡ 0 is
never a minimum); r = −cΔψ̃ + Vψ̃ − Eψ̃ is the strong residual at collocation points (the
paper), with ψ̃ = ψ/‖ψ‖ when ``normalize_psi``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from qwpinn.errors import ConfigError, one_of
from qwpinn.methods.eigen import EigenState
from qwpinn.methods.energy import Nodal, norm_squared, residual
from qwpinn.methods.weighting import LossWeighting
from qwpinn.numerics.derivatives import derivatives

ENERGY_UPDATES = ("rayleigh", "gradient")


class EigenLoss:
    """The weighted loss terms of one state; ``energy_update`` says how E follows ψ:
    ``rayleigh`` sets E ← E[ψ] after every step, ``gradient`` learns E through the residual."""

    def __init__(
        self,
        weights: Mapping[str, float],
        normalize_psi: bool,
        energy_update: str,
        annealing: Mapping[str, Any] | None,
    ) -> None:
        self.weighting = LossWeighting(weights, annealing)
        self.weights = self.weighting.configured
        self.with_residual = self.weights.get("residual", 0.0) > 0.0  # else no Δψ at all
        self.normalize_psi = bool(normalize_psi)
        self.energy_update = one_of("energy_update", energy_update, ENERGY_UPDATES)

    def check(self, state: EigenState) -> None:
        """Excited states are trained with the residual off (it has no level index)."""
        if len(state.lower) and self.with_residual:
            raise ConfigError(
                "loss.weights.residual", self.weights["residual"], "must be 0 for excited states"
            )

    def learns_energy(self, state: EigenState) -> bool:
        """E is a parameter of the optimizers (learned through the residual's gradient)."""
        return state.potential.energy_trainable and self.energy_update == "gradient"

    def terms(self, state: EigenState, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Every loss term, by name, for collocation points x (N, d) and the training rule;
        the collocation points (and Δψ) are only evaluated when the residual has a weight."""
        n_quad = state.quad_x.shape[0]
        points = torch.cat([state.quad_x, x.to(state.quad_x)]) if self.with_residual else None
        if points is None:
            psi, grad = derivatives(state.ansatz, state.quad_x, 1, create_graph=True)
        else:
            psi, grad, lap = derivatives(state.ansatz, points, 2, create_graph=True)
        psi_q, grad_q, overlaps = state.project(psi[:n_quad], grad[:n_quad])
        nodal = Nodal(psi_q, grad_q, state.quad_w, state.quad_v, state.quad_c)
        norm2 = norm_squared(psi_q, state.quad_w)
        terms = {} if overlaps is None else {"orthogonality": overlaps.square().sum() / norm2}
        terms.update(rayleigh=nodal.energy(), normalization=(norm2 - 1.0).square())
        if points is not None:
            psi_c, lap_c = psi[n_quad:], lap[n_quad:]
            if self.normalize_psi:
                psi_c, lap_c = psi_c * norm2.rsqrt(), lap_c * norm2.rsqrt()
            at = points[n_quad:].detach()
            v, c = state.potential(at), state.potential.kinetic(at)
            terms["residual"] = residual(psi_c, lap_c, v, state.energy, c).square().mean()
        return terms

    def total(self, terms: Mapping[str, torch.Tensor]) -> torch.Tensor:
        return self.weighting(terms)
