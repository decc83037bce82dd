"""CollocationDataModule: one point set x (N×1) per optimizer step, K sets per batch (K×N×1).

Samplers: ``grid`` (fixed uniform interior grid), ``chebyshev`` (fixed Chebyshev–Gauss
nodes x_k = c + h·cos((2k−1)π/2N), clustered at the walls), ``random`` (uniform, redrawn
every step), ``lhs`` (Latin hypercube: one uniform point in each of N equal strata, redrawn
every step) and ``sobol`` (scrambled Sobol sequence, next N points every step). All are
seeded. Residual-based adaptive resampling (``callbacks.ResidualAdaptiveResampling``) adds
its points to the module, not to this stream. Points come from an in-process iterable (no
worker processes, no collation): tiny batches cost nothing beyond drawing them. A batch
stacks the next K sets of the stream (the same sets in the same order for any K), so the
Lightning loop runs once per K optimizer steps.
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
    """Endless stream of K×N×1 batches: K consecutive N×1 point sets in the open interval (a, b)."""

    def __init__(
        self, box: Sequence[float], n_points: int, sampler: str, seed: int, steps_per_batch: int
    ) -> None:
        self.a, self.b = float(box[0]), float(box[1])
        self.n_points, self.sampler, self.seed = n_points, sampler, seed
        self.steps_per_batch = steps_per_batch
        self.load_state_dict({"sets": 0})

    def __iter__(self) -> Iterator[torch.Tensor]:
        """Continues the stream where it stopped (and where a checkpoint left it)."""
        while True:
            yield torch.stack([self._next_set() for _ in range(self.steps_per_batch)])

    def _next_set(self) -> torch.Tensor:
        """x_j = a + L·u_j, u_j from the sampler (the fixed ones ignore j)."""
        self.drawn += 1
        n = self.n_points
        strata = torch.arange(n).reshape(-1, 1)
        if self.sampler == "grid":
            unit = (strata + 0.5) / n
        elif self.sampler == "chebyshev":
            unit = 0.5 + 0.5 * torch.cos((2 * strata + 1) * torch.pi / (2 * n))
        elif self.sampler == "random":
            unit = torch.rand(n, 1, generator=self.generator)
        elif self.sampler == "lhs":
            unit = (strata + torch.rand(n, 1, generator=self.generator)) / n
        else:
            unit = self.sobol.draw(n)
        return self.a + (self.b - self.a) * unit

    def state_dict(self) -> dict[str, Any]:
        return {"sets": self.drawn}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restart from the seed and skip the sets already used (bit-identical to drawing them)."""
        self.generator = torch.Generator().manual_seed(self.seed)
        self.sobol = torch.quasirandom.SobolEngine(1, scramble=True, seed=self.seed)
        self.drawn = 0
        for _ in range(state["sets"]):
            self._next_set()


class CollocationDataModule(L.LightningDataModule):
    """Collocation points on the potential's box; counts and sampler from the ``data`` group."""

    def __init__(
        self,
        box: Sequence[float],
        n_points: int = 1024,
        sampler: str = "random",
        seed: int = 0,
        steps_per_batch: int = 1,
    ) -> None:
        super().__init__()
        one_of("sampler", sampler, SAMPLERS)
        integer_at_least("n_points", n_points)
        integer_at_least("steps_per_batch", steps_per_batch)
        self.points = CollocationPoints(box, n_points, sampler, seed, steps_per_batch)

    def train_dataloader(self) -> DataLoader:
        return DataLoader(self.points, batch_size=None, num_workers=0)

    def state_dict(self) -> dict[str, Any]:
        """The sets used so far, saved in checkpoints so a resumed run draws the points it would
        have. Under a Trainer that is one per optimizer step (``global_step``): its fetcher has
        already drawn the next batch, which a resumed run must draw again."""
        if self.trainer is None:
            return self.points.state_dict()
        return {"sets": int(self.trainer.global_step)}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.points.load_state_dict(state_dict)
