"""The potentials V of −∇·(c∇ψ) + Vψ = Eψ (c = 1): 1D piecewise-constant wells and barriers,
and V from a formula in x, y, z on a box of any dimension."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from qwpinn.errors import ConfigError, finite_number, integer_at_least
from qwpinn.problems.base import Potential
from qwpinn.problems.box import Box
from qwpinn.problems.expression import compile_formula

SMOOTH_REACH = 10.0  # |x − x_j| / w beyond which a tanh step is flat to 1 − tanh(10) ≈ 4e-9
FINITE_CHECK = {1: 1001, 2: 201, 3: 41}  # grid points per axis where a formula must be finite


class Expression(Potential):
    """V from a formula in the box's coordinates with named parameters, e.g.
    ``omega**2*(x-c)**2`` in [a, b] or ``omega**2*(x**2 + y**2)`` in [[a1, b1], [a2, b2]]; the
    box sets d and so which of x, y, z the formula may use (no eval)."""

    name = "expression"
    time_names: tuple[str, ...] = ()  # further names a formula may use (t for V(x, t))

    def __init__(
        self,
        box: Sequence[Any] | Box,
        formula: str,
        params: Mapping[str, float] | None,
        energy: str,
        panels: int,
        name: str,
    ) -> None:
        super().__init__(box, energy)
        params = {k: finite_number(f"params.{k}", v) for k, v in dict(params or {}).items()}
        self.quadrature_panels = integer_at_least("panels", panels)
        self.formula, self.params, self.name = formula, params, str(name)
        self._v = compile_formula(formula, params, self.dim, extra=self.time_names)
        self.refuse_non_finite()

    def refuse_non_finite(self) -> None:
        """One ConfigError line unless V is finite on a grid of the box."""
        if not np.all(np.isfinite(self(self.domain.grid(FINITE_CHECK[self.dim])))):
            box = self.domain.tolist()
            raise ConfigError("formula", self.formula, f"must be finite on the box {box}")

    def v_of(self, *coords: Any) -> Any:
        """V at the coordinate columns (numpy arrays or torch tensors)."""
        return self._v(*coords)


class PiecewiseConstant(Potential):
    """V(x) = V_i on [x_i, x_{i+1}); the pieces tile the 1D box [a, b] without gaps.

    ``smoothing`` w > 0 replaces each jump ΔV_j at x_j by the smooth step
    ΔV_j · ½(1 + tanh((x − x_j)/w)); V is then smooth (``pieces`` is None, the reference is
    finite differences) and ``sharp()`` is the w = 0 problem it approximates.
    """

    name = "piecewise"

    def __init__(
        self,
        box: Sequence[float],
        pieces: Sequence[Sequence[float]],
        energy: str,
        smoothing: float,
    ) -> None:
        super().__init__(_interval_box(box), energy)
        self.steps = _tiling("pieces", pieces, self.box)
        self.smoothing = finite_number("smoothing", smoothing, "must be a finite number >= 0")
        if self.smoothing < 0.0:
            raise ConfigError("smoothing", smoothing, "must be a finite number >= 0 (0: sharp)")
        self.pieces = None if self.smoothing else self.steps

    @property
    def breakpoints(self) -> list[float]:
        """Interior points where V jumps (or, smoothed, the centre of each step)."""
        return [p[0] for p in self.steps[1:]]

    @property
    def quadrature_cuts(self) -> list[float]:
        """The jumps; smoothed, also x_j ± SMOOTH_REACH·w (beyond them V is flat to e⁻²⁰), so
        every Gauss–Legendre panel sees either the step's core or an almost constant V."""
        reach = SMOOTH_REACH * self.smoothing
        a, b = self.box
        cuts: list[float] = []
        for x in sorted(x + d for x in self.breakpoints for d in (-reach, 0.0, reach)):
            if a + 1e-9 * self.length < x < b - 1e-9 * self.length:
                if not cuts or x - cuts[-1] > 1e-9 * self.length:  # one cut where two meet
                    cuts.append(x)
        return cuts

    def sharp(self) -> PiecewiseConstant:
        """The same problem with sharp jumps (w = 0)."""
        if not self.smoothing:
            return self
        twin = copy.copy(self)
        twin.smoothing, twin.pieces = 0.0, self.steps
        return twin

    def v_of(self, x: Any) -> Any:
        """V at x values (a numpy array or a torch tensor, any shape)."""
        v = 0.0 * x + self.steps[0][2]
        for x0, _, value in self.steps[1:]:
            jump = value - _previous_value(self.steps, x0)
            if self.smoothing:
                v = v + jump * 0.5 * (1.0 + _tanh((x - x0) / self.smoothing))
            else:
                v = v + jump * step_at(x, x0)
        return v

    def mean(self) -> float:
        """(1/L) ∫_a^b V dx, exactly for sharp steps (a smoothed step moves no area inside the
        box, up to its tails beyond the walls)."""
        if self.smoothing:
            return super().mean()
        return sum((x1 - x0) * v for x0, x1, v in self.steps) / self.length


