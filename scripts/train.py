"""Train one PINN configuration: ``python scripts/train.py potential=finite_well`` (-m to sweep)."""

from __future__ import annotations

import math
import os
import sys

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.errors import HydraException
from hydra.types import RunMode
from omegaconf import DictConfig
from omegaconf.errors import OmegaConfBaseException

from qwpinn.errors import ConfigError
from qwpinn.pipeline.run import run


@hydra.main(version_base="1.3", config_path="../conf", config_name="config")
def main(cfg: DictConfig) -> float:
    """Returns the ground-state energy error (task=evolve: the space–time L2 error): the
    objective for Hydra sweepers (NaN on failure: a failed trial, never an exception that
    would stop the sweep)."""
    hydra_cfg = HydraConfig.get()
    in_sweep = hydra_cfg.mode == RunMode.MULTIRUN
    try:
        results = run(cfg, overrides=list(hydra_cfg.overrides.task))
    except Exception as err:
        if isinstance(err, ConfigError):
            line = str(err)
        else:
            line = f"{type(err).__name__}: {err}".splitlines()[0]
        if in_sweep:  # recorded in results.json; the sibling jobs go on
            print(f"error: {line}", file=sys.stderr)
            return math.nan
        if isinstance(err, ConfigError):
            sys.exit(f"error: {line}")
        raise
    if "evolution" in results:
        return results["evolution"]["l2_error"]
    states = results["states"]
    return states[0]["energy_rel_error"] if states else math.nan


def one_line(err: BaseException) -> str:
    """A Hydra/OmegaConf error (and its cause) as one line: it names the key or option (the
    config search path Hydra appends is left out)."""
    parts = [str(err)] + ([str(err.__cause__)] if err.__cause__ else [])
    text = " ".join(parts).split("Config search path:")[0]
    return " ".join(text.split())


if __name__ == "__main__":
    os.environ.setdefault("HYDRA_FULL_ERROR", "1")  # let composition errors reach us whole
    try:
        main()
    except (HydraException, OmegaConfBaseException) as err:
        sys.exit(f"error: {one_line(err)}")
