"""method=galerkin: the network on the problem's rule, θ(0) fitted to ψ0, θ(t) marched, with a
checkpoint (θ, time index, step size) at every output time that a re-launched run resumes."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from omegaconf import DictConfig

from qwpinn.methods.galerkin import GalerkinState
from qwpinn.methods.galerkin_features import FeatureGalerkin
from qwpinn.methods.galerkin_fit import fit_initial
from qwpinn.methods.march import MarchState, march
from qwpinn.models.ansatz import DirichletAnsatz
from qwpinn.models.periodic import PeriodicAnsatz
from qwpinn.numerics.grading import quadrature_maps
from qwpinn.numerics.quadrature import Quadrature
from qwpinn.pipeline.build import build

CHECKPOINT = Path("checkpoints") / "evolution.pt"


@dataclass
class Trajectory:
    """ψ_θ(t_k) for the output times: ``at(x)`` is (Nt, M) complex; ``steps`` the right-hand
    sides evaluated, ``report`` the method's own numbers for results.json."""

    state: GalerkinState
    thetas: list[np.ndarray]
    steps: int
    resumed_from: str | None
    report: dict[str, Any] = field(default_factory=dict)

    def at(self, x: np.ndarray) -> np.ndarray:
        return np.array([self.state.psi(theta, x) for theta in self.thetas])

    def derivative_at(self, x: np.ndarray) -> np.ndarray:
        return np.array([self.state.derivative(theta, x) for theta in self.thetas])


def galerkin_rules(potential: Any, nodes: int, panels: int) -> tuple[Quadrature, Quadrature]:
    """The rule θ̇ is projected on (``nodes`` per panel, ``panels`` per smooth piece of V) and
    its check rule (2·nodes + 1 per panel, no node shared)."""
    maps = quadrature_maps(potential)
    return Quadrature.on_maps(maps, nodes, panels), Quadrature.on_maps(maps, 2 * nodes + 1, panels)


def trial_function(cfg: DictConfig, evolution: Any) -> torch.nn.Module:
    """The ``arch`` net with two outputs under exact walls, or on the periodic embedding."""
    box = evolution.potential.box
    if evolution.boundary == "periodic":
        harmonics = int(cfg.method.harmonics)
        net = build("arch", cfg.arch, in_features=2 * harmonics, out_features=2)
        return PeriodicAnsatz(net, box, harmonics)
    return DirichletAnsatz(build("arch", cfg.arch, in_features=1, out_features=2), box)


def run_galerkin(cfg: DictConfig, evolution: Any, out: Path) -> Trajectory:
    """θ(0) by ``fit_initial``, then the march (``galerkin_flow``); resumes from the run dir's
    checkpoint."""
    m = cfg.method
    rule, _ = galerkin_rules(evolution.potential, int(m.nodes), int(m.panels))
    state = GalerkinState(
        trial_function(cfg, evolution),
        rule.nodes,
        rule.weights,
        evolution.v_eff,
        evolution.kinetic,
        float(m.rcond),
        float(m.damping),
    )
    path = out / CHECKPOINT
    saved = torch.load(path, weights_only=False) if cfg.resume and path.is_file() else None
    start_time = time.perf_counter()
    if saved is None:
        misfit = fit_initial(state, evolution.initial(state.x), int(m.fit_steps), float(m.fit_tol))
        thetas, index, step, evaluations = [state.theta], 0, None, 0
    else:
        misfit, thetas = saved["fit_misfit"], list(saved["thetas"])
        index, step, evaluations = saved["index"], saved["step"], saved["evaluations"]
    fit_time = time.perf_counter() - start_time
    velocity, coordinates, to_theta, cutoff = galerkin_flow(state, thetas[0], m)
    start = MarchState(index, coordinates(thetas[-1]), step, evaluations)

    def reached(now: MarchState) -> None:
        thetas.append(to_theta(now.theta))
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"thetas": thetas, "index": now.index, "step": now.step, "fit_misfit": misfit}
        torch.save({**payload, "evaluations": now.evaluations}, path)

    end = march(velocity, evolution.times, start, m.integrator, m.rtol, m.atol, reached)
    report = {
        "fit_misfit": misfit,
        "fit_time_s": round(fit_time, 3),
        "energy_cutoff": cutoff,
        "parameters": int(state.theta.size),
        "nodes": int(state.x.size),
    }
    resumed = str(path) if saved is not None else None
    return Trajectory(state, thetas, end.evaluations, resumed, report)


def galerkin_flow(state: GalerkinState, theta: np.ndarray, m: DictConfig) -> tuple[Any, ...]:
    """(velocity, θ → marched coordinates, back, E_c): the output layer's coefficients on the
    fitted features (``marched: output``) or all of θ (``all``), from θ(0) = ``theta``."""
    if m.marched == "output":
        features = FeatureGalerkin(state, theta, float(m.cutoff))
        return features.velocity, features.coefficients, features.theta, features.cutoff
    cutoff = state.calibrate(theta, float(m.cutoff))
    return state.velocity, np.copy, np.copy, cutoff
