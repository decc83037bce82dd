"""CollocationDataModule: one tensor of collocation points x (N×1) per training step.

Samplers: ``grid`` (fixed uniform interior grid), ``chebyshev`` (fixed Chebyshev–Gauss
nodes x_k = c + h·cos((2k−1)π/2N), clustered at the walls), ``random`` (uniform, redrawn
every step), ``lhs`` (Latin hypercube: one uniform point in each of N equal strata, redrawn
every step) and ``sobol`` (scrambled Sobol sequence, next N points every step). All are
seeded. Points added by residual-based adaptive resampling (``callbacks.
ResidualAdaptiveResampling``) join every later batch. Points come from an in-process
iterable (no worker processes, no collation): tiny batches cost nothing beyond drawing them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import lightning as L
import torch
from torch.utils.data import DataLoader, IterableDataset

from qwpinn.errors import integer_at_least, one_of

SAMPLERS = ("grid", "chebyshev", "random", "lhs", "sobol")


class CollocationPoints(IterableDataset):
    """Endless stream of N×1 point sets in the open interval (a, b)."""

    def __init__(self, box: Sequence[float], n_points: int, sampler: str, seed: int) -> None:
        self.a, self.b = float(box[0]), float(box[1])
        self.n_points, self.sampler, self.seed = n_points, sampler, seed
        self.generator = torch.Generator().manual_seed(seed)
        self.sobol = torch.quasirandom.SobolEngine(1, scramble=True, seed=seed)
        self.added = torch.empty(0, 1)

    def add(self, points: torch.Tensor) -> None:
        """Points (M×1) that every later batch includes (adaptive resampling)."""
        self.added = torch.cat([self.added, points.detach().cpu().to(self.added.dtype)])

    def __iter__(self) -> Iterator[torch.Tensor]:
        """Continues the stream where it stopped (and where a checkpoint left it)."""
        length, n = self.b - self.a, self.n_points
        strata = torch.arange(n).reshape(-1, 1)
        fixed = {
            "grid": (strata + 0.5) / n,
            "chebyshev": 0.5 + 0.5 * torch.cos((2 * strata + 1) * torch.pi / (2 * n)),
        }.get(self.sampler)
        while True:
            if fixed is not None:
                unit = fixed
            elif self.sampler == "random":
                unit = torch.rand(n, 1, generator=self.generator)
            elif self.sampler == "lhs":
                unit = (strata + torch.rand(n, 1, generator=self.generator)) / n
            else:
                unit = self.sobol.draw(n)
            points = self.a + length * unit
            yield torch.cat([points, self.added]) if len(self.added) else points

    def state_dict(self) -> dict[str, Any]:
        return {
            "generator": self.generator.get_state(),
            "sobol_drawn": self.sobol.num_generated,
            "added": self.added,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.generator.set_state(state["generator"])
        self.sobol = torch.quasirandom.SobolEngine(1, scramble=True, seed=self.seed)
        self.sobol.fast_forward(state["sobol_drawn"])
        self.added = state.get("added", torch.empty(0, 1))


class CollocationDataModule(L.LightningDataModule):
    """Collocation points on the potential's box; counts and sampler from the ``data`` group."""

    def __init__(
        self, box: Sequence[float], n_points: int = 1024, sampler: str = "random", seed: int = 0
    ) -> None:
        super().__init__()
        one_of("sampler", sampler, SAMPLERS)
        integer_at_least("n_points", n_points)
        self.points = CollocationPoints(box, n_points, sampler, seed)

    def train_dataloader(self) -> DataLoader:
        return DataLoader(self.points, batch_size=None, num_workers=0)

    def state_dict(self) -> dict[str, Any]:
        """Sampler state, saved in checkpoints so a resumed run draws the points it would have."""
        return self.points.state_dict()

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.points.load_state_dict(state_dict)