class InfiniteWell(PiecewiseConstant):
    """V = 0 in the box: E_n = n²π²/L², ψ_n = √(2/L) sin(nπ(x−a)/L). Energy fixed by default."""

    name = "infinite_well"

    def __init__(self, box: Sequence[float], energy: str) -> None:
        box = _interval_box(box)
        super().__init__(box, [[box[0], box[1], 0.0]], energy, 0.0)


class _OneStep(PiecewiseConstant):
    """V = v0 for left < x < right and 0 elsewhere in the box (``inside_is_v0``), or the
    reverse; a subclass names the (left, right) pair ``edges_key`` and keeps it under it."""

    edges_key = "edges"
    inside_is_v0 = True

    def __init__(
        self,
        edges: Sequence[float],
        box: Sequence[float],
        v0: float,
        energy: str,
        smoothing: float,
    ) -> None:
        box = _interval_box(box)
        self.v0 = finite_number("v0", v0)
        left, right = _inner_interval(self.edges_key, edges, box)
        setattr(self, self.edges_key, (left, right))
        inside, outside = (self.v0, 0.0) if self.inside_is_v0 else (0.0, self.v0)
        super().__init__(box, _three_pieces(box, left, right, outside, inside), energy, smoothing)


class FiniteWell(_OneStep):
    """V = 0 for left < x < right, V = v0 elsewhere in the box (box, v0, energy, smoothing)."""

    name, edges_key, inside_is_v0 = "finite_well", "well", False

    def __init__(self, *, well: Sequence[float], **common: Any) -> None:
        super().__init__(well, **common)


class Barrier(_OneStep):
    """V = v0 for left < x < right, V = 0 elsewhere in the box (box, v0, energy, smoothing)."""

    name, edges_key, inside_is_v0 = "barrier", "barrier", True

    def __init__(self, *, barrier: Sequence[float], **common: Any) -> None:
        super().__init__(barrier, **common)


def _three_pieces(box, left, right, outside, inside) -> list[list[float]]:
    pieces = [[box[0], left, outside], [left, right, inside], [right, box[1], outside]]
    return [p for p in pieces if p[1] > p[0]]


def step_at(x: Any, x0: float) -> Any:
    """H(x − x0): 1 where x ≥ x0, else 0, in the dtype of x (a bool mask times a Python float
    would be torch's default float32 and round every jump it scales)."""
    return 0.0 * x + (x >= x0)


def _tanh(z: Any) -> Any:
    """tanh of a numpy array or a torch tensor."""
    return np.tanh(z) if isinstance(z, (float, np.ndarray, np.generic)) else z.tanh()


def _previous_value(pieces, x0) -> float:
    return next(p[2] for p in pieces if p[1] == x0)


def _pair(key: str, value: Any) -> tuple[float, float]:
    if isinstance(value, str) or not isinstance(value, Sequence) or len(value) != 2:
        raise ConfigError(key, value, "must be a pair [lo, hi] of finite numbers")
    return finite_number(key, value[0]), finite_number(key, value[1])


def _interval_box(value: Any) -> tuple[float, float]:
    """(a, b) of a 1D box, or one ConfigError line: piecewise-constant V is 1D only."""
    box = Box.parse(value)
    if box.dim != 1:
        raise ConfigError("box", value, "must be [a, b]: piecewise-constant V is 1D only")
    return box.interval


def _inner_interval(key: str, value: Any, box: tuple[float, float]) -> tuple[float, float]:
    lo, hi = _pair(key, value)
    if not lo < hi:
        raise ConfigError(key, [lo, hi], "width must be > 0: need left < right")
    if lo < box[0] or hi > box[1]:
        raise ConfigError(key, [lo, hi], f"edges must lie inside the box {list(box)}")
    return lo, hi


def _tiling(key: str, value: Any, box: tuple[float, float]) -> list[tuple[float, float, float]]:
    if isinstance(value, str) or not isinstance(value, Sequence) or not value:
        raise ConfigError(key, value, "must be a non-empty list of [x0, x1, V]")
    pieces = []
    for piece in value:
        if isinstance(piece, str) or not isinstance(piece, Sequence) or len(piece) != 3:
            raise ConfigError(key, value, "each piece must be [x0, x1, V]")
        x0, x1, v = (finite_number(key, p) for p in piece)
        if not x0 < x1:
            raise ConfigError(key, list(piece), "each piece needs x0 < x1")
        pieces.append((x0, x1, v))
    ends = [pieces[0][0]] + [p[1] for p in pieces]
    starts = [p[0] for p in pieces] + [pieces[-1][1]]
    if ends[1:-1] != starts[1:-1] or pieces[0][0] != box[0] or pieces[-1][1] != box[1]:
        raise ConfigError(key, value, f"pieces must tile the box {list(box)} in order, no gaps")
    return pieces
