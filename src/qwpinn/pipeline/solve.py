"""``qwpinn.solve``: the command line's run from Python, returning energies, errors and ψ.

``solve("potential=finite_well", "n_states=4")`` composes the same config as
``python scripts/train.py potential=finite_well n_states=4`` and trains it; the run writes
files only when ``output_dir`` is given.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from hydra import compose, initialize_config_dir

from qwpinn.methods.eigen import EigenState
from qwpinn.methods.energy import norm_squared
from qwpinn.pipeline.config import register_schemas
from qwpinn.pipeline.run import run

CONF = Path(__file__).resolve().parents[3] / "conf"
QUIET = (  # no output dir asked for: no logger, figure, checkpoints or progress bar
    "~logger",
    "~callbacks.wavefunction_figure",
    "~callbacks.checkpoint",
    "++trainer.enable_checkpointing=false",
    "trainer.enable_progress_bar=false",
)


@dataclass
class Solution:
    """The ``results`` (results.json as a dict) and the trained ``states`` (level 1 first)."""

    results: dict[str, Any]
    states: list[EigenState]

    @property
    def energies(self) -> np.ndarray:
        return np.array([s["energy"] for s in self.results["states"]])

    @property
    def errors(self) -> np.ndarray:
        """|E − E_ref| / |E_ref| of each state against the independent reference."""
        return np.array([s["energy_rel_error"] for s in self.results["states"]])

    @torch.no_grad()
    def psi(self, x: Any, n: int = 1) -> np.ndarray:
        """ψ_n normalised (∫ψ² = 1) at points x: (N,) in 1D or (N, d)."""
        state = self.states[n - 1]
        like = state.quad_x
        points = torch.as_tensor(np.asarray(x, dtype=float)).reshape(-1, like.shape[1]).to(like)
        scale = norm_squared(state.psi(state.quad_x), state.quad_w).rsqrt()
        return (state.psi(points) * scale).reshape(-1).cpu().numpy()

    def on_grid(self, points: int = 1001) -> tuple[np.ndarray, np.ndarray]:
        """x (points,) uniform on a 1D box and ψ_n there, (states, points)."""
        a, b = self.states[0].potential.box
        x = np.linspace(a, b, points)
        return x, np.array([self.psi(x, n) for n in range(1, len(self.states) + 1)])


def solve(*overrides: str, output_dir: str | Path | None = None) -> Solution:
    """Compose ``conf/config.yaml`` with the overrides, train, and return the Solution; the
    run dir is ``output_dir`` (everything the CLI writes), else a temporary dir, removed."""
    if output_dir is not None:
        return _solve(overrides, Path(output_dir))
    with tempfile.TemporaryDirectory(prefix="qwpinn-") as tmp:
        return _solve((*QUIET, *overrides), Path(tmp))


def _solve(overrides: Sequence[str], out: Path) -> Solution:
    register_schemas()
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        cfg = compose("config", overrides=[f"paths.output_dir={out}", *overrides])
    states: list[EigenState] = []
    results = run(cfg, overrides=list(overrides), trained=states)
    return Solution(results, states)
