"""CollocationDataModule: one point set x (N, d) per optimizer step, K sets per batch (K, N, d).

The points come from ``numerics.sampling`` (seeded), through an in-process iterable (no
worker processes, no collation): tiny batches cost nothing beyond drawing them. A batch
stacks the next K sets of the stream (the same sets in the same order for any K), so the
Lightning loop runs once per K optimizer steps. Residual-based adaptive resampling
(``callbacks.ResidualAdaptiveResampling``) adds its points to the module, not to this stream.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import lightning as L
import torch
from torch.utils.data import DataLoader, IterableDataset

from qwpinn.errors import integer_at_least
from qwpinn.numerics.sampling import UnitSampler
from qwpinn.problems.box import Box


class CollocationPoints(IterableDataset):
    """Endless stream of (K, N, d) batches: K consecutive point sets inside the box."""

    def __init__(self, box: Box, sampler: UnitSampler, steps_per_batch: int) -> None:
        bounds = torch.as_tensor(box.bounds.copy(), dtype=torch.float32)
        self.low, self.span = bounds[:, 0], bounds[:, 1] - bounds[:, 0]
        self.sampler, self.steps_per_batch = sampler, steps_per_batch
        self.load_state_dict({"sets": 0})

    def __iter__(self) -> Iterator[torch.Tensor]:
        """Continues the stream where it stopped (and where a checkpoint left it)."""
        while True:
            yield torch.stack([self._next_set() for _ in range(self.steps_per_batch)])

    def _next_set(self) -> torch.Tensor:
        self.drawn += 1
        return self.low + self.span * self.sampler.draw()

    def state_dict(self) -> dict[str, Any]:
        return {"sets": self.drawn}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restart from the seed and skip the sets already used (bit-identical to drawing them)."""
        self.sampler.restart()
        self.drawn = 0
        for _ in range(state["sets"]):
            self._next_set()


class CollocationDataModule(L.LightningDataModule):
    """Collocation points on the potential's box (``[a, b]`` or d × 2 bounds); counts and
    sampler from the ``data`` group."""

    def __init__(
        self,
        box: Sequence[Any],
        n_points: int,
        sampler: str,
        seed: int,
        steps_per_batch: int,
    ) -> None:
        super().__init__()
        integer_at_least("steps_per_batch", steps_per_batch)
        domain = Box.parse(box)
        draws = UnitSampler(sampler, n_points, domain.dim, seed)
        self.points = CollocationPoints(domain, draws, steps_per_batch)

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
