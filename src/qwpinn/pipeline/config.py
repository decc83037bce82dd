"""Typed configuration: schemas in Hydra's ConfigStore, and range checks before a run.

Each group option's YAML starts from its schema (``defaults: [<name>_schema, _self_]``), so
Hydra rejects a typo'd key or a value of the wrong type while composing; unknown group
options list the valid ones. Ranges no type can express (and that no constructor owns) are
checked by ``validate``. Every failure is reported as one line naming the key.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Optional

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, DictConfig, OmegaConf

from qwpinn.errors import ConfigError, integer_at_least, one_of


def _pair(lo: float, hi: float) -> Any:
    return field(default_factory=lambda: [lo, hi])


@dataclass
class _BoxConf:
    _target_: str = MISSING
    box: list[float] = _pair(0.0, 1.0)
    energy: str = "trainable"


@dataclass
class InfiniteWellConf(_BoxConf):
    _target_: str = "qwpinn.problems.potentials.InfiniteWell"
    energy: str = "fixed"


@dataclass
class _StepConf(_BoxConf):
    v0: float = 100.0
    smoothing: float = 0.0  # tanh width w of every jump; 0: sharp


@dataclass
class FiniteWellConf(_StepConf):
    _target_: str = "qwpinn.problems.potentials.FiniteWell"
    well: list[float] = _pair(0.25, 0.75)


@dataclass
class BarrierConf(_StepConf):
    _target_: str = "qwpinn.problems.potentials.Barrier"
    barrier: list[float] = _pair(0.45, 0.55)


@dataclass
class PiecewiseConf(_BoxConf):
    _target_: str = "qwpinn.problems.potentials.PiecewiseConstant"
    pieces: list[Any] = MISSING  # [[x0, x1, V], ...]: checked by PiecewiseConstant (OmegaConf
    # refuses ints in a nested List[List[float]] override)
    smoothing: float = 0.0  # tanh width w of every jump; 0: sharp


@dataclass
class ExpressionConf(_BoxConf):
    _target_: str = "qwpinn.problems.potentials.Expression"
    name: str = "expression"
    formula: str = MISSING
    params: dict[str, float] = field(default_factory=dict)  # open: any parameter name
    panels: int = 4


@dataclass
class MLPConf:
    _target_: str = "qwpinn.models.nets.MLP"
    width: int = 32
    depth: int = 3
    activation: str = "tanh"


@dataclass
class FourierConf(MLPConf):
    _target_: str = "qwpinn.models.nets.FourierMLP"
    features: int = 16
    sigma: Optional[float] = None  # noqa: UP045
    nodes: int = 32


@dataclass
class ModifiedMLPConf(MLPConf):
    _target_: str = "qwpinn.models.nets.ModifiedMLP"


@dataclass
class GaussianConf(MLPConf):
    _target_: str = "qwpinn.models.nets.GaussianMLP"
    gaussians: int = 16
    feature_dim: int = 4
    sigma: Optional[float] = None  # noqa: UP045
    width: int = 16
    depth: int = 1
    nodes: int = 32


@dataclass
class AnsatzConf:
    kind: str = "dirichlet"
    kinks: bool = False
    parity: Optional[str] = None  # noqa: UP045 - OmegaConf reads typing.Optional


@dataclass
class AnnealingConf:
    main: str = "residual"
    every_n_steps: int = 10
    alpha: float = 0.1


@dataclass
class DomainAnsatzConf(AnsatzConf):
    kind: str = "domain"
    width: Optional[int] = None  # noqa: UP045 - hidden width of each piece's net; None: arch's


@dataclass
class LossConf:
    weights: dict[str, float] = field(default_factory=dict)
    energy_update: str = "rayleigh"
    normalize_psi: bool = True
    annealing: Optional[AnnealingConf] = None  # noqa: UP045


@dataclass
class OptimizerConf:
    adam: Any = MISSING
    scheduler: Any = None
    energy_lr: float = 0.1
    adam_steps: int = 300
    adam_steps_pieces: Optional[int] = None  # noqa: UP045
    refine: Any = None
    stop_tol: float = 0.0
    stop_window: int = 50


@dataclass
class DataConf:
    _target_: str = "qwpinn.lightning.data.CollocationDataModule"
    sampler: str = "random"
    n_points: int = 1024
    steps_per_batch: int = 10
    rar: Any = None  # residual-based adaptive resampling callback (data=rar)


@dataclass
class ExcitedConf:
    orthogonality: str = "projection"


@dataclass
class PathsConf:
    output_dir: str = MISSING
    state_dir: str = MISSING


@dataclass
class RunConf:
    """The primary config: groups stay open here, their own schemas type them."""

    potential: Any = MISSING
    arch: Any = MISSING
    ansatz: Any = MISSING
    loss: Any = MISSING
    optimizer: Any = MISSING
    data: Any = MISSING
    trainer: Any = MISSING
    logger: Any = None
    callbacks: Any = field(default_factory=dict)
    n_states: int = 1
    state: Optional[int] = None  # noqa: UP045
    excited: ExcitedConf = field(default_factory=ExcitedConf)
    seed: int = 0
    energy_init: Optional[float] = None  # noqa: UP045
    quadrature_nodes: int = 64
    torch_threads: int = 1
    ckpt_path: Optional[str] = None  # noqa: UP045
    inject_nan_at_step: Optional[int] = None  # noqa: UP045
    resume: bool = True
    paths: PathsConf = field(default_factory=PathsConf)


SCHEMAS = {
    ("potential", "infinite_well_schema"): InfiniteWellConf,
    ("potential", "finite_well_schema"): FiniteWellConf,
    ("potential", "barrier_schema"): BarrierConf,
    ("potential", "piecewise_schema"): PiecewiseConf,
    ("potential", "expression_schema"): ExpressionConf,
    ("arch", "mlp_schema"): MLPConf,
    ("arch", "fourier_schema"): FourierConf,
    ("arch", "modified_mlp_schema"): ModifiedMLPConf,
    ("arch", "gaussian_schema"): GaussianConf,
    ("ansatz", "ansatz_schema"): AnsatzConf,
    ("ansatz", "domain_ansatz_schema"): DomainAnsatzConf,
    ("loss", "loss_schema"): LossConf,
    ("optimizer", "optimizer_schema"): OptimizerConf,
    ("data", "data_schema"): DataConf,
}


def register_schemas() -> None:
    """Store every schema in Hydra's ConfigStore (idempotent; done on import)."""
    store = ConfigStore.instance()
    store.store(name="qwpinn_schema", node=RunConf)
    for (group, name), node in SCHEMAS.items():
        store.store(group=group, name=name, node=node)


