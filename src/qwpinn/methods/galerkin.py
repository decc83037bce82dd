"""Neural Galerkin (the time-dependent variational principle) for iψ_t = −cψ_xx + V_eff ψ,
V_eff = V(x, t) + g|ψ|² (the potential callable receives ψ).

ψ_θ = u + iv from a real network with two outputs (walls or periodicity exact). θ̇ solves the
least-squares projection of −iHψ onto the tangent space span_R{∂ψ/∂θ_k}: M θ̇ = g with

    M_kl = Re ∫ ∂_kψ̄ ∂_lψ dx,   g_k = Re⟨∂_kψ, −iHψ⟩ = Im ∫ c ∂_kψ̄' ψ' + V_eff ∂_kψ̄ ψ dx

(the weak form: no second derivative), on a Gauss–Legendre rule. M = AᵀA with A the rows
√w ∂ψ/∂θ (real and imaginary parts); θ̇ = Σ_j d_j f(E_j)(d_j·g) over the tangent directions
sorted by energy (``galerkin_energy``: s_j > rcond·s_1, M shifted by ``damping``·s_1², the
stiff ones filtered out above ``cutoff``; with no cutoff, θ̇ = M_λ⁻¹ g). The rescaling
direction d (M d = Re J^H W ψ) is removed in the proportion that makes Re⟨ψ, ∂ψ/∂θ·θ̇⟩ = 0,
so the norm is constant up to the integrator. The march of the output layer alone (the hidden
features as fitted) is ``galerkin_features``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch.func import functional_call, jacfwd, jacrev, vmap

from qwpinn.methods.galerkin_energy import EnergyBasis

Vt = Callable[[np.ndarray, float, np.ndarray], np.ndarray]  # V_eff(x, t, ψ) at x values (N,)


@dataclass(frozen=True)
class Tangent:
    """ψ, ψ' (Q,) complex at the nodes, their Jacobians ∂/∂θ (Q, P), and the SVD of the real
    rows A = [√w Re ∂ψ/∂θ; √w Im ∂ψ/∂θ]: singular values ``s`` and right vectors ``vt``."""

    psi: np.ndarray
    dpsi: np.ndarray
    jac: np.ndarray
    djac: np.ndarray
    s: np.ndarray
    vt: np.ndarray

    def solve(self, rhs: np.ndarray, rcond: float, damping: float) -> np.ndarray:
        """Σ_j v_j (v_j·rhs)/(s_j² + damping·s_1²) over s_j > rcond·s_1: the regularised
        M⁻¹ rhs, M = AᵀA."""
        keep = self.s > rcond * self.s[0]
        s, vt = self.s[keep], self.vt[keep]
        return vt.T @ ((vt @ rhs) / (s**2 + damping * self.s[0] ** 2))

    def along(self, weights: np.ndarray) -> np.ndarray:
        """Re J^H W ψ: the projection of ψ itself on the tangent space."""
        return np.real(self.jac.conj().T @ (weights * self.psi))


class GalerkinState:
    """The network ``ansatz`` ((N, 1) → (N, 2): Re ψ, Im ψ; walls or periodicity exact) on the
    ``nodes`` (Q,) and ``weights`` (Q,) of a quadrature rule; θ is its parameters as one flat
    float64 vector; ``kinetic`` is c, ``potential`` V_eff(x, t, ψ). ``damping`` λ shifts M by
    λ s_1²; ``cutoff`` (E_c of the energy filter; inf: none) is set by ``calibrate``."""

    def __init__(
        self,
        ansatz: torch.nn.Module,
        nodes: np.ndarray,
        weights: np.ndarray,
        potential: Vt,
        kinetic: float,
        rcond: float,
        damping: float = 0.0,
    ) -> None:
        self.ansatz = ansatz.double()
        params = dict(ansatz.named_parameters())
        self.shapes = {n: p.shape for n, p in params.items() if p.requires_grad}
        self.x = np.asarray(nodes, dtype=float).reshape(-1)
        self.w = np.asarray(weights, dtype=float).reshape(-1)
        self.potential, self.rcond, self.damping = potential, float(rcond), float(damping)
        self.kinetic = float(kinetic)
        self.cutoff = np.inf
        self.output = self._output_mask()
        self._rows = vmap(jacrev(self._point, argnums=0), in_dims=(None, 0))
        self._values = vmap(self._point, in_dims=(None, 0))

    @property
    def theta(self) -> np.ndarray:
        params = dict(self.ansatz.named_parameters())
        return torch.cat([params[n].detach().reshape(-1) for n in self.shapes]).numpy().copy()

    @theta.setter
    def theta(self, flat: np.ndarray) -> None:
        params = dict(self.ansatz.named_parameters())
        with torch.no_grad():
            for name, value in self._split(flat).items():
                params[name].copy_(value)

    def psi(self, theta: np.ndarray, x: np.ndarray) -> np.ndarray:
        """ψ_θ at the points x (M,): complex (M,)."""
        points = torch.as_tensor(np.asarray(x, dtype=float).reshape(-1, 1))
        with torch.no_grad():
            out = functional_call(self.ansatz, self._split(theta), (points,))
        return (out[:, 0] + 1j * out[:, 1]).numpy()

    def derivative(self, theta: np.ndarray, x: np.ndarray) -> np.ndarray:
        """ψ_θ' at the points x (M,): complex (M,)."""
        points = torch.as_tensor(np.asarray(x, dtype=float).reshape(-1))
        values = self._values(self._split(theta), points).detach().numpy()
        return values[:, 2] + 1j * values[:, 3]

    def tangent(self, theta: np.ndarray, columns: np.ndarray | None = None) -> Tangent:
        """ψ, ψ' and their Jacobians at the nodes (the θ entries ``columns``: all by default),
        with the SVD of the weighted rows."""
        params, x = self._split(theta), torch.as_tensor(self.x)
        values = self._values(params, x).detach().numpy()
        rows = self._rows(params, x)
        jac = torch.cat([rows[n].reshape(len(self.x), 4, -1) for n in self.shapes], dim=2).numpy()
        if columns is not None:
            jac = jac[:, :, columns]
        sw = np.sqrt(self.w)[:, None]
        _, s, vt = np.linalg.svd(np.vstack([sw * jac[:, 0], sw * jac[:, 1]]), full_matrices=False)
        return Tangent(
            values[:, 0] + 1j * values[:, 1],
            values[:, 2] + 1j * values[:, 3],
            jac[:, 0] + 1j * jac[:, 1],
            jac[:, 2] + 1j * jac[:, 3],
            s,
            vt,
        )

    def calibrate(self, theta: np.ndarray, factor: float) -> float:
        """Set the filter's E_c to ``factor``·√⟨H²⟩ of ψ_θ (its spectral content in the
        tangent space, V at t = 0); return E_c."""
        tan = self.tangent(theta)
        v = self.potential(self.x, 0.0, tan.psi)
        basis = EnergyBasis.of(tan, self.w, v, self.kinetic, self.rcond, self.damping)
        self.cutoff = factor * basis.spread(tan.along(self.w))
        return self.cutoff

    def velocity(self, t: float, theta: np.ndarray) -> np.ndarray:
        """θ̇ of the projected Schrödinger equation (module docstring) at time t."""
        tan = self.tangent(theta)
        w, v = self.w, self.potential(self.x, t, tan.psi)
        basis = EnergyBasis.of(tan, w, v, self.kinetic, self.rcond, self.damping)
        kinetic = self.kinetic * tan.djac.conj().T @ (w * tan.dpsi)
        force = np.imag(kinetic + tan.jac.conj().T @ (w * v * tan.psi))
        rate = basis.project(force, self.cutoff)
        # d with ∂ψ/∂θ·d ≈ ψ; removing α d makes d‖ψ‖²/dt = 2 Re⟨ψ, ∂ψ/∂θ·θ̇⟩ = 0 exactly
        along = tan.along(w)
        scaling = basis.project(along, self.cutoff)
        return rate - (along @ rate) / (along @ scaling) * scaling

    def _output_mask(self) -> np.ndarray:
        """The θ entries of the output layer (the net's last ``nn.Linear``, if any): ψ is
        linear in them."""
        linear = [m for m in self.ansatz.modules() if isinstance(m, torch.nn.Linear)]
        owned = {id(p) for p in linear[-1].parameters()} if linear else set()
        params = dict(self.ansatz.named_parameters())
        sizes = [(params[n].numel(), id(params[n]) in owned) for n in self.shapes]
        return np.concatenate([np.full(size, inside) for size, inside in sizes])

    def _split(self, theta: np.ndarray) -> dict[str, torch.Tensor]:
        flat, offset, out = torch.as_tensor(theta), 0, {}
        for name, shape in self.shapes.items():
            size = int(np.prod(shape))
            out[name] = flat[offset : offset + size].reshape(shape)
            offset += size
        return out

    def _point(self, params: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        """(Re ψ, Im ψ, Re ψ', Im ψ') at one point x."""

        def psi(s: torch.Tensor) -> torch.Tensor:
            return functional_call(self.ansatz, params, (s.reshape(1, 1),)).reshape(2)

        return torch.cat([psi(x), jacfwd(psi)(x).reshape(2)])
