"""task=evolve: ψ(x, t) of iψ_t = −cψ_xx + (V(x, t) + g|ψ|²)ψ by the configured method, checked
against the independent reference; evolution.npz, figures and the ``evolution`` block of
results.json.

A plain loop (no Lightning trainer): the Galerkin march is an ODE in θ, checkpointed at every
output time to ``checkpoints/evolution.pt`` (θ, time index, step size) and resumed from there.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
from omegaconf import DictConfig, OmegaConf

from qwpinn import reference
from qwpinn.errors import ConfigError, finite_number, integer_at_least, one_of
from qwpinn.evaluation.evolution import evolution_metrics, evolution_status
from qwpinn.evaluation.evolution_figures import write_figures
from qwpinn.methods.march import INTEGRATORS
from qwpinn.pipeline.build import build
from qwpinn.pipeline.galerkin import run_galerkin
from qwpinn.pipeline.spacetime import run_spacetime
from qwpinn.problems.evolution import evolution_problem, initial_state
from qwpinn.reference.evolution import reference_evolution
from qwpinn.reference.split_step import split_step

METHODS = ("galerkin", "spacetime")
MARCHED = ("output", "all")  # method=galerkin: the parameters the time march moves
INTEGERS = {  # key: minimum
    "evolve.n_x": 2,
    "evolve.reference.modes": 1,
    "evolve.reference.nodes": 2,
    "evolve.reference.steps": 1,
}
NUMBERS = {  # key: must be > 0 (else >= 0)
    "evolve.error_tol": True,
    "evolve.norm_tol": True,
}
METHOD_INTEGERS = {
    "galerkin": {
        "method.nodes": 2,
        "method.panels": 1,
        "method.fit_steps": 0,
        "method.harmonics": 1,
    },
    "spacetime": {
        "method.n_points": 1,
        "method.adam_steps": 0,
        "method.lbfgs_steps": 0,
        "method.harmonics": 1,
    },
}
METHOD_NUMBERS = {
    "galerkin": {
        "method.rtol": True,
        "method.atol": True,
        "method.rcond": False,
        "method.damping": False,
        "method.cutoff": True,
        "method.bandwidth": True,
        "method.fit_tol": False,
    },
    "spacetime": {"method.lr": True},
}


def run_evolution(cfg: DictConfig, out: Path) -> dict[str, Any]:
    """Evolve, compare with the reference, write the run dir's files; the results' fields."""
    evolve = cfg.evolve
    method = one_of("method.name", cfg.method.name, METHODS)
    validate_evolve(cfg)
    potential = build("potential", cfg.potential)
    if potential.dim != 1:
        box = OmegaConf.to_container(cfg.potential.box)
        raise ConfigError("potential.box", box, "must be one interval [a, b]: evolution is 1D")
    evolution = build_evolution(evolve, potential)
    ref = reference_for(evolution, evolve.reference)
    start = time.perf_counter()
    if method == "galerkin":
        solution: Any = run_galerkin(cfg, evolution, out)
    else:
        solution = run_spacetime(cfg, evolution, int(cfg.seed))
    wall = time.perf_counter() - start
    metrics = evolution_metrics(evolution, solution, ref)
    x = np.linspace(*potential.box, int(evolve.n_x))
    psi, psi_ref = solution.at(x), ref.at(x)
    v = np.array([evolution.v(x, t) for t in evolution.times])
    np.savez(out / "evolution.npz", x=x, t=evolution.times, psi=psi, psi_ref=psi_ref, v=v)
    logger = build("logger", cfg.logger) if cfg.get("logger") else None
    write_figures(out, x, evolution.times, psi, psi_ref, v, metrics, logger)
    status = evolution_status(metrics, float(evolve.error_tol), float(evolve.norm_tol))
    if evolve.published_modulus_error is not None:
        metrics["modulus_l2_error_published"] = float(evolve.published_modulus_error)
    return {
        "status": status,
        "task": "evolve",
        "method": method,
        "potential": potential.name,
        "dim": 1,
        "unit": potential.unit,
        "steps": solution.steps,
        "evolution": {
            **metrics,
            "method_wall_time_s": round(wall, 3),
            "reference": {
                "method": ref.method,
                "truncation": ref.truncation,
                "accuracy": ref.accuracy,
            },
            **solution.report,
        },
        "resumed_from": solution.resumed_from,
        "states": [],
    }


def validate_evolve(cfg: DictConfig) -> None:
    """One ConfigError line for the first out-of-range evolve or method setting."""
    name = cfg.method.name
    for key, minimum in {**INTEGERS, **METHOD_INTEGERS[name]}.items():
        integer_at_least(key, OmegaConf.select(cfg, key), minimum)
    numbers = {**NUMBERS, **METHOD_NUMBERS[name]}
    if name == "spacetime" and cfg.method.max_time_s is not None:
        numbers["method.max_time_s"] = True
    for key, positive in numbers.items():
        value = finite_number(key, OmegaConf.select(cfg, key), "must be a finite number")
        if value < 0.0 or (positive and value == 0.0):
            bound = "> 0" if positive else ">= 0"
            raise ConfigError(key, value, f"must be a finite number {bound}")
    if name == "galerkin":
        one_of("method.integrator", cfg.method.integrator, tuple(INTEGRATORS))
        one_of("method.marched", cfg.method.marched, MARCHED)


def reference_for(evolution: Any, ref_cfg: DictConfig) -> Any:
    """Split-step Fourier for periodic walls; else the eigenbasis or Crank–Nicolson."""
    modes, steps = int(ref_cfg.modes), int(ref_cfg.steps)
    if evolution.boundary == "periodic":
        return split_step(evolution, modes, steps)
    return reference_evolution(evolution, modes, int(ref_cfg.nodes), steps)


def build_evolution(evolve: DictConfig, potential: Any) -> Any:
    """The problem of the ``evolve`` node: ψ0 (on the reference eigenstates for ``states``),
    t_end and the output times; a bad value is one ConfigError line under ``evolve``."""
    try:
        state_at = None
        if evolve.initial == "states":
            count = len(evolve.coefficients or [])
            state_at = reference.solve(potential, n_states=max(count, 1)).psi_at
        coefficients = OmegaConf.to_container(evolve.coefficients) if evolve.coefficients else []
        initial = initial_state(
            evolve.initial,
            evolve.x0,
            evolve.sigma,
            evolve.k0,
            evolve.amplitude,
            coefficients,
            state_at,
        )
        return evolution_problem(
            potential,
            initial,
            evolve.t_end,
            evolve.n_times,
            boundary=evolve.boundary,
            kinetic=evolve.kinetic,
            cubic=evolve.cubic,
        )
    except ConfigError as err:
        raise err.under("evolve") from None
