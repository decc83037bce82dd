"""Shared helpers: compose the real Hydra config into a temporary run dir."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir
from omegaconf import DictConfig

from qwpinn.pipeline.config import register_schemas

ROOT = Path(__file__).resolve().parents[1]
CONF = ROOT / "conf"

# The same examples on every run and machine (a failure is reproduced by rerunning), and no
# example database; Hypothesis's other caches go to the temp dir, never into the checkout.
HYPOTHESIS_HOME = Path(tempfile.gettempdir()) / "qwpinn-hypothesis"
set_hypothesis_home_dir(HYPOTHESIS_HOME)
settings.register_profile("qwpinn", derandomize=True, database=None)
settings.load_profile("qwpinn")


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


@pytest.fixture
def make_config(tmp_path: Path):
    def make(*overrides: str, output: str = "run") -> DictConfig:
        return compose_config(tmp_path / output, *overrides)

    return make