register_schemas()

PRECISIONS = ("64-true", "64", "32-true", "32", "bf16-mixed", "16-mixed")


def validate(cfg: DictConfig) -> None:
    """Raise ConfigError for the first out-of-range value of the run's own settings."""
    _integer(cfg, "seed", minimum=0)
    _integer(cfg, "n_states", minimum=1)
    if OmegaConf.select(cfg, "state") is not None:
        _integer(cfg, "state", minimum=1)
    _integer(cfg, "quadrature_nodes", minimum=2)
    if OmegaConf.select(cfg, "arch.width") is not None:  # ansatz=domain sets its own width
        _integer(cfg, "arch.width", minimum=1)
    _integer(cfg, "torch_threads", minimum=1)
    _integer(cfg, "trainer.max_steps", minimum=1)
    one_of("trainer.precision", str(OmegaConf.select(cfg, "trainer.precision")), PRECISIONS)
    _integer(cfg, "optimizer.adam_steps", minimum=0)
    if OmegaConf.select(cfg, "optimizer.adam_steps_pieces") is not None:
        _integer(cfg, "optimizer.adam_steps_pieces", minimum=0)
    _integer(cfg, "data.steps_per_batch", minimum=1)
    _integer(cfg, "optimizer.stop_window", minimum=1)
    for key in ("optimizer.adam.lr", "optimizer.energy_lr", "optimizer.refine.optimizer.lr"):
        if OmegaConf.select(cfg, key) is not None:
            _number(cfg, key, positive=True)
    _number(cfg, "optimizer.stop_tol", positive=False)
    if OmegaConf.select(cfg, "inject_nan_at_step") is not None:
        _integer(cfg, "inject_nan_at_step", minimum=0)


def _integer(cfg: DictConfig, key: str, minimum: int) -> None:
    integer_at_least(key, OmegaConf.select(cfg, key), minimum)


def _number(cfg: DictConfig, key: str, positive: bool) -> None:
    value: Any = OmegaConf.select(cfg, key)
    bound = "> 0" if positive else ">= 0"
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or (value <= 0 if positive else value < 0):
        raise ConfigError(key, value, f"must be a finite number {bound}")
