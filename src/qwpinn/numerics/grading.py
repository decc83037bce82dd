"""Piece coordinates that follow the problem's length scales, and the quadrature built on them.

Each piece [x_l, x_r] of the box has a monotone map x = X(t), t ∈ [0, 1]. It is linear,
X = x_l + h·t, unless the piece is a barrier that touches a wall and spans many decay
lengths: there a bound state decays from the inner end like exp(−κd) (d the distance from
that end, κ ≤ κ_max = √(V − min V)), and t is graded,

    d = ℓ(e^{Λt} − 1),   ℓ = 1/κ_max,   Λ = ln(1 + h/ℓ),

so exp(−κd) is a smooth function of t for every κ up to κ_max (the deepest state decays
over t ≈ 1/Λ, a state near the top of the barrier over all of it), and a Gauss–Legendre rule
in t puts its nodes where ψ lives: the wide-box and high-barrier limits cost no more nodes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from qwpinn.errors import ConfigError

GRADE_AT = 12.0  # κ_max·h at and above which a wall piece is graded: ψ falls by e⁻¹² over it
DECAY_AT = 40.0  # κ_min·h at and above which a graded piece of constant V takes the exact decay
PANELS_PER_DECADE = 1.0  # Gauss–Legendre panels per ln(10) of Λ on a graded piece
MAX_CONTRAST = 1e6  # highest (V − min V) / E_span measured to reach the exact levels
SPAN_SAMPLES = 32  # Gauss–Legendre points where V's range on a piece is read


@dataclass(frozen=True)
class PieceMap:
    """x = X(t) on [left, right]; ``scale`` ℓ > 0 grades it from the ``anchor`` end
    ("left" or "right"), None keeps it linear."""

    left: float
    right: float
    scale: float | None = None
    anchor: str = "left"

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def rate(self) -> float:
        """Λ = ln(1 + h/ℓ) (0 for a linear map)."""
        return 0.0 if self.scale is None else math.log1p(self.width / self.scale)

    def x(self, t: np.ndarray) -> np.ndarray:
        """X(t)."""
        if self.scale is None:
            return self.left + self.width * t
        if self.anchor == "left":
            return self.left + self.scale * np.expm1(self.rate * t)
        return self.right - self.scale * np.expm1(self.rate * (1.0 - t))

    def dx_dt(self, t: np.ndarray) -> np.ndarray:
        """X'(t) > 0."""
        if self.scale is None:
            return np.full_like(np.asarray(t, dtype=float), self.width)
        s = t if self.anchor == "left" else 1.0 - t
        return self.scale * self.rate * np.exp(self.rate * s)

    def t(self, x: torch.Tensor) -> torch.Tensor:
        """t = X⁻¹(x), differentiable in x."""
        if self.scale is None:
            return (x - self.left) / self.width
        if self.anchor == "left":
            return torch.log1p((x - self.left) / self.scale) / self.rate
        return 1.0 - torch.log1p((self.right - x) / self.scale) / self.rate

    @property
    def panels(self) -> int:
        """Extra Gauss–Legendre panels a graded piece needs: one per decade of Λ."""
        return 1 + int(self.rate / (PANELS_PER_DECADE * math.log(10.0)))


def domain_maps(potential: Any) -> list[PieceMap]:
    """The pieces of the domain ansatz: one per smooth piece of V between its sharp jumps
    (graded where a wall piece spans κ_min·h ≥ GRADE_AT), else linear between the jumps."""
    spans = sharp_spans(potential)
    if spans:
        return _graded(potential, spans)
    return linear_maps([potential.box[0], *potential.breakpoints, potential.box[1]])


def quadrature_maps(potential: Any) -> list[PieceMap]:
    """The panels of the quadrature: the domain ansatz's pieces where V has sharp jumps, else
    linear between the quadrature cuts (V is smooth between them)."""
    spans = sharp_spans(potential)
    if spans:
        return _graded(potential, spans)
    return linear_maps([potential.box[0], *potential.quadrature_cuts, potential.box[1]])


