"""Typed keys of task=evolve: the ``evolve`` node and the ``method`` group's options (types
only: every value is written once, in the option's YAML; ``pipeline.config`` registers them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from omegaconf import MISSING


@dataclass
class EvolveReferenceConf:
    modes: int = MISSING
    nodes: int = MISSING
    steps: int = MISSING


@dataclass
class EvolveConf:
    initial: str = MISSING
    x0: float = MISSING
    sigma: float = MISSING
    k0: float = MISSING
    amplitude: float = MISSING
    coefficients: Optional[list[float]] = MISSING  # noqa: UP045
    boundary: str = MISSING
    kinetic: float = MISSING
    cubic: float = MISSING
    t_end: float = MISSING
    n_times: int = MISSING
    n_x: int = MISSING
    error_tol: float = MISSING
    norm_tol: float = MISSING
    published_modulus_error: Optional[float] = MISSING  # noqa: UP045
    reference: EvolveReferenceConf = MISSING


@dataclass
class GalerkinConf:
    name: str = MISSING
    nodes: int = MISSING
    panels: int = MISSING
    rcond: float = MISSING
    damping: float = MISSING
    cutoff: float = MISSING
    marched: str = MISSING
    bandwidth: float = MISSING
    integrator: str = MISSING
    rtol: float = MISSING
    atol: float = MISSING
    fit_steps: int = MISSING
    fit_tol: float = MISSING
    harmonics: int = MISSING


@dataclass
class SpacetimeConf:
    name: str = MISSING
    n_points: int = MISSING
    adam_steps: int = MISSING
    lr: float = MISSING
    lbfgs_steps: int = MISSING
    max_time_s: Optional[float] = MISSING  # noqa: UP045
    harmonics: int = MISSING
