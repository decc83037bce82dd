"""Shared helpers: compose the real Hydra config into a temporary run dir."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
import torch
from hydra import compose, initialize_config_dir
from hydra.utils import get_class
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir
from omegaconf import DictConfig, OmegaConf

from qwpinn.optim.phases import TangentPhase
from qwpinn.optim.tangent import TangentRitz
from qwpinn.pipeline.config import register_schemas

ROOT = Path(__file__).resolve().parents[1]
CONF = ROOT / "conf"

# The same examples on every run and machine (a failure is reproduced by rerunning), and no
# example database; Hypothesis's other caches go to the temp dir, never into the checkout.
HYPOTHESIS_HOME = Path(tempfile.gettempdir()) / "qwpinn-hypothesis"
set_hypothesis_home_dir(HYPOTHESIS_HOME)
settings.register_profile("qwpinn", derandomize=True, database=None)
settings.load_profile("qwpinn")

# Two workers share the cores (pyproject's `-n 2`): one thread each, for torch here and for
# the BLAS of every subprocess a test launches.
if "PYTEST_XDIST_WORKER" in os.environ:
    os.environ["OMP_NUM_THREADS"] = "1"
    torch.set_num_threads(1)


def compose_config(output_dir: Path, *overrides: str) -> DictConfig:
    """The config `scripts/train.py` would see, with its output under `output_dir`."""
    register_schemas()
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        return compose(
            "config",
            overrides=[
                f"paths.output_dir={output_dir}",
                "trainer.enable_progress_bar=false",
                *overrides,
            ],
        )


def configured(
    option: str, group: str = "potential", without: tuple[str, ...] = (), **changes: object
) -> object:
    """The object ``conf/<group>/<option>.yaml`` builds (its values, the only defaults there
    are), less the keys ``without``, with ``changes`` passed to the constructor as they are."""
    root = OmegaConf.load(CONF / "config.yaml")  # what its interpolations refer to
    root[group] = OmegaConf.load(CONF / group / f"{option}.yaml")
    values = OmegaConf.to_container(root[group], resolve=True)
    for key in ("defaults", *without):
        values.pop(key, None)
    return get_class(values.pop("_target_"))(**{**values, **changes})


def collocation(**changes: object) -> object:
    """The ``data=random`` DataModule (its RAR callback apart), with ``changes``."""
    return configured("random", "data", without=("rar",), **{"box": (0, 1), "seed": 0, **changes})


def tangent_phase(**changes: object) -> TangentPhase:
    """The TangentRitz phase as ``optimizer=adam_ritz`` configures it, with ``changes``."""
    values = OmegaConf.to_container(OmegaConf.load(CONF / "optimizer" / "adam_ritz.yaml").refine)
    return get_class(values.pop("_target_"))(**{**values, **changes})


def tangent_ritz(params: object, **changes: object) -> TangentRitz:
    """TangentRitz as ``optimizer=adam_ritz`` configures it, with ``changes``."""
    return TangentRitz(params, **tangent_phase(**changes).ritz)


def exact_layer_on_untrained_net(tmp_path: Path, *overrides: str) -> tuple[float, float]:
    """E[ψ] on the check rule after one output-layer Ritz (``linear_ritz``) on the untrained
    default net (seed 0) of the run ``overrides`` compose, and the reference's ground level."""
    from qwpinn import reference
    from qwpinn.optim.linear_ritz import linear_ritz
    from qwpinn.pipeline.build import build, build_module

    cfg = compose_config(tmp_path, *overrides)
    torch.manual_seed(0)
    potential = build("potential", cfg.potential)
    state = build_module(cfg, potential, potential.default_energy_init()).state.double()
    state.materialize(with_energy=False)
    params = state.ansatz.linear_parameters()
    rcond = tangent_phase().linear_rcond
    energy = linear_ritz(state.nodal, state.jacobian, params, rcond, 0.0, state.check_nodal)
    assert energy == state.check_nodal().energy().item()  # what it returns is what it left
    return energy, reference.solve(potential, 1).energies[0]


def network(option: str, **changes: object) -> torch.nn.Module:
    """The ``arch`` option's network, x (N, 1) → (N, 1) unless ``changes`` say otherwise."""
    return configured(option, "arch", **{"in_features": 1, "out_features": 1, **changes})


@pytest.fixture
def make_config(tmp_path: Path):
    def make(*overrides: str, output: str = "run") -> DictConfig:
        return compose_config(tmp_path / output, *overrides)

    return make
