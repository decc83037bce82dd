"""Collocation samplers: N points u in the open unit cube (N, d), mapped to the box as
x = low + (high − low)·u.

``grid`` (a fixed uniform interior grid, ⌈N^(1/d)⌉ per axis), ``chebyshev`` (fixed
Chebyshev–Gauss nodes ½ + ½cos((2k−1)π/2m) per axis, clustered at the walls), ``random``
(uniform, redrawn every draw), ``lhs`` (Latin hypercube: one point in each of N strata per
axis, the strata of axes 2..d permuted) and ``sobol`` (scrambled Sobol, the next N points).
"""

from __future__ import annotations

import math

import torch

from qwpinn.errors import integer_at_least, one_of

SAMPLERS = ("grid", "chebyshev", "random", "lhs", "sobol")


class UnitSampler:
    """Seeded draws of ``n_points`` points in (0, 1)^dim; ``restart`` goes back to the seed."""

    def __init__(self, sampler: str, n_points: int, dim: int, seed: int) -> None:
        self.sampler = one_of("sampler", sampler, SAMPLERS)
        self.n_points = integer_at_least("n_points", n_points)
        self.dim, self.seed = dim, seed
        self.restart()

    def restart(self) -> None:
        self.generator = torch.Generator().manual_seed(self.seed)
        self.sobol = torch.quasirandom.SobolEngine(self.dim, scramble=True, seed=self.seed)

    def draw(self) -> torch.Tensor:
        """The next (N, d) points (the fixed samplers give the same ones every time)."""
        n, d = self.n_points, self.dim
        if self.sampler in ("grid", "chebyshev"):
            return _product(_axis(self.sampler, n if d == 1 else math.ceil(n ** (1 / d))), d)
        if self.sampler == "random":
            return torch.rand(n, d, generator=self.generator)
        if self.sampler == "lhs":
            strata = torch.arange(n).reshape(-1, 1).expand(n, d).clone()
            for k in range(1, d):
                strata[:, k] = strata[torch.randperm(n, generator=self.generator), k]
            return (strata + torch.rand(n, d, generator=self.generator)) / n
        return self.sobol.draw(n)


def _axis(sampler: str, m: int) -> torch.Tensor:
    k = torch.arange(m, dtype=torch.float32)
    if sampler == "grid":
        return (k + 0.5) / m
    return 0.5 + 0.5 * torch.cos((2 * k + 1) * torch.pi / (2 * m))


def _product(axis: torch.Tensor, dim: int) -> torch.Tensor:
    """The (m^d, d) tensor-product grid of one axis' points."""
    return torch.cartesian_prod(*[axis] * dim).reshape(-1, dim)
