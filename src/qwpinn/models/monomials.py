"""Monomials of scaled offsets from a point, features a smooth network multiplies in the
product ansatz (``ansatz.DirichletAnsatz``).

    X_k = (x_k − c_k)/s_k,   m_e(x) = Π_k X_k^{e_k},   1 ≤ |e| = Σ_k e_k ≤ D.

Under the Gaussian G of V's harmonic approximation (``localization``) they are the
polynomial factors of the oscillator's states up to degree D (H_e(X)·G, with the net's output
bias); about a disk they turn the odd functions of an untrained tanh net into even ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product

import torch
from torch import nn


class OffsetMonomials(nn.Module):
    """The (N, M) monomials m_e at points x (N, d) for every exponent e of degree 1 … ``degree``,
    lowest degree first, about each of the C points c (rows of ``centres``, scales s in the
    rows of ``scales``; C·M columns, by point; none without points)."""

    def __init__(
        self,
        centres: Sequence[Sequence[float]],
        scales: Sequence[Sequence[float]],
        degree: int,
        dim: int,
    ) -> None:
        super().__init__()
        as_rows = {"dtype": torch.float64}
        self.register_buffer("centres", torch.tensor(centres, **as_rows).reshape(-1, dim))
        self.register_buffer("scales", torch.tensor(scales, **as_rows).reshape(-1, dim))
        exponents = [e for e in product(range(degree + 1), repeat=dim) if 1 <= sum(e) <= degree]
        exponents.sort(key=lambda e: (sum(e), [-p for p in e]))  # X before Y, X² before XY
        self.degree, self.exponents = degree, exponents

    @property
    def count(self) -> int:
        return self.centres.shape[0] * len(self.exponents)

    def offsets(self, x: torch.Tensor) -> torch.Tensor:
        """X (N, C, d)."""
        return (x.unsqueeze(1) - self.centres.to(x).unsqueeze(0)) / self.scales.to(x).unsqueeze(0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.of_offsets(self.offsets(x)).flatten(1)

    def of_offsets(self, offsets: torch.Tensor) -> torch.Tensor:
        """m_e of given offsets X (N, C, d): (N, C, M)."""
        powers = [offsets]  # X^p = powers[p − 1]: products, not pow (finite derivatives at 0)
        for _ in range(1, self.degree):
            powers.append(powers[-1] * offsets)
        columns = []
        for exponent in self.exponents:
            factors = [powers[p - 1][:, :, k] for k, p in enumerate(exponent) if p]
            columns.append(torch.stack(factors, dim=2).prod(dim=2))
        if not columns:
            return offsets.new_zeros((*offsets.shape[:2], 0))
        return torch.stack(columns, dim=2)
