"""The tangent space of Neural Galerkin sorted by energy, and the filter that keeps θ̇ out of
its stiff directions.

On the right singular vectors of A (s_j > rcond·s_1) the directions d_j are M_λ-orthonormal
(M_λ = AᵀA + λ s_1² I, λ the damping: 0 gives M itself) and solve K d_j = E_j M_λ d_j with the
weak form of ⟨Hφ, φ⟩,

    K_kl = Re ∫ c ∂_kψ̄' ∂_lψ' + V ∂_kψ̄ ∂_lψ dx,

so E_j is the energy (Rayleigh quotient) of the tangent function ∂ψ/∂θ·d_j. θ̇ keeps direction
j with the weight f(E_j) = 1/(1 + (E_j/E_c)^8): 1 where ψ's physics lives, → 0 above E_c, and
smooth in θ (a hard cut that moves with θ makes an adaptive integrator reject step after step).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from qwpinn.methods.galerkin import Tangent

POWER = 8  # the filter's steepness: f(2 E_c) = 1/257


@dataclass(frozen=True)
class EnergyBasis:
    """M-orthonormal tangent directions (P, r) and their energies E_j (r,), ascending."""

    directions: np.ndarray
    energies: np.ndarray

    @classmethod
    def of(
        cls,
        tangent: Tangent,
        weights: np.ndarray,
        v: np.ndarray,
        kinetic: float,
        rcond: float,
        damping: float,
    ) -> EnergyBasis:
        """The basis of a ``galerkin.Tangent`` on the rule ``weights`` with V = ``v`` at the
        nodes and the kinetic coefficient c = ``kinetic``."""
        keep = tangent.s > rcond * tangent.s[0]
        shifted = np.sqrt(tangent.s[keep] ** 2 + damping * tangent.s[0] ** 2)
        scaled = tangent.vt[keep].T / shifted
        phi, dphi = tangent.jac @ scaled, tangent.djac @ scaled
        gradient = kinetic * dphi.conj().T @ (weights[:, None] * dphi)
        stiffness = np.real(gradient + phi.conj().T @ ((weights * v)[:, None] * phi))
        energies, vectors = np.linalg.eigh(stiffness)
        return cls(scaled @ vectors, energies)

    def project(self, rhs: np.ndarray, cutoff: float) -> np.ndarray:
        """Σ_j d_j f(E_j) (d_j·rhs): M_λ⁻¹ rhs on the directions below ``cutoff``."""
        return self.directions @ (self.filter(cutoff) * (self.directions.T @ rhs))

    def filter(self, cutoff: float) -> np.ndarray:
        """f(E_j) = 1/(1 + (E_j/E_c)^8) (E_j < 0 counts as 0)."""
        return 1.0 / (1.0 + (np.maximum(self.energies, 0.0) / cutoff) ** POWER)

    def spread(self, along: np.ndarray) -> float:
        """√⟨H²⟩ of the tangent function whose projection is ``along`` (Re J^H W ψ: ψ itself):
        √(Σ E_j² a_j² / Σ a_j²), a_j = d_j·along, its spectral content in the tangent space."""
        a2 = (self.directions.T @ along) ** 2
        return float(np.sqrt(np.sum(self.energies**2 * a2) / np.sum(a2)))