def sharp_spans(potential: Any) -> list[tuple[float, float, float, float]] | None:
    """(x_l, x_r, min V, max V) of each piece between the sharp jumps of V: the constant pieces,
    or V sampled on each smooth piece (a layer tilted by a field); None for a V without sharp
    jumps (smooth, or smoothed steps)."""
    pieces = getattr(potential, "pieces", None)
    if pieces:
        return [(lo, hi, v, v) for lo, hi, v in pieces]
    if getattr(potential, "smoothing", 0.0) or not potential.breakpoints:
        return None
    edges = [potential.box[0], *potential.breakpoints, potential.box[1]]
    t = 0.5 * (1.0 + np.polynomial.legendre.leggauss(SPAN_SAMPLES)[0])
    spans = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        v = np.asarray(potential(lo + (hi - lo) * t))  # interior: V jumps at both ends
        spans.append((lo, hi, float(v.min()), float(v.max())))
    return spans


GRADING_RATIO = 0.25  # panel edges at c + (m − c)·ratio^j toward a cut c of a d-dim grid


def axis_maps(potential: Any, layers: int = 0) -> list[list[PieceMap]]:
    """The panels of the quadrature along each axis: ``quadrature_maps`` in 1D; in d dims,
    linear panels between the walls and the axis' ``cuts`` (where V jumps; none for a smooth
    V), ``layers`` of them graded toward each cut (``graded_edges``)."""
    if potential.dim == 1:
        return [quadrature_maps(potential)]
    cuts = axis_cuts(potential)
    return [
        linear_maps(graded_edges([a, *c, b], layers, GRADING_RATIO))
        for (a, b), c in zip(potential.bounds, cuts, strict=True)
    ]


def graded_edges(edges: Sequence[float], layers: int, ratio: float) -> list[float]:
    """Panel edges from wall to wall: every cut, and on each side of an interior cut c the
    points c + (m − c)·ratio^j, j = 1 … layers (m: the middle of the interval toward the next
    cut, or the far wall), so panels shrink geometrically toward the cut lines, where ψ's
    corner singularities sit."""
    points = set(edges)
    interior = set(edges[1:-1])
    for a, b in zip(edges[:-1], edges[1:], strict=False):
        toward = [c for c in (a, b) if c in interior] if layers else []
        for cut in toward:
            far = 0.5 * (a + b) if len(toward) == 2 else (b if cut == a else a)
            points |= {far} | {cut + (far - cut) * ratio**j for j in range(1, layers + 1)}
    return sorted(points)


def axis_cuts(potential: Any) -> list[list[float]]:
    """The interior cuts of each axis, where V jumps: a d-dim potential's ``cuts`` (1D: the
    breakpoints), else none."""
    if potential.dim == 1:
        return [list(potential.breakpoints)]
    cuts = getattr(potential, "cuts", None)
    if cuts is None:
        return [[] for _ in range(potential.dim)]
    return [[float(c) for c in axis] for axis in cuts]


def linear_maps(cuts: Sequence[float]) -> list[PieceMap]:
    """Linear maps between consecutive cuts (the walls included)."""
    return [PieceMap(lo, hi) for lo, hi in zip(cuts[:-1], cuts[1:], strict=False)]


def kinetic_on(potential: Any, spans: Sequence[Sequence[float]]) -> list[float]:
    """c at the middle of each span (lo, hi, ...) of the 1D box: c on each piece where c is
    piecewise constant (1 for a potential that defines no c)."""
    middles = np.array([[0.5 * (span[0] + span[1])] for span in spans])
    if not hasattr(potential, "kinetic"):
        return [1.0] * len(middles)
    return [float(c) for c in np.asarray(potential.kinetic(middles), dtype=float).reshape(-1)]


def _graded(potential: Any, spans: list[tuple[float, float, float, float]]) -> list[PieceMap]:
    """Linear maps, but a wall piece where every bound state decays at least as κ_min with
    κ_min·h ≥ GRADE_AT graded from its inner end to ℓ = 1/κ_max (κ = √((V − min V)/c) at the
    piece's lowest and highest V): every decay rate up to κ_max is smooth in t."""
    floor = min(span[2] for span in spans)
    maps = []
    for i, ((lo, hi, low, high), c) in enumerate(
        zip(spans, kinetic_on(potential, spans), strict=True)
    ):
        at_wall = (i == 0) != (i == len(spans) - 1)  # one wall, one interface
        if at_wall and math.sqrt((low - floor) / c) * (hi - lo) >= GRADE_AT:
            scale = math.sqrt(c / (high - floor))
            maps.append(PieceMap(lo, hi, scale, "right" if i == 0 else "left"))
        else:
            maps.append(PieceMap(lo, hi))
    return maps


