from __future__ import annotations

import pytest
import torch

from qwpinn.data import CollocationDataModule
from qwpinn.errors import ConfigError


def batches(sampler: str, seed: int = 0, count: int = 3, box=(0.25, 2.0)):
    loader = CollocationDataModule(box, n_points=64, sampler=sampler, seed=seed).train_dataloader()
    iterator = iter(loader)
    return [next(iterator) for _ in range(count)]


@pytest.mark.parametrize("sampler", ["grid", "random", "sobol"])
def test_points_lie_inside_the_box_with_the_configured_count(sampler):
    for x in batches(sampler):
        assert x.shape == (64, 1)
        assert torch.all(x > 0.25) and torch.all(x < 2.0)


@pytest.mark.parametrize("sampler", ["random", "sobol"])
def test_random_samplers_are_seeded_and_redraw_every_step(sampler):
    first, again, other = batches(sampler, 1), batches(sampler, 1), batches(sampler, 2)
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True))
    assert not torch.equal(first[0], other[0])
    assert not torch.equal(first[0], first[1])


def test_grid_is_fixed():
    first, second, _ = batches("grid")
    assert torch.equal(first, second)


def test_bad_sampler_and_count_name_the_key():
    with pytest.raises(ConfigError, match="^sampler = 'lhs': must be one of grid, random, sobol"):
        CollocationDataModule((0, 1), sampler="lhs")
    with pytest.raises(ConfigError, match="^n_points = 0"):
        CollocationDataModule((0, 1), n_points=0)


@pytest.mark.parametrize("sampler", ["random", "sobol"])
def test_sampler_state_round_trip_continues_the_stream(sampler):
    module = CollocationDataModule((0, 1), n_points=8, sampler=sampler, seed=3)
    stream = iter(module.train_dataloader())
    next(stream)
    state = module.state_dict()
    expected = [next(stream) for _ in range(2)]
    fresh = CollocationDataModule((0, 1), n_points=8, sampler=sampler, seed=3)
    fresh.load_state_dict(state)
    resumed = iter(fresh.train_dataloader())
    assert all(torch.equal(next(resumed), e) for e in expected)
