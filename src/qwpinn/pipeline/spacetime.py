"""method=spacetime: the residual PINN on (x, t) (``methods.spacetime``), trained once on fixed
collocation points (Sobol in the box × [0, t_end]); no checkpoint: a killed run starts over."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from omegaconf import DictConfig

from qwpinn.errors import ConfigError
from qwpinn.methods.spacetime import SpacetimeState, train_spacetime
from qwpinn.pipeline.build import build


@dataclass
class SpacetimeTrajectory:
    """ψ(x, t_k) of the trained net: ``at(x)`` and ``derivative_at(x)`` are (Nt, M) complex."""

    state: SpacetimeState
    times: np.ndarray
    steps: int
    resumed_from: str | None = None
    report: dict[str, Any] = field(default_factory=dict)

    def at(self, x: np.ndarray) -> np.ndarray:
        return np.array([self.state.values(x, t)[0] for t in self.times])

    def derivative_at(self, x: np.ndarray) -> np.ndarray:
        return np.array([self.state.values(x, t)[1] for t in self.times])


def run_spacetime(cfg: DictConfig, evolution: Any, seed: int) -> SpacetimeTrajectory:
    """Build, train (Adam then L-BFGS) and return the space–time PINN of the config."""
    if not hasattr(evolution.initial, "parts"):
        raise ConfigError(
            "evolve.initial", "states", "method=spacetime takes initial=gaussian or sech"
        )
    m, potential = cfg.method, evolution.potential
    periodic = evolution.boundary == "periodic"
    harmonics = int(m.harmonics) if periodic else None
    inputs = 2 * int(m.harmonics) + 1 if periodic else 2
    net = build("arch", cfg.arch, in_features=inputs, out_features=2).double()
    state = SpacetimeState(
        net,
        potential.box,
        evolution.t_end,
        evolution.initial.parts,
        harmonics,
        evolution.kinetic,
        evolution.cubic,
    )
    engine = torch.quasirandom.SobolEngine(2, scramble=True, seed=seed)
    unit = engine.draw(int(m.n_points), dtype=torch.float64)
    a, b = potential.box
    x, t = a + (b - a) * unit[:, :1], evolution.t_end * unit[:, 1:]

    def v(xs: torch.Tensor, ts: torch.Tensor) -> torch.Tensor:
        if getattr(potential, "time_dependent", False):
            return potential.v_at(xs, ts)
        return potential(xs)

    limit = None if m.max_time_s is None else float(m.max_time_s)
    steps = (int(m.adam_steps), float(m.lr), int(m.lbfgs_steps), limit)
    history = train_spacetime(state, v, (x, t), *steps)
    report = {"final_loss": history[-1] if history else None, "parameters": _size(net)}
    return SpacetimeTrajectory(state, evolution.times, len(history), None, report)


def _size(net: torch.nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())
