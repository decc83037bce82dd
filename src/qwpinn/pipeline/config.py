"""Typed configuration: schemas in Hydra's ConfigStore, and range checks before a run.

The schemas hold types only: every value, defaults included, is written once, in the YAML of
its option. Each option's YAML starts from its schema (``defaults: [<name>_schema, _self_]``),
so Hydra rejects a typo'd key or a value of the wrong type while composing; unknown group
options list the valid ones. Ranges no type can express (and that no constructor owns) are
checked by ``validate``. Every failure is reported as one line naming the key.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Optional

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, DictConfig, OmegaConf

from qwpinn.errors import ConfigError, integer_at_least, one_of
from qwpinn.pipeline.evolution_schemas import EvolveConf, GalerkinConf, SpacetimeConf
from qwpinn.pipeline.potential_schemas import (
    BarrierConf,
    DiskConf,
    DrivenConf,
    EmptyBoxConf,
    ExpressionConf,
    FiniteWellConf,
    GridConf,
    HeterostructureConf,
    InfiniteWellConf,
    OscillatorConf,
    PiecewiseConf,
)


@dataclass
class MLPConf:
    _target_: str = MISSING
    width: int = MISSING
    depth: int = MISSING
    activation: str = MISSING


@dataclass
class FourierConf(MLPConf):
    features: int = MISSING
    sigma: Optional[float] = MISSING  # noqa: UP045
    nodes: int = MISSING


@dataclass
class ModifiedMLPConf(MLPConf):
    pass


@dataclass
class GaussianConf(MLPConf):
    gaussians: int = MISSING
    feature_dim: int = MISSING
    sigma: Optional[float] = MISSING  # noqa: UP045
    nodes: int = MISSING


@dataclass
class SineConf:
    _target_: str = MISSING
    width: int = MISSING
    bandwidth: Optional[float] = MISSING  # noqa: UP045
    nodes: int = MISSING


@dataclass
class AnsatzConf:
    kind: str = MISSING
    kinks: bool = MISSING
    parity: Optional[str] = MISSING  # noqa: UP045 - OmegaConf reads typing.Optional


@dataclass
class AnnealingConf:
    main: str = MISSING
    every_n_steps: int = MISSING
    alpha: float = MISSING


@dataclass
class DomainAnsatzConf(AnsatzConf):
    width: Optional[int] = MISSING  # noqa: UP045 - hidden width of each piece's net; None: arch's
    width_nd: Optional[list[int]] = MISSING  # noqa: UP045 - [2D, 3D]: the one net of a box
    localize_nd: bool = MISSING  # smooth V in 2D/3D: the net under V's harmonic Gaussian
    width_localized_nd: Optional[list[int]] = MISSING  # noqa: UP045 - [2D, 3D]: that net's width
    monomial_degree: int = MISSING  # features: monomials of the offsets from G's (box) centre


@dataclass
class LossConf:
    _target_: str = MISSING
    weights: dict[str, float] = MISSING
    energy_update: str = MISSING
    normalize_psi: bool = MISSING
    annealing: Optional[AnnealingConf] = MISSING  # noqa: UP045


@dataclass
class OptimizerConf:
    adam: Any = MISSING
    scheduler: Any = MISSING
    energy_lr: float = MISSING
    adam_steps: int = MISSING
    adam_steps_pieces: Optional[int] = MISSING  # noqa: UP045
    refine: Any = MISSING
    stop_tol: float = MISSING
    stop_tol_cells: float = MISSING  # the same on a 2D/3D grid of constant cells
    stop_window: int = MISSING


@dataclass
class DataConf:
    _target_: str = MISSING
    sampler: str = MISSING
    n_points: int = MISSING
    steps_per_batch: int = MISSING
    rar: Any = MISSING  # residual-based adaptive resampling callback (data=rar)


@dataclass
class ExcitedConf:
    orthogonality: str = MISSING


@dataclass
class PathsConf:
    output_dir: str = MISSING
    state_dir: str = MISSING


@dataclass
class RunConf:
    """The primary config: groups stay open here, their own schemas type them."""

    task: str = MISSING
    evolve: EvolveConf = MISSING  # task=evolve only
    method: Any = MISSING  # task=evolve only: galerkin | spacetime
    potential: Any = MISSING
    arch: Any = MISSING
    ansatz: Any = MISSING
    loss: Any = MISSING
    optimizer: Any = MISSING
    data: Any = MISSING
    trainer: Any = MISSING
    logger: Any = None
    callbacks: Any = MISSING
    n_states: int = MISSING
    state: Optional[int] = MISSING  # noqa: UP045
    excited: ExcitedConf = MISSING
    seed: int = MISSING
    energy_init: Optional[float] = MISSING  # noqa: UP045
    quadrature_nodes: int = MISSING
    quadrature_nodes_nd: list[int] = MISSING  # per panel and axis in 2D, 3D
    quadrature_layers_nd: int = MISSING  # panels graded toward each cut of a 2D/3D grid
    torch_threads: int = MISSING
    ckpt_path: Optional[str] = MISSING  # noqa: UP045
    inject_nan_at_step: Optional[int] = MISSING  # noqa: UP045
    resume: bool = MISSING
    paths: PathsConf = MISSING


SCHEMAS = {
    ("potential", "infinite_well_schema"): InfiniteWellConf,
    ("potential", "finite_well_schema"): FiniteWellConf,
    ("potential", "barrier_schema"): BarrierConf,
    ("potential", "piecewise_schema"): PiecewiseConf,
    ("potential", "expression_schema"): ExpressionConf,
    ("potential", "heterostructure_schema"): HeterostructureConf,
    ("potential", "grid_schema"): GridConf,
    ("potential", "empty_box_schema"): EmptyBoxConf,
    ("potential", "oscillator_schema"): OscillatorConf,
    ("potential", "disk_schema"): DiskConf,
    ("potential", "driven_schema"): DrivenConf,
    ("method", "galerkin_schema"): GalerkinConf,
    ("method", "spacetime_schema"): SpacetimeConf,
    ("arch", "mlp_schema"): MLPConf,
    ("arch", "fourier_schema"): FourierConf,
    ("arch", "modified_mlp_schema"): ModifiedMLPConf,
    ("arch", "gaussian_schema"): GaussianConf,
    ("arch", "sine_schema"): SineConf,
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
    nd = OmegaConf.select(cfg, "quadrature_nodes_nd")
    if len(nd) != 2 or not all(isinstance(n, int) and n >= 2 for n in nd):
        raise ConfigError(
            "quadrature_nodes_nd", list(nd), "must be [nodes 2D, nodes 3D], each >= 2"
        )
    for key in ("ansatz.width_nd", "ansatz.width_localized_nd"):
        widths = OmegaConf.select(cfg, key)
        if widths is not None and (
            len(widths) != 2 or not all(isinstance(w, int) and w >= 1 for w in widths)
        ):
            raise ConfigError(key, list(widths), "must be [width 2D, width 3D], each >= 1")
    if OmegaConf.select(cfg, "ansatz.monomial_degree") is not None:
        _integer(cfg, "ansatz.monomial_degree", minimum=0)
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
    _number(cfg, "optimizer.stop_tol_cells", positive=False)
    _integer(cfg, "quadrature_layers_nd", minimum=0)
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
