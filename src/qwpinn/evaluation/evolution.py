"""Errors of an evolution against the reference, its conserved quantities and observables.

l2_error = (Σ_k ∫|ψ − ψ_ref|²(t_k) / Σ_k ∫|ψ_ref|²(t_k))^½ over the output times, and
modulus_l2_error the same for |ψ| (the NLS benchmark's measure); norm_drift =
max_k |‖ψ(t_k)‖² − ‖ψ(0)‖²|; energy_drift = max_k |E(t_k) − E(0)|/|E(0)| with
E = ∫c|ψ'|² + V|ψ|² + ½g|ψ|⁴ / ‖ψ‖² (conserved for a static V); ⟨x⟩(t); for a barrier, the
probability beyond it at t_end, P = ∫_{x > right edge}|ψ|², beside the reference's.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from qwpinn.numerics.grading import PieceMap
from qwpinn.numerics.quadrature import Quadrature

CHECK_NODES = 49  # Gauss–Legendre nodes per panel of the check rule
CHECK_PANELS = 64  # panels across the box


def evolution_metrics(evolution: Any, solution: Any, ref: Any) -> dict[str, Any]:
    """The numbers of results.json's ``evolution`` block (module docstring)."""
    x, w = check_rule(evolution.potential)
    psi, psi_ref = solution.at(x), ref.at(x)
    diff = np.sum(w * np.abs(psi - psi_ref) ** 2, axis=1)
    size = np.sum(w * np.abs(psi_ref) ** 2, axis=1)
    norms = np.sum(w * np.abs(psi) ** 2, axis=1)
    energies = energy(evolution, solution, x, w)
    modulus_diff = np.sum(w * (np.abs(psi) - np.abs(psi_ref)) ** 2, axis=1)
    metrics: dict[str, Any] = {
        "l2_error": math.sqrt(diff.sum() / size.sum()),
        "modulus_l2_error": math.sqrt(modulus_diff.sum() / size.sum()),
        "l2_error_end": math.sqrt(diff[-1] / size[-1]),
        "norm_drift": float(np.abs(norms - norms[0]).max()),
        "energy": float(energies[0]),
        "energy_drift": float(np.abs(energies - energies[0]).max() / abs(energies[0])),
        "observables": {
            "t": evolution.times.tolist(),
            "mean_x": (np.sum(w * x * np.abs(psi) ** 2, axis=1) / norms).tolist(),
            "mean_x_ref": (np.sum(w * x * np.abs(psi_ref) ** 2, axis=1) / size).tolist(),
        },
    }
    edge = getattr(evolution.potential, "barrier", None)
    if edge is not None:
        beyond = w * (x > edge[1])
        value, target = (
            float(beyond @ np.abs(psi[-1]) ** 2),
            float(beyond @ np.abs(psi_ref[-1]) ** 2),
        )
        metrics["transmission"] = {"value": value, "ref": target, "error": abs(value - target)}
    return metrics


def energy(evolution: Any, solution: Any, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """E(t_k) = ∫c|ψ'|² + V|ψ|² + ½g|ψ|⁴ / ∫|ψ|² (the weak form), ψ' the solution's own
    derivative."""
    psi, dpsi = solution.at(x), solution.derivative_at(x)
    v = np.array([evolution.v(x, t) for t in evolution.times])
    density = np.abs(psi) ** 2
    kinetic = evolution.kinetic * np.sum(w * np.abs(dpsi) ** 2, axis=1)
    potential = np.sum(w * (v + 0.5 * evolution.cubic * density) * density, axis=1)
    return (kinetic + potential) / np.sum(w * density, axis=1)


def check_rule(potential: Any) -> tuple[np.ndarray, np.ndarray]:
    """A fine composite Gauss–Legendre rule split at the jumps of V (independent of any
    method's rule): ``CHECK_PANELS`` panels across the box, ``CHECK_NODES`` per panel."""
    a, b = potential.box
    cuts = [a, *potential.quadrature_cuts, b]
    maps = [PieceMap(lo, hi) for lo, hi in zip(cuts[:-1], cuts[1:], strict=True)]
    panels = max(1, CHECK_PANELS // len(maps))
    rule = Quadrature.on_maps(maps, CHECK_NODES, panels)
    return rule.nodes.reshape(-1), rule.weights


def evolution_status(metrics: dict[str, Any], error_tol: float, norm_tol: float) -> str:
    """'ok' if the space–time error and the norm drift are within tolerance, else 'inaccurate'."""
    finite = math.isfinite(metrics["l2_error"]) and math.isfinite(metrics["norm_drift"])
    if not finite:
        return "diverged"
    ok = metrics["l2_error"] <= error_tol and metrics["norm_drift"] <= norm_tol
    return "ok" if ok else "inaccurate"