def check_contrast(potential: Any) -> None:
    """Refuse, before training, a piecewise-constant V whose highest step exceeds MAX_CONTRAST
    times E_span = c_min π²/L², L the span of the pieces that are not graded (the well's own
    ground level): beyond it the levels are the infinite-wall ones to the accuracy we reach."""
    pieces = getattr(potential, "pieces", None)
    if not pieces:
        return
    maps = _graded(potential, sharp_spans(potential))
    linear = [m for m in maps if m.scale is None] or maps
    span = linear[-1].right - linear[0].left
    floor = min(v for _, _, v in pieces)
    c_min = min(kinetic_on(potential, pieces))
    contrast = max(v - floor for _, _, v in pieces) * (span / math.pi) ** 2 / c_min
    if contrast > MAX_CONTRAST:
        key = "v0" if hasattr(potential, "v0") else "pieces"
        value = getattr(potential, key)
        limit = MAX_CONTRAST * c_min * (math.pi / span) ** 2
        wall = [linear[0].left, linear[-1].right]
        raise ConfigError(
            key,
            value,
            f"steps above {limit:.3g} (1e6 × the ground level π²/L² of {wall}) are out of range; "
            f"for the infinite-wall limit use potential=infinite_well potential.box={wall}",
        )


def constant_barriers(potential: Any, maps: Sequence[PieceMap]) -> list[float | None]:
    """V on each piece of the domain ansatz where it is constant there, else None (a graded
    wall piece of constant V with the exact decay needs no net)."""
    spans = sharp_spans(potential)
    if spans is None:  # no sharp jumps: linear pieces, none graded
        return [None] * len(maps)
    return [low if low == high else None for _, _, low, high in spans]


def wall_decays(potential: Any, maps: Sequence[PieceMap]) -> list[bool]:
    """The graded pieces that take the exact decay (``models.wall_decay``): every tilted one,
    and one of constant V where every bound state decays over κ_min·h ≥ DECAY_AT. Below that
    the Hermite terms and a net in the graded t carry the decay well (the 10 nm GaAs wells
    between 30 nm barriers, κ_min·h ≈ 16–19, to 1e-11), while the decay's κ can settle at a
    wrong value for a level near the barrier's top (coupled wells, level 3: 9e-3)."""
    spans = sharp_spans(potential)
    if spans is None:
        return [False] * len(maps)
    floor = min(span[2] for span in spans)
    kinetic = kinetic_on(potential, spans)
    return [
        m.scale is not None and (low != high or math.sqrt((low - floor) / c) * m.width >= DECAY_AT)
        for m, (_, _, low, high), c in zip(maps, spans, kinetic, strict=True)
    ]


def check_bound(potential: Any, levels: Sequence[float]) -> None:
    """Refuse, before training, a level at or above the constant V of a graded wall piece:
    there ψ does not decay but oscillates across the whole piece (a state of the wide box's
    continuum), which its graded coordinate and exact decay cannot carry. ``levels``: the
    reference's lowest."""
    spans = sharp_spans(potential)
    if not spans:
        return
    graded = [
        (m, span)
        for m, span in zip(_graded(potential, spans), spans, strict=True)
        if m.scale is not None and span[2] == span[3]
    ]
    if not graded:
        return
    top = min(span[2] for _, span in graded)
    bound = sum(e < top for e in levels)
    if bound < len(levels):
        raise ConfigError(
            "n_states",
            len(levels),
            f"only {bound} levels lie below V = {top:.6g} of the wide wall barriers "
            f"{[[m.left, m.right] for m, _ in graded]}; above it a state fills the whole box "
            f"(its continuum): ask n_states ≤ {bound}, or narrow potential.box",
        )
