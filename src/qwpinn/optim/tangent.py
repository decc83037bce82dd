"""Rayleigh–Ritz in the network's tangent space: the linear method for E[ψ].

With ψ normalized (∫ψ² = 1) and the tangent functions φ_k = ∂ψ/∂θ_k made orthogonal to ψ,
the lowest eigenpair (c₀, c) of

    [ E[ψ]      a(ψ, φ)      ] [c₀]       [ 1   0       ] [c₀]
    [ a(φ, ψ)   a(φ, φ) + λI ] [c ]  = μ  [ 0   m(φ, φ) ] [c ]

with a(u, v) = ∫ u'v' + V u v and m(u, v) = ∫ u v on the quadrature, gives the step
Δθ = c / c₀: the lowest-energy ψ + Σ_k Δθ_k φ_k, a Newton step for E in function space
(the linear method of variational Monte Carlo; Toulouse & Umrigar 2007). The φ_k are nearly
collinear, so the step lives in the span of the right singular vectors of [√w φ; √w φ']
above ``rcond``·σ_max, and the change of ψ it makes is capped at ``max_change``·‖ψ‖ (far
from a minimum c₀ → 0 and the raw step is unbounded). The Levenberg–Marquardt shift λ
adapts: of the trial shifts λ·10^k (k in ``trials``), each step taken at the ``lengths``
α·Δθ (the linear model is only first order in θ), the pair with the lowest E[ψ] is taken and
its λ kept; if none lowers E[ψ], the parameters stay and λ grows 100×. A trial below
π²/L² + min V (under every true Rayleigh quotient) or below the caller's ``floor`` (an
excited state's: E[ψ_{n−1}] of the state beneath it) aliases the quadrature and is refused;
a ψ already below it takes the lowest trial above it. With a ``check`` rule (nodes apart
from the training ones), a step that lowers E[ψ] on the training nodes but raises it on the
check rule, or after which the two rules disagree by more than ALIASING and than before it,
is aliasing too, and is refused (``rules_agree``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import torch

from qwpinn.methods.energy import ALIASING, Nodal
from qwpinn.numerics.derivatives import jacobian_rows

CHECK_SLACK = 1e-10  # relative rise of E[ψ] on the check rule that a step may cause


def rules_agree(trained: float, checked: float, before: tuple[float, float]) -> bool:
    """Whether a step with E[ψ] ``trained`` on the training rule and ``checked`` on the check
    rule after it, (training, check) ``before`` it, is free of aliasing: E[ψ] did not rise on
    the check rule, and |trained − checked| ≤ max(gap before, ALIASING·|checked|)."""
    gap_before = abs(before[0] - before[1])
    if checked > before[1] + CHECK_SLACK * abs(before[1]):
        return False
    return abs(trained - checked) <= max(gap_before, ALIASING * abs(checked))


def _energy_of(nodal: Callable[[], Nodal]) -> float:
    """E[ψ] of the nodal values a closure returns."""
    with torch.enable_grad():
        return nodal().energy().item()


@dataclass(frozen=True)
class _Subspace:
    """The tangent space kept: ``basis`` (P × r, orthonormal directions in θ) and on it
    ``overlap`` = m(ψ, ∂ψ/∂θ)·basis, a(ψ, φ), a(φ, φ), m(φ, φ) (ψ normalized); ``rescale``
    a direction d with ∂ψ/∂θ·d = ψ when the parameters can rescale ψ (else None); ``whiten``
    T with Tᵀ (m(φ, φ) + εI) T = I, ε = dtype eps·max eig m (m is semidefinite: a φ that
    vanishes at every node but not its slope has m = 0 and a > 0)."""

    basis: torch.Tensor
    overlap: torch.Tensor
    rescale: torch.Tensor | None
    a_psi: torch.Tensor
    a_phi: torch.Tensor
    m_phi: torch.Tensor
    whiten: torch.Tensor

    def step(self, ratio: torch.Tensor) -> torch.Tensor:
        """Δθ with ψ + ∂ψ/∂θ·Δθ = ψ + Σ_k (c_k/c₀) φ_k: the Ritz function with ψ's own
        component, so ∫ψ² is kept (along ``rescale``); without that direction, the Ritz
        function up to the factor 1/(1 − m(ψ, ∂ψ/∂θ)·Δθ)."""
        direction = self.basis @ ratio
        along = self.overlap @ ratio
        if self.rescale is None:
            return direction / (1.0 - along)
        return direction - along * self.rescale


class TangentRitz(torch.optim.Optimizer):
    """Minimizes E[ψ] by Rayleigh–Ritz steps in the tangent space (module docstring).

    ``step(closure, jacobian=None, floor=None, check=None)``: the closures return (ψ, ψ', w, V)
    at the training (``check``: the check rule's) nodes, ψ and ψ' with their graph to the
    parameters; ``jacobian(params)``, if given, returns the 2Q × P rows ∂ψ(x_i)/∂θ then
    ∂ψ'(x_i)/∂θ in compressed columns and their lift B (``numerics.blocks``; B None: plain
    rows), else one batched backward pass over the closure's outputs, O(Q²·P);
    ``step`` returns E[ψ] after the step; ``checked`` is then E[ψ] on the check rule (None
    without one).
    """

    def __init__(
        self,
        params: Iterable[torch.Tensor],
        damping: float,
        rcond: float | None,
        trials: Sequence[int],
        lengths: Sequence[float],
        max_change: float = 0.5,
        max_damping: float = 1e8,
    ) -> None:
        super().__init__(params, {"damping": float(damping)})
        self.rcond, self.trials, self.max_damping = rcond, tuple(trials), float(max_damping)
        self.max_change = float(max_change)
        self.lengths = tuple(float(a) for a in lengths)
        self.checked: float | None = None

    def _params(self) -> list[torch.Tensor]:
        return [p for group in self.param_groups for p in group["params"] if p.requires_grad]

    def step(  # type: ignore[override]
        self,
        closure: Callable[[], Nodal],
        jacobian: Callable[[list[torch.Tensor]], torch.Tensor] | None = None,
        floor: float | None = None,
        check: Callable[[], Nodal] | None = None,
    ) -> torch.Tensor:
        params = self._params()
        nodal = closure()
        energy = nodal.energy().detach()
        if not torch.isfinite(energy):  # nothing to step on; the caller reports it
            return energy
        # (Q + Q·d) × P: ∂ψ/∂θ then ∂∇ψ/∂θ at the nodes (× r columns, and B: P × r, lifted)
        rows = (jacobian_rows(nodal.rows(), params), None) if jacobian is None else jacobian(params)
        space = self._reduced(nodal.detach(), *rows)
        start = torch.nn.utils.parameters_to_vector(params).detach()
        checked = None if check is None else _energy_of(check)
        group = self.param_groups[0]
        floor = -math.inf if floor is None else floor
        to_beat = energy if energy >= floor else torch.full_like(energy, math.inf)
        best = (to_beat, None, group["damping"])
        for k in self.trials:
            damping = min(group["damping"] * 10.0**k, self.max_damping)
            ratio = self._ritz_coefficients(energy, space, damping)
            size = (ratio @ space.m_phi @ ratio).sqrt()  # ‖Σ_k (c_k/c₀) φ_k‖ relative to ‖ψ‖
            full = space.step(ratio * torch.clamp(self.max_change / size, max=1.0))
            for length in self.lengths:
                step = length * full
                assign(params, start + step)
                with torch.enable_grad():
                    trial = closure().energy()
                if torch.isfinite(trial) and floor <= trial < best[0]:
                    best = (trial.detach(), step, damping)
        lowest, step, damping = best
        if step is not None and checked is not None:  # E[ψ] fell on the nodes alone: aliasing
            assign(params, start + step)
            after = _energy_of(check)
            if rules_agree(lowest.item(), after, (energy.item(), checked)):
                checked = after
            else:
                step = None
        if step is None:  # no shift lowered E[ψ]: stay, and trust the model less
            step, damping = torch.zeros_like(start), min(group["damping"] * 100.0, self.max_damping)
            lowest = energy
        assign(params, start + step)
        group["damping"] = damping
        self.checked = checked
        return lowest

    def _reduced(self, nodal: Nodal, tangent: torch.Tensor, lift: torch.Tensor | None) -> _Subspace:
        """The kept singular directions of the tangent space and the forms on them; the
        kinetic rows ∂∇ψ/∂θ carry the weights w·c. ``tangent`` in compressed columns θ = B·z
        when ``lift`` is B: the directions are found in z and lifted to θ at the end."""
        psi, dpsi, v = nodal.psi.reshape(-1), nodal.grad.reshape(-1), nodal.v.reshape(-1)
        w, wk = nodal.w.reshape(-1), nodal.gradient_weights()
        q = psi.shape[0]
        scale = (w * psi.square()).sum().rsqrt()
        psi, dpsi, tangent = psi * scale, dpsi * scale, tangent * scale
        phi, dphi = tangent[:q], tangent[q:]
        overlap = (w * psi) @ phi  # m(ψ, ∂ψ/∂θ_k): removed, so every φ_k is orthogonal to ψ
        phi = phi - torch.outer(psi, overlap)
        dphi = dphi - torch.outer(dpsi, overlap)
        rows = torch.cat([w.sqrt().unsqueeze(1) * phi, wk.sqrt().unsqueeze(1) * dphi])
        # rows = U Σ Vᵀ: V from the SVD of the tall rowsᵀ = V Σ Uᵀ (LAPACK's faster shape); with
        # more rows than parameters (d > 1) from R of rows = QR first (same Σ, V; U never formed)
        if rows.shape[0] > rows.shape[1]:
            rows = torch.linalg.qr(rows, mode="r")[1]
        right, sigma, _ = torch.linalg.svd(rows.T, full_matrices=False)
        rcond = self.rcond or max(1e-10, 100.0 * torch.finfo(psi.dtype).eps)
        basis = right[:, sigma > rcond * sigma[0]]
        # A direction d with ∂ψ/∂θ·d = ψ (a pure rescaling of ψ) lies where the φ vanish: the
        # part of m(ψ, ∂ψ/∂θ) outside the kept span, normalized to m(ψ, ∂ψ/∂θ)·d = 1.
        outside = overlap - basis @ (basis.T @ overlap)
        size = outside.square().sum()
        rescale = outside / size if size > rcond * overlap.square().sum() else None
        phi, dphi = phi @ basis, dphi @ basis
        m_phi = phi.T @ (w.unsqueeze(1) * phi)
        values, vectors = torch.linalg.eigh(m_phi)
        jitter = torch.finfo(values.dtype).eps * values[-1]
        if lift is not None:
            rescale = None if rescale is None else lift @ rescale
        return _Subspace(
            basis=basis if lift is None else lift @ basis,
            overlap=overlap @ basis,
            rescale=rescale,
            a_psi=(wk * dpsi) @ dphi + (w * v * psi) @ phi,
            a_phi=dphi.T @ (wk.unsqueeze(1) * dphi) + phi.T @ ((w * v).unsqueeze(1) * phi),
            m_phi=m_phi,
            whiten=vectors * (values.clamp_min(0.0) + jitter).rsqrt(),
        )

    @staticmethod
    def _ritz_coefficients(energy: torch.Tensor, space: _Subspace, damping: float) -> torch.Tensor:
        """c / c₀ of the lowest generalized eigenvector of the bordered pencil (docstring),
        solved in the m-orthonormal coordinates φ·T (``space.whiten``): a standard symmetric
        eigenproblem, defined however singular m(φ, φ) is."""
        t = space.whiten
        inner = torch.zeros(t.shape[1] + 1, t.shape[1] + 1, dtype=t.dtype, device=t.device)
        inner[0, 0], inner[0, 1:], inner[1:, 0] = energy, space.a_psi @ t, space.a_psi @ t
        inner[1:, 1:] = t.T @ (space.a_phi @ t) + damping * (t.T @ t)
        _, vectors = torch.linalg.eigh(inner)
        lowest = vectors[:, 0]
        return (t @ lowest[1:]) / lowest[0]


@torch.no_grad()
def assign(params: list[torch.Tensor], flat: torch.Tensor) -> None:
    """Copy ``flat`` into the parameters in place (``vector_to_parameters`` would rebind
    their storage to slices of ``flat``)."""
    offset = 0
    for p in params:
        p.copy_(flat[offset : offset + p.numel()].reshape(p.shape))
        offset += p.numel()
