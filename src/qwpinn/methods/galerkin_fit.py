"""θ(0) of Neural Galerkin: variable projection on ∫|ψ_θ − ψ0|² dx.

ψ is linear in the output layer θ_out, so for any hidden θ the best θ_out solves a linear
least-squares problem: it is solved exactly first and after every trial step. The steps are
Gauss–Newton (Levenberg–Marquardt) on all of θ, Δθ = −Σ_j v_j (v_j·g)/(s_j² + λ s_1²),
g = Re J^H W (ψ_θ − ψ0), on the SVD of the weighted rows (``GalerkinState.tangent``); λ falls
3× after a step that lowers the misfit and rises 10× (up to ``TRIALS`` times) until one does.
"""

from __future__ import annotations

import numpy as np

from qwpinn.methods.galerkin import GalerkinState

TRIALS = 8  # shifts tried per step before giving up
SHIFT_RANGE = (1e-15, 1e3)
SHRINK = 3.0  # the shift after a step that lowered the misfit, divided
RCOND = 1e-14  # singular values kept, relative, in the steps and the output layer's solve


def fit_initial(state: GalerkinState, target: np.ndarray, steps: int, tol: float) -> float:
    """Fit the state's θ to the values ``target`` (Q,) at its nodes; return the relative L2
    misfit reached (stops at ``tol`` or after ``steps`` steps or when no shift helps)."""
    w = state.w
    norm = np.sqrt(np.sum(w * np.abs(target) ** 2))

    def misfit(th: np.ndarray) -> float:
        return float(np.sqrt(np.sum(w * np.abs(state.psi(th, state.x) - target) ** 2)))

    theta, shift = best_output(state, state.theta, target), 1e-3
    current = misfit(theta)
    for _ in range(steps):
        if current <= tol * norm:
            break
        tan = state.tangent(theta)
        grad = np.real(tan.jac.conj().T @ (w * (tan.psi - target)))
        for _ in range(TRIALS):
            trial_theta = best_output(state, theta - tan.solve(grad, RCOND, shift), target)
            trial = misfit(trial_theta)
            if trial < current:
                theta, current = trial_theta, trial
                shift = max(shift / SHRINK, SHIFT_RANGE[0])
                break
            shift = min(shift * 10.0, SHIFT_RANGE[1])
        else:
            break
    state.theta = theta
    return current / norm


def best_output(state: GalerkinState, theta: np.ndarray, target: np.ndarray) -> np.ndarray:
    """θ with its output layer replaced by argmin ∫|ψ_θ − target|² (ψ = J_out θ_out exactly)."""
    jac = state.tangent(theta, state.output).jac
    sw = np.sqrt(state.w)[:, None]
    rows = np.vstack([sw * jac.real, sw * jac.imag])
    rhs = np.concatenate([sw[:, 0] * target.real, sw[:, 0] * target.imag])
    out = theta.copy()
    out[state.output] = np.linalg.lstsq(rows, rhs, rcond=RCOND)[0]
    return out
