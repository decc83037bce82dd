"""Trial wavefunctions with exact Dirichlet zeros at the box walls."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from qwpinn.models.circle_features import CircleRamps
from qwpinn.models.cut_features import CutFeatures
from qwpinn.models.monomials import OffsetMonomials
from qwpinn.models.wall_decay import WallDecay, start_rate
from qwpinn.numerics.grading import PieceMap


class DirichletAnsatz(nn.Module):
    """ψ(x) = Π_k 4(x_k−a_k)(b_k−x_k)/L_k² · g(x),  g = N_0(x̂) + Σ_f F_f(x) N_f(x̂),
    x̂_k = (2x_k − a_k − b_k)/L_k.

    ψ = 0 on every wall of the box [a_1, b_1] × … × [a_d, b_d] holds exactly for any network
    N (outputs N_0, N_1, ...). The optional features F at the cuts of V (``kinks``: one list
    of cuts per axis; a flat list in 1D; ``cut_features.CutFeatures``) are C¹ ramps
    ((x_k − c)_+/L_k)², with a free jump of ∂²ψ/∂x_k² across the face x_k = c — the exact
    regularity of an eigenfunction of a step potential, which a smooth network alone can only
    approximate — and, with ``corners``, the r² ln r functions where cuts of two axes cross;
    at each of the ``circles`` (centre, radius) where V jumps, the radial ramp of
    ``circle_features.CircleRamps``.
    ``parity`` ±1 builds ψ(a + b − x) = ±ψ(x) in exactly: g(x) ± g(a + b − x) (for potentials
    symmetric about the box centre). ``weight``: a factor W(x) of g (``localization``: the
    Gaussian of V's harmonic approximation), g = W·(N_0 + …). ``monomials``: more features,
    the monomials of the scaled offsets from a point (``monomials.OffsetMonomials``: under W,
    the polynomial factors of the harmonic approximation's states).
    """

    pointwise = True  # ψ at a point depends on that point alone: per-node Jacobians by vmap

    def __init__(
        self,
        net: nn.Module,
        box: Sequence[Any],
        kinks: Sequence[Any] = (),
        parity: int = 0,
        corners: bool = False,
        circles: Sequence[tuple[Sequence[float], float]] = (),
        weight: nn.Module | None = None,
        monomials: OffsetMonomials | None = None,
    ) -> None:
        super().__init__()
        self.net, self.weight = net, weight
        bounds = torch.tensor(box, dtype=torch.float64).reshape(-1, 2)
        self.parity = int(parity)
        self.register_buffer("lo", bounds[:, 0].reshape(1, -1))
        self.register_buffer("hi", bounds[:, 1].reshape(1, -1))
        self.features = CutFeatures(bounds, _kinks_by_axis(kinks, len(bounds)), corners)
        longest = float((bounds[:, 1] - bounds[:, 0]).max())
        self.circles = CircleRamps(circles, longest, len(bounds))
        self.polynomials = (
            OffsetMonomials([], [], 0, len(bounds)) if monomials is None else monomials
        )

    @property
    def outputs(self) -> int:
        """Network outputs this ansatz consumes: 1 + one per feature."""
        return 1 + self.features.count + self.circles.count + self.polynomials.count

    def linear_parameters(self) -> list[nn.Parameter]:
        """The parameters ψ is linear in: the weights and bias of the net's output layer when
        its ``layers`` end in a Linear map (an MLP), else none."""
        layers = getattr(self.net, "layers", None)
        last = layers[-1] if isinstance(layers, nn.Sequential) else None
        return list(last.parameters()) if isinstance(last, nn.Linear) else []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        lo, hi = self.lo.to(x.dtype), self.hi.to(x.dtype)
        length = hi - lo
        envelope = (4.0 * (x - lo) * (hi - x) / length**2).prod(dim=1, keepdim=True)
        inner = self._inner(x, lo, hi)
        if self.parity:
            inner = inner + self.parity * self._inner(lo + hi - x, lo, hi)
        return envelope * inner

    def _inner(self, x: torch.Tensor, lo: torch.Tensor, hi: torch.Tensor) -> torch.Tensor:
        """g(x): the network, plus its feature terms, times the weight."""
        out = self.net((2.0 * x - lo - hi) / (hi - lo))
        if self.outputs != 1:
            features = [self.features(x), self.circles(x), self.polynomials(x)]
            features = torch.cat(features, dim=1)
            out = out[:, :1] + (features * out[:, 1:]).sum(dim=1, keepdim=True)
        return out if self.weight is None else self.weight(x) * out


class DomainAnsatz(nn.Module):
    """One network per piece [x_i, x_{i+1}] of the box (cut at the jumps of V), on the piece's
    coordinate t = X_i⁻¹(x) ∈ [0, 1] (``grading.PieceMap``: linear, or graded to the decay
    length of a wide barrier):

        ψ(x) = u_i H₀₀(t) + X_i'(0) s_i H₁₀(t) + u_{i+1} H₀₁(t) + X_i'(1) s_{i+1} H₁₁(t)
               + 16 t²(1 − t)² N_i(2t − 1),

    with cubic Hermite basis H, trainable interface values u_j and fluxes f_j = cψ'(x_j), the
    slope on piece i being s = f_j/c_i (u = 0 at the walls; ``kinetic`` c_i, the coefficient of
    −(cψ')' on each piece, all 1 for the dimensionless problems). The trainable numbers are
    u_j and f_j·ℓ/c_min, ℓ the span of the linear pieces (where a bound state lives): slopes
    in units of that span, so the parameters are as large as ψ in any unit system. The bubble
    and its slope vanish at both ends of its piece, so ψ(a) = ψ(b) = 0 and ψ, cψ' continuous
    at every interface (BenDaniel–Duke) hold exactly for any weights; ψ'' is free to jump
    there, as an eigenfunction's does where V jumps. ``parity`` ±1 uses
    ψ(x) ± ψ(a + b − x). A graded piece at a wall takes the exact decay there in place of
    the Hermite terms (``wall_decay.WallDecay``: ψ = u·sinh(κ(h − d))/sinh(κh) + …, κ
    trainable; its net None where V is constant there, as that form is then exact;
    ``barriers``: V on each piece where it is constant, else None; ``decays``: the graded
    pieces that carry it, by default all).
    Interface values and slopes start at state ``level`` of the empty box between the graded
    pieces (the whole box when none is), 0 in the graded ones: n − 1 nodes for state n, as the
    level it trains toward has; κ at that level's.
    """

    def __init__(
        self,
        nets: Sequence[nn.Module | None],
        maps: Sequence[PieceMap],
        parity: int,
        kinetic: Sequence[float],
        level: int = 1,
        barriers: Sequence[float | None] = (),
        decays: Sequence[bool] = (),
    ) -> None:
        super().__init__()
        if len(nets) != len(maps):
            raise ValueError(f"{len(maps)} pieces need as many nets, got {len(nets)}")
        self.maps = list(maps)
        self.edges = [self.maps[0].left, *(m.right for m in self.maps)]
        self.a, self.b = self.edges[0], self.edges[-1]
        decays = list(decays) or [m.scale is not None for m in maps]
        if any(d and m.scale is None for d, m in zip(decays, maps, strict=True)):
            raise ValueError("a wall decay needs a graded piece")
        if any(net is None and not d for net, d in zip(nets, decays, strict=True)):
            raise ValueError("only a piece with a wall decay may go without a net")
        self.nets = nn.ModuleDict({str(i): net for i, net in enumerate(nets) if net is not None})
        self.parity = int(parity)
        if len(kinetic) != len(self.maps):
            raise ValueError(f"{len(maps)} pieces need as many kinetic coefficients")
        lo, hi = _span(self.maps)
        unit = min(kinetic) / (hi - lo)  # flux per trainable slope unit
        self.units = [unit / c for c in kinetic]  # x-slope per trainable slope unit
        self.ends = [
            (float(m.dx_dt(0.0)) * u, float(m.dx_dt(1.0)) * u)
            for m, u in zip(self.maps, self.units, strict=True)
        ]
        level_energy = min(kinetic) * (level * math.pi / (hi - lo)) ** 2
        self.decays = nn.ModuleDict(
            {
                str(i): WallDecay(m, start_rate(m, c, level_energy), c, v)
                for i, (m, c, v, d) in enumerate(
                    zip(self.maps, kinetic, barriers or [None] * len(maps), decays, strict=True)
                )
                if d
            }
        )
        values, slopes = _level_of_span(self.edges, self.maps, level)
        slopes = [s * c / unit for s, c in zip(slopes, [kinetic[0], *kinetic], strict=True)]
        self.values = nn.Parameter(torch.tensor(values[1:-1]))
        self.slopes = nn.Parameter(torch.tensor(slopes))

    @property
    def follows(self) -> bool:
        """Whether a wall decay sets its rate from the level (a constant V there)."""
        return any(decay.barrier is not None for decay in self.decays.values())

    def follow_level(self, energy: float) -> bool:
        """Every wall decay on a constant V to the decay rate of the level ``energy``, its
        interface slope moved with it so that the slope term's coefficient stays; whether any
        moved."""
        moved = False
        for key, decay in self.decays.items():
            i = int(key)
            j = self._inner_edge(i)
            before = decay.matching(self.values[j - 1])
            if decay.follow(energy):
                with torch.no_grad():
                    self.slopes[j] += (before - decay.matching(self.values[j - 1])) / self.units[i]
                moved = True
        return moved

    def _inner_edge(self, i: int) -> int:
        """The interface of graded wall piece i (its end away from the wall)."""
        return i if self.maps[i].anchor == "left" else i + 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        psi = self._pieces(x)
        if self.parity:
            psi = psi + self.parity * self._pieces(self.a + self.b - x)
        return psi

    def _pieces(self, x: torch.Tensor) -> torch.Tensor:
        """ψ at x (N×1): each point goes to its piece's net, results return in input order."""
        inner = torch.tensor(self.edges[1:-1], dtype=x.dtype, device=x.device)
        piece = torch.bucketize(x.detach().reshape(-1), inner, right=True)
        order = torch.argsort(piece, stable=True)
        counts = torch.bincount(piece, minlength=len(self.maps)).tolist()
        zero = self.slopes.new_zeros(1)
        values = torch.cat([zero, self.values, zero])
        parts = []
        for i, chunk in enumerate(torch.split(x[order], counts)):
            if chunk.shape[0]:
                parts.append(self._piece(i, chunk, values))
        return torch.cat(parts)[torch.argsort(order)]

    def _piece(self, i: int, x: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
        """Hermite cubic through (u_i, f_i/c_i), (u_{i+1}, f_{i+1}/c_i) plus the piece's
        bubble; on a graded wall piece its ``WallDecay`` from the inner interface."""
        t = self.maps[i].t(x)
        if str(i) in self.decays:
            j = self._inner_edge(i)
            slope = self.units[i] * self.slopes[j]
            bubble = self.nets[str(i)](2.0 * t - 1.0) if str(i) in self.nets else None
            return self.decays[str(i)](x, t, values[j], slope, bubble)
        left, right = self.ends[i]
        t2, t3 = t.square(), t * t.square()
        hermite = (
            values[i] * (2 * t3 - 3 * t2 + 1)
            + left * self.slopes[i] * (t3 - 2 * t2 + t)
            + values[i + 1] * (3 * t2 - 2 * t3)
            + right * self.slopes[i + 1] * (t3 - t2)
        )
        return hermite + 16.0 * (t * (1.0 - t)).square() * self.nets[str(i)](2.0 * t - 1.0)


def _span(maps: Sequence[PieceMap]) -> tuple[float, float]:
    """[a', b']: the span of the pieces that are not graded (where a bound state lives)."""
    linear = [m for m in maps if m.scale is None] or list(maps)
    return linear[0].left, linear[-1].right


def _level_of_span(
    edges: Sequence[float], maps: Sequence[PieceMap], level: int
) -> tuple[list[float], list[float]]:
    """Values and slopes at ``edges`` of sin(nπ(x − a')/L') on [a', b'] (``_span``; n is
    ``level``), and 0 outside it."""
    lo, hi = _span(maps)
    k = level * math.pi / (hi - lo)
    values = [math.sin(k * (x - lo)) if lo <= x <= hi else 0.0 for x in edges]
    slopes = [k * math.cos(k * (x - lo)) if lo <= x <= hi else 0.0 for x in edges]
    return values, slopes


def _kinks_by_axis(kinks: Sequence[Any], dim: int) -> list[list[float]]:
    """One list of cuts per axis (``kinks`` in 1D may also be a flat list of cuts)."""
    if dim == 1 and all(not isinstance(k, Sequence) for k in kinks):
        kinks = [kinks]
    if not kinks:
        return [[] for _ in range(dim)]
    if len(kinks) != dim:
        raise ValueError(f"kinks need one list of cuts per axis ({dim}), got {len(kinks)}")
    return [[float(c) for c in axis] for axis in kinks]
