"""The layering, the Python entry point and extension from outside the package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
from omegaconf import open_dict

import qwpinn
from conftest import configured
from qwpinn import reference
from qwpinn.pipeline.run import run

SRC = Path(qwpinn.__file__).resolve().parent
CORE = ("problems", "numerics", "reference", "models", "methods", "optim", "evaluation")

BLOCKED_CORE = """
import importlib, pkgutil, sys
for name in ("lightning", "pytorch_lightning", "hydra", "omegaconf"):
    sys.modules[name] = None  # any import of them now raises ImportError
import qwpinn
for package in {core!r}:
    module = importlib.import_module(f"qwpinn.{{package}}")
    for info in pkgutil.iter_modules(module.__path__):
        importlib.import_module(f"qwpinn.{{package}}.{{info.name}}")
import torch
from qwpinn.methods.eigen import EigenState
from qwpinn.models.ansatz import DomainAnsatz
from qwpinn.models.nets import MLP
from qwpinn.numerics.grading import domain_maps
from qwpinn.numerics.quadrature import problem_rules
from qwpinn.optim.tangent import TangentRitz
from qwpinn.problems import FiniteWell
torch.manual_seed(0)
well = FiniteWell(box=[0, 1], v0=100.0, well=[0.25, 0.75], energy="trainable", smoothing=0.0)
maps = domain_maps(well)
nets = [MLP(8, 2, "tanh", in_features=1, out_features=1) for _ in maps]
ansatz = DomainAnsatz(nets, maps, 0, [1.0] * len(maps)).double()
state = EigenState(ansatz, well, problem_rules(well, 32), 30.0, (), "projection")
# damping, rcond, trials, lengths
ritz = TangentRitz(ansatz.parameters(), 1e-4, None, (-1, 0), (1.0, 0.5, 2.0))
for _ in range(40):
    energy = ritz.step(state.nodal, state.jacobian, state.step_floor(), state.check_nodal)
print(energy.item())
"""


def test_the_physics_core_trains_with_lightning_and_hydra_blocked():
    """Every module of the core imports with Lightning, Hydra and OmegaConf unimportable, and
    40 TangentRitz steps on the core alone reach the finite well's exact level to 1e-8."""
    script = BLOCKED_CORE.format(core=CORE)
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True
    )

    exact = reference.solve(configured("finite_well"), 1).energies[0]
    assert abs(float(out.stdout.split()[-1]) - exact) / exact < 1e-8


def test_solve_returns_energies_errors_and_psi_and_writes_nothing(tmp_path, monkeypatch):
    """qwpinn.solve composes the CLI's config: two finite-well levels against the exact roots,
    ψ normalised and with the node count of its level, and no file written anywhere."""
    monkeypatch.chdir(tmp_path)
    solution = qwpinn.solve("potential=finite_well", "n_states=2", "torch_threads=1")
    exact = reference.solve(configured("finite_well"), 2)
    assert solution.results["status"] == "ok"
    np.testing.assert_allclose(solution.energies, exact.energies[:2], rtol=1e-8)
    assert (solution.errors < 1e-8).all()
    x, psi = solution.on_grid(2001)
    norms = (psi**2).sum(axis=1) * (x[1] - x[0])
    np.testing.assert_allclose(norms, 1.0, rtol=1e-4)
    ref = np.stack([exact.psi_at(n, x) for n in (1, 2)])
    np.testing.assert_allclose(np.abs(psi), np.abs(ref), atol=1e-3)
    assert list(tmp_path.iterdir()) == []


def test_a_potential_and_an_architecture_from_outside_the_package_train(make_config):
    """``_target_`` reaches classes that live outside qwpinn: a smooth cosine well (reference:
    Richardson finite differences) trained with a one-layer sine network per piece."""
    cfg = make_config("~logger", "callbacks.wavefunction_figure=null", "trainer.max_steps=400")
    with open_dict(cfg):
        cfg.potential = {"_target_": "outside.CosineWell", "box": [0.0, 1.0], "depth": 50.0}
        cfg.arch = {"_target_": "outside.SinePerceptron", "width": 16}
    results = run(cfg)
    state = results["states"][0]
    assert results["status"] == "ok" and results["potential"] == "cosine_well"
    assert state["energy_rel_error"] < 1e-4
