"""Range checks of the composed configuration, before anything is built.

Hydra rejects unknown keys (the config is in struct mode) and unknown group options; the
constructors check their own arguments. This covers the top-level and trainer/optimizer
values that no constructor owns. Each failure is one ``ConfigError`` line naming the key.
"""

from __future__ import annotations

import math
from typing import Any

from omegaconf import DictConfig, OmegaConf

from qwpinn.errors import ConfigError

PRECISIONS = ("64-true", "64", "32-true", "32", "bf16-mixed", "16-mixed")


def validate(cfg: DictConfig) -> None:
    """Raise ConfigError for the first out-of-range value of the run's own settings."""
    _integer(cfg, "seed", minimum=0)
    _integer(cfg, "n_states", minimum=1)
    if OmegaConf.select(cfg, "state") is not None:
        _integer(cfg, "state", minimum=1)
    _integer(cfg, "quadrature_nodes", minimum=2)
    _integer(cfg, "torch_threads", minimum=1)
    _integer(cfg, "trainer.max_steps", minimum=1)
    precision = OmegaConf.select(cfg, "trainer.precision")
    if str(precision) not in PRECISIONS:
        raise ConfigError("trainer.precision", precision, f"must be one of {', '.join(PRECISIONS)}")
    _integer(cfg, "optimizer.adam_steps", minimum=0)
    _integer(cfg, "optimizer.stop_window", minimum=1)
    for key in ("optimizer.adam.lr", "optimizer.energy_lr", "optimizer.lbfgs.lr"):
        if OmegaConf.select(cfg, key) is not None:
            _number(cfg, key, positive=True)
    _number(cfg, "optimizer.stop_tol", positive=False)
    if OmegaConf.select(cfg, "inject_nan_at_step") is not None:
        _integer(cfg, "inject_nan_at_step", minimum=0)


def _integer(cfg: DictConfig, key: str, minimum: int) -> None:
    value = OmegaConf.select(cfg, key)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(key, value, f"must be an integer >= {minimum}")


def _number(cfg: DictConfig, key: str, positive: bool) -> None:
    value: Any = OmegaConf.select(cfg, key)
    bound = "> 0" if positive else ">= 0"
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or (value <= 0 if positive else value < 0):
        raise ConfigError(key, value, f"must be a finite number {bound}")
