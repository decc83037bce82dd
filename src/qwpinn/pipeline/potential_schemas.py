"""Typed schemas of the potential options: types only, every value in conf/potential/*.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from omegaconf import MISSING


@dataclass
class _BoxConf:
    _target_: str = MISSING
    box: list[float] = MISSING
    energy: str = MISSING


@dataclass
class InfiniteWellConf(_BoxConf):
    pass


@dataclass
class _StepConf(_BoxConf):
    v0: float = MISSING
    smoothing: float = MISSING  # tanh width w of every jump; 0: sharp


@dataclass
class FiniteWellConf(_StepConf):
    well: list[float] = MISSING


@dataclass
class BarrierConf(_StepConf):
    barrier: list[float] = MISSING


@dataclass
class PiecewiseConf(_BoxConf):
    pieces: list[Any] = MISSING  # [[x0, x1, V], ...]: checked by PiecewiseConstant (OmegaConf
    # refuses ints in a nested List[List[float]] override)
    smoothing: float = MISSING  # tanh width w of every jump; 0: sharp


@dataclass
class ExpressionConf(_BoxConf):
    name: str = MISSING
    formula: str = MISSING
    params: dict[str, float] = MISSING  # open: any parameter name
    panels: int = MISSING


@dataclass
class HeterostructureConf:
    _target_: str = MISSING
    layers: list[Any] = MISSING  # [{material, width} | {width, v, mass}]: checked by the class
    repeat: int = MISSING
    materials: dict[str, Any] = MISSING  # conf/materials/: compounds and alloys
    mass_model: str = MISSING
    mass: Optional[float] = MISSING  # noqa: UP045
    field: float = MISSING  # kV/cm
    energy: str = MISSING


@dataclass
class _BoxNDConf:  # a box of any dimension: [a, b] or [[a1, b1], [a2, b2], ...]
    _target_: str = MISSING
    box: Any = MISSING
    energy: str = MISSING


@dataclass
class GridConf(_BoxNDConf):
    name: str = MISSING
    cuts: Any = MISSING  # per axis, wall to wall: checked by GridPotential
    values: Any = MISSING  # nested d deep


@dataclass
class EmptyBoxConf(_BoxNDConf):
    panels: int = MISSING


@dataclass
class OscillatorConf(_BoxNDConf):
    name: str = MISSING
    omega: Any = MISSING  # one number or one per axis
    centre: Any = MISSING  # null (box centre), one number or one per axis
    panels: int = MISSING


@dataclass
class DrivenConf(_BoxConf):
    name: str = MISSING
    formula: str = MISSING  # in x and t
    params: dict[str, float] = MISSING
    panels: int = MISSING


@dataclass
class DiskConf(_BoxNDConf):
    centre: list[float] = MISSING
    radius: float = MISSING
    v0: float = MISSING
