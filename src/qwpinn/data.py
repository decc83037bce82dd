"""CollocationDataModule: one tensor of collocation points x (N×1) per training step.

Samplers: ``grid`` (fixed uniform interior grid), ``random`` (uniform, redrawn every step)
and ``sobol`` (scrambled Sobol sequence, next N points every step). All are seeded. Points
come from an in-process iterable (no worker processes, no collation): tiny batches cost
nothing beyond drawing them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import lightning as L
import torch
from torch.utils.data import DataLoader, IterableDataset

from qwpinn.errors import ConfigError

SAMPLERS = ("grid", "random", "sobol")


class CollocationPoints(IterableDataset):
    """Endless stream of N×1 point sets in the open interval (a, b)."""

    def __init__(self, box: Sequence[float], n_points: int, sampler: str, seed: int) -> None:
        self.a, self.b = float(box[0]), float(box[1])
        self.n_points, self.sampler, self.seed = n_points, sampler, seed

    def __iter__(self) -> Iterator[torch.Tensor]:
        length = self.b - self.a
        if self.sampler == "grid":
            grid = self.a + length * (torch.arange(self.n_points) + 0.5) / self.n_points
            grid = grid.reshape(-1, 1)
            while True:
                yield grid
        if self.sampler == "random":
            generator = torch.Generator().manual_seed(self.seed)
            while True:
                yield self.a + length * torch.rand(self.n_points, 1, generator=generator)
        engine = torch.quasirandom.SobolEngine(1, scramble=True, seed=self.seed)
        while True:
            yield self.a + length * engine.draw(self.n_points)


class CollocationDataModule(L.LightningDataModule):
    """Collocation points on the potential's box; counts and sampler from the ``data`` group."""

    def __init__(
        self, box: Sequence[float], n_points: int = 1024, sampler: str = "random", seed: int = 0
    ) -> None:
        super().__init__()
        if sampler not in SAMPLERS:
            raise ConfigError("sampler", sampler, f"must be one of {', '.join(SAMPLERS)}")
        if not isinstance(n_points, int) or n_points < 1:
            raise ConfigError("n_points", n_points, "must be an integer >= 1")
        self.points = CollocationPoints(box, n_points, sampler, seed)

    def train_dataloader(self) -> DataLoader:
        return DataLoader(self.points, batch_size=None, num_workers=0)
