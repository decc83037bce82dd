"""Neural Galerkin on the fitted features: the hidden layers of θ(0) kept, the output layer
marched. ψ is linear in the output layer, so its tangent space is fixed: with the energy basis
d_j of that space (``galerkin_energy``; φ_j = ∂ψ/∂θ·d_j orthonormal in Re⟨·,·⟩),
ψ(t) = Σ_j c_j(t) φ_j and

    ċ = F^½ G F^½ c,   G_jk = Im ∫ κ φ̄_j' φ_k' + V_eff φ̄_j φ_k dx,   F = diag f(E_j),

the projection of −iHψ with the stiff directions filtered. G is antisymmetric (the imaginary
part of a Hermitian matrix), so the flow itself conserves ‖c‖ = ‖ψ‖.
"""

from __future__ import annotations

import numpy as np

from qwpinn.methods.galerkin import GalerkinState
from qwpinn.methods.galerkin_energy import EnergyBasis


class FeatureGalerkin:
    """The output layer's march from θ(0) = ``theta`` on ``state``'s rule; E_c = ``factor``·√⟨H²⟩
    of ψ(0) in the tangent space (``EnergyBasis.spread``). No damping: φ_j stay orthonormal."""

    def __init__(self, state: GalerkinState, theta: np.ndarray, factor: float) -> None:
        self.state, self.start = state, theta.copy()
        tan = state.tangent(theta, state.output)
        w = state.w
        v = state.potential(state.x, 0.0, tan.psi)
        basis = EnergyBasis.of(tan, w, v, state.kinetic, state.rcond, 0.0)
        self.cutoff = factor * basis.spread(tan.along(w))
        self.directions = basis.directions
        self.phi, self.dphi = tan.jac @ basis.directions, tan.djac @ basis.directions
        self.root = np.sqrt(basis.filter(self.cutoff))
        self.kinetic = state.kinetic * np.imag(self.dphi.conj().T @ (w[:, None] * self.dphi))
        self._generator: tuple[bytes, np.ndarray] = (b"", self.kinetic)

    def coefficients(self, theta: np.ndarray) -> np.ndarray:
        """c of ψ_θ (θ with these hidden features): c_j = Re⟨φ_j, ψ_θ⟩."""
        psi = self.state.psi(theta, self.state.x)
        return np.real(self.phi.conj().T @ (self.state.w * psi))

    def theta(self, c: np.ndarray) -> np.ndarray:
        """θ(0) with the output layer Σ_j c_j d_j."""
        out = self.start.copy()
        out[self.state.output] = self.directions @ c
        return out

    def velocity(self, t: float, c: np.ndarray) -> np.ndarray:
        """ċ = F^½ G(t) F^½ c."""
        return self.root * (self.generator(t, self.phi @ c) @ (self.root * c))

    def generator(self, t: float, psi: np.ndarray) -> np.ndarray:
        """G(t) for ψ at the nodes, kept while V_eff = V(x, t) + g|ψ|² there does not change."""
        v = self.state.potential(self.state.x, t, psi)
        if self._generator[0] != v.tobytes():
            potential = np.imag(self.phi.conj().T @ ((self.state.w * v)[:, None] * self.phi))
            self._generator = (v.tobytes(), self.kinetic + potential)
        return self._generator[1]
