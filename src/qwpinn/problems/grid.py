"""Piecewise-constant V on a tensor grid of cells in d = 1, 2, 3: V = values[i][j][k] on the
cell [x_i, x_{i+1}) × [y_j, y_{j+1}) × [z_k, z_{k+1}) of −Δψ + Vψ = Eψ."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from qwpinn.errors import ConfigError, finite_number
from qwpinn.problems.base import Potential
from qwpinn.problems.box import Box

ADDITIVE_TOLERANCE = 1e-12  # values[i][j] = a_i + b_j to this (relative): V is separable


class GridPotential(Potential):
    """V = values[i][j]... on the tensor cells between the per-axis ``cuts``.

    The config's ``cuts[k]`` lists axis k's cut points from wall to wall (first and last: the
    box walls), kept as ``edges``; the attribute ``cuts`` holds each axis's interior cuts only
    (arrays, possibly empty), where V jumps and quadratures split. ``values`` is nested d deep,
    values[i][j] on x-cell i and y-cell j (d = 1: a flat list, the problem of ``piecewise``).
    A jump belongs to the cell above it (x ≥ x_i). ``name`` labels the results.
    """

    name = "grid"
    jumps_on_cuts = True  # V is constant inside each cell: the reference grades toward the cuts
    constant_on_cells = True

    def __init__(
        self, box: Sequence[Any] | Box, cuts: Any, values: Any, energy: str, name: str
    ) -> None:
        super().__init__(box, energy)
        self.name = str(name)
        self.edges = _checked_cuts(cuts, self.domain)
        self.values = _checked_values(values, self.edges)
        self.cuts = [edges[1:-1] for edges in self.edges]
        if self.dim == 1:
            edges = self.edges[0]
            self.pieces = [
                (float(x0), float(x1), float(v))
                for x0, x1, v in zip(edges[:-1], edges[1:], self.values, strict=True)
            ]

    @property
    def breakpoints(self) -> list[float]:
        """1D: the interior cuts, where V jumps; d > 1: none (use ``cuts``)."""
        return [float(x) for x in self.cuts[0]] if self.dim == 1 else []

    def v_of(self, *coords: Any) -> Any:
        """V at the coordinate columns (numpy arrays or torch tensors): the value of each
        point's cell, found by counting the interior cuts at or below it on every axis."""
        flat = 0.0 * coords[0]
        for x, cuts, stride in zip(coords, self.cuts, _strides(self.values.shape), strict=True):
            for cut in cuts:
                flat = flat + stride * (x >= cut)
        table = self.values.ravel()
        if isinstance(flat, (np.ndarray, np.generic, float)):
            return table[np.asarray(flat).astype(int)]
        return flat.new_tensor(table)[flat.long()]

    def mean(self) -> float:
        """(1/|Ω|) Σ_cells |cell| V_cell: exact."""
        volumes = np.ones(())
        for edges in self.edges:
            volumes = np.multiply.outer(volumes, np.diff(edges))
        return float(np.sum(volumes * self.values) / self.domain.volume)

    def factors(self) -> list[Potential] | None:
        """1D grids V_k with V = Σ_k V_k(x_k) when the values are additive, else None."""
        parts = additive_parts(self.values)
        if parts is None:
            return None
        return [
            GridPotential(
                edges[[0, -1]].tolist(),
                [edges.tolist()],
                part.tolist(),
                self.energy_mode,
                f"{self.name}_{axis}",
            )
            for axis, (edges, part) in enumerate(zip(self.edges, parts, strict=True))
        ]


def additive_parts(values: np.ndarray) -> list[np.ndarray] | None:
    """a_k (one array per axis) with values[i, j, ...] = a_0[i] + a_1[j] + ..., or None."""
    parts = []
    for axis in range(values.ndim):
        others = tuple(k for k in range(values.ndim) if k != axis)
        parts.append(values.mean(axis=others) - (values.mean() if axis else 0.0))
    total = sum(
        np.expand_dims(part, tuple(k for k in range(values.ndim) if k != axis))
        for axis, part in enumerate(parts)
    )
    scale = max(float(np.abs(values).max()), 1.0)
    if np.max(np.abs(total - values)) > ADDITIVE_TOLERANCE * scale:
        return None
    return parts


def _strides(shape: tuple[int, ...]) -> list[int]:
    """Row-major strides of a cell index: flat = Σ_k index_k · stride_k."""
    return [int(np.prod(shape[k + 1 :])) for k in range(len(shape))]


def _checked_cuts(value: Any, box: Box) -> list[np.ndarray]:
    """The per-axis cut points as arrays, increasing, from wall to wall of ``box``."""
    if isinstance(value, (int, float, str)) or not isinstance(value, Sequence) or not value:
        raise ConfigError("cuts", value, "must be one increasing list of cuts per axis")
    rows = value if isinstance(value[0], Sequence) else [value]
    if len(rows) != box.dim:
        raise ConfigError("cuts", value, f"needs one list per axis of the {box.dim}D box")
    cuts = []
    for row, (a, b) in zip(rows, box.bounds, strict=True):
        if isinstance(row, str) or not isinstance(row, Sequence) or len(row) < 2:
            raise ConfigError("cuts", value, "each axis needs at least its two walls")
        edges = np.array([finite_number("cuts", x) for x in row])
        if not np.all(np.diff(edges) > 0.0):
            raise ConfigError("cuts", value, "the cuts of each axis must be increasing")
        if edges[0] != a or edges[-1] != b:
            raise ConfigError(
                "cuts", value, f"each axis must run from wall to wall of the box {box.tolist()}"
            )
        edges.setflags(write=False)
        cuts.append(edges)
    return cuts


def _checked_values(value: Any, cuts: list[np.ndarray]) -> np.ndarray:
    """values as a float array of shape (cells on x, cells on y, ...), every entry finite."""
    shape = tuple(len(edges) - 1 for edges in cuts)
    allowed = f"must be nested {len(cuts)} deep, {' × '.join(map(str, shape))} finite numbers"
    try:
        array = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise ConfigError("values", value, allowed) from None
    if array.shape != shape or not np.all(np.isfinite(array)):
        raise ConfigError("values", value, allowed)
    array.setflags(write=False)
    return array
