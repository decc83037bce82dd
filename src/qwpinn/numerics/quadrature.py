"""Composite Gauss–Legendre rules on the pieces of a box, in their own coordinates.

∫ f dx = Σ_pieces ∫_0^1 f(X(t)) X'(t) dt, each piece split into equal panels in t with n
Gauss–Legendre nodes per panel: exact to degree 2n − 1 in t on every panel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from qwpinn.numerics.disk_rule import disk_rule
from qwpinn.numerics.grading import PieceMap, axis_maps


def mapped_rule(
    maps: Sequence[PieceMap], nodes: int, panels: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss–Legendre rule: ``panels`` equal panels in t on every piece (a graded one
    gets ``map.panels`` times as many), ``nodes`` per panel, ∫f dx = ∫ f(X(t)) X'(t) dt."""
    t, w = np.polynomial.legendre.leggauss(nodes)
    xs, ws = [], []
    for piece in maps:
        edges = np.linspace(0.0, 1.0, panels * piece.panels + 1)
        for lo, hi in zip(edges[:-1], edges[1:], strict=False):
            s = 0.5 * (hi - lo) * t + 0.5 * (hi + lo)
            xs.append(piece.x(s))
            ws.append(0.5 * (hi - lo) * w * piece.dx_dt(s))
    return np.concatenate(xs), np.concatenate(ws)


def gauss_legendre(
    box: Sequence[float], breakpoints: Sequence[float], nodes_per_piece: int, panels: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss–Legendre rule on box: `panels` equal panels per smooth piece of V."""
    cuts = [float(box[0]), *sorted(float(p) for p in breakpoints), float(box[1])]
    maps = [PieceMap(lo, hi) for lo, hi in zip(cuts[:-1], cuts[1:], strict=False)]
    return mapped_rule(maps, nodes_per_piece, panels)


@dataclass(frozen=True)
class Quadrature:
    """∫ f dx ≈ Σ_i w_i f(x_i): ``nodes`` (N, d), ``weights`` (N,) and the ``cells`` (N,)
    each node belongs to (a panel in 1D, a product of panels in d dims), all float64."""

    nodes: np.ndarray
    weights: np.ndarray
    cells: np.ndarray

    @property
    def dim(self) -> int:
        return self.nodes.shape[1]

    def integrate(self, values: np.ndarray) -> float:
        return float(np.sum(self.weights * np.asarray(values).reshape(-1)))

    def tensors(self, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Nodes (N, d) and weights (N, 1) in the dtype and on the device of ``like``."""
        nodes = torch.as_tensor(self.nodes, dtype=torch.float64).to(like)
        weights = torch.as_tensor(self.weights, dtype=torch.float64).reshape(-1, 1).to(like)
        return nodes, weights

    @classmethod
    def on_maps(cls, maps: Sequence[PieceMap], nodes: int, panels: int = 1) -> Quadrature:
        """The 1D composite rule of ``mapped_rule``, a cell per panel."""
        x, w = mapped_rule(maps, nodes, panels)
        return cls(x.reshape(-1, 1), w, np.arange(x.size) // nodes)

    def times(self, other: Quadrature) -> Quadrature:
        """The tensor-product rule on this box × the other's: nodes (N·M, d + d'), weights
        w_i·w'_j, cells numbered i_cell·(cells of other) + j_cell."""
        n, m = len(self.weights), len(other.weights)
        nodes = np.hstack([np.repeat(self.nodes, m, axis=0), np.tile(other.nodes, (n, 1))])
        weights = np.repeat(self.weights, m) * np.tile(other.weights, n)
        cells = np.repeat(self.cells, m) * (other.cells.max() + 1) + np.tile(other.cells, n)
        return Quadrature(nodes, weights, cells)


def problem_rules(potential: Any, nodes: int, layers: int = 0) -> tuple[Quadrature, Quadrature]:
    """The training rule (``nodes`` per panel and axis on the panels of ``grading.axis_maps``:
    in d dims their tensor product, split at every axis' cuts, ``layers`` graded toward each)
    and the check rule (2·nodes + 1 per panel and axis: exact to twice the degree, no node
    shared). A disk well (``potential.disk``) gets the same counts per axis on elements that
    follow its circle (``disk_rule``)."""
    panels = potential.quadrature_panels
    if hasattr(potential, "disk"):
        fine = Quadrature(*disk_rule(potential, 2 * nodes + 1, panels))
        return Quadrature(*disk_rule(potential, nodes, panels)), fine
    axes = axis_maps(potential, layers)
    return product_rule(axes, nodes, panels), product_rule(axes, 2 * nodes + 1, panels)


def product_rule(axes: Sequence[Sequence[PieceMap]], nodes: int, panels: int = 1) -> Quadrature:
    """∫ f dx_1 … dx_d ≈ Σ (Π_k w_k) f: the tensor product of each axis' composite rule
    (``Quadrature.on_maps``), the first axis slowest; one cell per product of panels."""
    rule = Quadrature.on_maps(axes[0], nodes, panels)
    for maps in axes[1:]:
        rule = rule.times(Quadrature.on_maps(maps, nodes, panels))
    return rule
