"""Problems: a box [a, b] with Dirichlet walls and a potential V(x).

Each potential solves  -ψ'' + V(x) ψ = E ψ,  ψ(a) = ψ(b) = 0.  Classes here are plain
(built by Hydra ``_target_``), validate their arguments and work on numpy arrays and
torch tensors alike (V is evaluated with comparisons and arithmetic only).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from qwpinn.errors import ConfigError, finite_number, one_of
from qwpinn.problems.expression import compile_formula

ENERGY_MODES = ("trainable", "fixed")
SMOOTH_REACH = 10.0  # |x − x_j| / w beyond which a tanh step is flat to 1 − tanh(10) ≈ 4e-9


class Potential:
    """A box [a, b] and V(x). ``energy='fixed'`` holds E at its initial value (the infinite
    well of the paper), ``'trainable'`` makes E a parameter.

    ``pieces`` is the list of (x0, x1, V) for piecewise-constant V (exact reference roots),
    None otherwise; ``quadrature_panels`` is how many Gauss–Legendre panels each smooth
    stretch of V gets, between the ``quadrature_cuts``.
    """

    name = "potential"
    pieces: list[tuple[float, float, float]] | None = None
    quadrature_panels = 1
    smoothing = 0.0

    def __init__(self, box: Sequence[float], energy: str = "trainable") -> None:
        self.box = _interval("box", box)
        self.energy_mode = one_of("energy", energy, ENERGY_MODES)

    @property
    def energy_trainable(self) -> bool:
        return self.energy_mode == "trainable"

    @property
    def bounds(self) -> np.ndarray:
        """The box as a (d, 2) array of [low, high] per axis."""
        return np.array([self.box], dtype=float)

    @property
    def length(self) -> float:
        return self.box[1] - self.box[0]

    @property
    def breakpoints(self) -> list[float]:
        """Interior points where V jumps (or, smoothed, the centre of each step)."""
        return []

    @property
    def quadrature_cuts(self) -> list[float]:
        """Interior points where the quadrature is split: V is smooth between them."""
        return self.breakpoints

    def sharp(self) -> Potential:
        """The same problem without smoothing (itself when V is not a smoothed step)."""
        return self

    def __call__(self, x: Any) -> Any:  # pragma: no cover - every subclass defines V
        raise NotImplementedError

    def mean(self) -> float:
        """(1/L) ∫_a^b V dx on a 200-point Gauss–Legendre rule."""
        t, w = np.polynomial.legendre.leggauss(200)
        a, b = self.box
        return float(np.sum(w * self(0.5 * (b - a) * t + 0.5 * (a + b)))) / 2.0

    def empty_box_level(self) -> float:
        """π²/L²: the ground level of the empty box, so E[ψ] ≥ π²/L² + min V for every ψ with
        ψ(a) = ψ(b) = 0."""
        return (math.pi / self.length) ** 2

    def default_energy_init(self) -> float:
        """Problem-only guess for E: the lowest level of the empty box plus the mean of V.

        π²/L² + ⟨V⟩ — exact for the infinite well, never read from a reference solver.
        """
        return self.empty_box_level() + self.mean()


class Expression(Potential):
    """V(x) from a formula with named parameters, e.g. ``omega**2*(x-c)**2`` (no eval)."""

    name = "expression"

    def __init__(
        self,
        box: Sequence[float],
        formula: str,
        params: Mapping[str, float] | None = None,
        energy: str = "trainable",
        panels: int = 4,
        name: str = "expression",
    ) -> None:
        super().__init__(box, energy)
        params = dict(params or {})
        for key, value in params.items():
            params[key] = finite_number(f"params.{key}", value)
        if not isinstance(panels, int) or panels < 1:
            raise ConfigError("panels", panels, "must be an integer >= 1")
        self.formula, self.params, self.quadrature_panels = formula, params, panels
        self.name = str(name)
        self._v = compile_formula(formula, params)
        samples = self._v(np.linspace(*self.box, 1001))
        if not np.all(np.isfinite(samples)):
            raise ConfigError("formula", formula, f"must be finite on the box {list(self.box)}")

    def __call__(self, x: Any) -> Any:
        """V(x) for a numpy array or a torch tensor (any shape)."""
        return self._v(x)


class PiecewiseConstant(Potential):
    """V(x) = V_i on [x_i, x_{i+1}); the pieces tile the box without gaps.

    ``smoothing`` w > 0 replaces each jump ΔV_j at x_j by the smooth step
    ΔV_j · ½(1 + tanh((x − x_j)/w)); V is then smooth (``pieces`` is None, the reference is
    finite differences) and ``sharp()`` is the w = 0 problem it approximates.
    """

    name = "piecewise"

    def __init__(
        self,
        box: Sequence[float],
        pieces: Sequence[Sequence[float]],
        energy: str = "trainable",
        smoothing: float = 0.0,
    ) -> None:
        super().__init__(box, energy)
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

    def __call__(self, x: Any) -> Any:
        """V(x) for a numpy array or a torch tensor (any shape)."""
        v = 0.0 * x + self.steps[0][2]
        for x0, _, value in self.steps[1:]:
            jump = value - _previous_value(self.steps, x0)
            if self.smoothing:
                v = v + jump * 0.5 * (1.0 + _tanh((x - x0) / self.smoothing))
            else:
                v = v + jump * (x >= x0)
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

    def __init__(self, box: Sequence[float] = (0.0, 1.0), energy: str = "fixed") -> None:
        box = _interval("box", box)
        super().__init__(box, [[box[0], box[1], 0.0]], energy)


class FiniteWell(PiecewiseConstant):
    """V = 0 for left < x < right, V = v0 elsewhere in the box."""

    name = "finite_well"

    def __init__(
        self,
        box: Sequence[float] = (0.0, 1.0),
        v0: float = 100.0,
        well: Sequence[float] = (0.25, 0.75),
        energy: str = "trainable",
        smoothing: float = 0.0,
    ) -> None:
        box, self.v0, self.well, pieces = _step("well", box, v0, well, inside_is_v0=False)
        super().__init__(box, pieces, energy, smoothing)


class Barrier(PiecewiseConstant):
    """V = v0 for left < x < right, V = 0 elsewhere in the box."""

    name = "barrier"

    def __init__(
        self,
        box: Sequence[float] = (0.0, 1.0),
        v0: float = 100.0,
        barrier: Sequence[float] = (0.45, 0.55),
        energy: str = "trainable",
        smoothing: float = 0.0,
    ) -> None:
        box, self.v0, self.barrier, pieces = _step("barrier", box, v0, barrier, inside_is_v0=True)
        super().__init__(box, pieces, energy, smoothing)


def _step(key: str, box: Any, v0: Any, interval: Any, inside_is_v0: bool) -> tuple:
    """Validated box, v0, (left, right) and the pieces of a one-step well or barrier."""
    box = _interval("box", box)
    v0 = finite_number("v0", v0)
    left, right = _inner_interval(key, interval, box)
    inside, outside = (v0, 0.0) if inside_is_v0 else (0.0, v0)
    return box, v0, (left, right), _three_pieces(box, left, right, outside, inside)


def _three_pieces(box, left, right, outside, inside) -> list[list[float]]:
    pieces = [[box[0], left, outside], [left, right, inside], [right, box[1], outside]]
    return [p for p in pieces if p[1] > p[0]]


def _tanh(z: Any) -> Any:
    """tanh of a numpy array or a torch tensor."""
    return np.tanh(z) if isinstance(z, (float, np.ndarray, np.generic)) else z.tanh()


def _previous_value(pieces, x0) -> float:
    return next(p[2] for p in pieces if p[1] == x0)


def _pair(key: str, value: Any) -> tuple[float, float]:
    if isinstance(value, str) or not isinstance(value, Sequence) or len(value) != 2:
        raise ConfigError(key, value, "must be a pair [lo, hi] of finite numbers")
    return finite_number(key, value[0]), finite_number(key, value[1])


def _interval(key: str, value: Any) -> tuple[float, float]:
    lo, hi = _pair(key, value)
    if not lo < hi:
        raise ConfigError(key, [lo, hi], "must be [lo, hi] with lo < hi")
    return lo, hi


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
