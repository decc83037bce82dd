from __future__ import annotations

import pytest
import torch

from conftest import collocation
from qwpinn.errors import ConfigError


def batches(sampler: str, seed: int = 0, count: int = 3, box=(0.25, 2.0), steps_per_batch=1):
    """The first `count` point sets (N×1) of the stream, whatever the sets per batch."""
    module = collocation(
        box=box, n_points=64, sampler=sampler, seed=seed, steps_per_batch=steps_per_batch
    )
    iterator = iter(module.train_dataloader())
    sets = []
    while len(sets) < count:
        batch = next(iterator)
        assert batch.shape == (steps_per_batch, 64, 1)
        sets.extend(batch)
    return sets[:count]


@pytest.mark.parametrize("sampler", ["grid", "chebyshev", "random", "lhs", "sobol"])
def test_points_lie_inside_the_box_with_the_configured_count(sampler):
    for x in batches(sampler, steps_per_batch=2):
        assert x.shape == (64, 1)
        assert torch.all(x > 0.25) and torch.all(x < 2.0)


@pytest.mark.parametrize("sampler", ["random", "sobol"])
def test_sets_per_batch_do_not_change_the_stream(sampler):
    one = batches(sampler, count=7)
    for per_batch in (3, 7):
        assert all(
            torch.equal(a, b)
            for a, b in zip(one, batches(sampler, 0, 7, steps_per_batch=per_batch), strict=True)
        )


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
    allowed = "must be one of grid, chebyshev, random, lhs, sobol"
    with pytest.raises(ConfigError, match=f"^sampler = 'halton': {allowed}"):
        collocation(sampler="halton")
    with pytest.raises(ConfigError, match="^n_points = 0"):
        collocation(n_points=0)
    with pytest.raises(ConfigError, match="^steps_per_batch = 0"):
        collocation(steps_per_batch=0)


@pytest.mark.parametrize("sampler", ["random", "lhs", "sobol"])
def test_sampler_state_round_trip_continues_the_stream(sampler):
    module = collocation(n_points=8, sampler=sampler, seed=3)
    stream = iter(module.train_dataloader())
    next(stream)
    state = module.state_dict()
    expected = [next(stream) for _ in range(2)]
    fresh = collocation(n_points=8, sampler=sampler, seed=3)
    fresh.load_state_dict(state)
    resumed = iter(fresh.train_dataloader())
    assert all(torch.equal(next(resumed), e) for e in expected)


def test_latin_hypercube_puts_one_point_in_every_stratum():
    for x in batches("lhs", count=2, box=(0.0, 1.0)):
        strata = torch.floor(x.flatten() * 64).long()
        assert torch.equal(torch.sort(strata).values, torch.arange(64))
    first, second = batches("lhs", count=2)
    assert not torch.equal(first, second)


def test_chebyshev_nodes_are_fixed_and_cluster_at_the_walls():
    first, second = batches("chebyshev", count=2, box=(-1.0, 1.0))
    assert torch.equal(first, second)
    k = torch.arange(1, 65, dtype=torch.float64)
    expected = torch.cos((2 * k - 1) * torch.pi / 128)
    torch.testing.assert_close(first.flatten().double(), expected, rtol=0, atol=1e-6)
    gaps = first.flatten().sort().values.diff()
    assert gaps[0] < gaps[32] / 10  # dense near the walls, sparse in the middle


@pytest.mark.parametrize("sampler", ["grid", "chebyshev", "random", "lhs", "sobol"])
def test_points_fill_a_two_d_box_inside_its_walls(sampler):
    """(N, 2) points strictly inside [0, 1] × [−1, 2]; the Latin hypercube puts one point in
    each of the N strata of every axis; the fixed samplers are a 8 × 8 product grid."""
    module = collocation(box=[[0.0, 1.0], [-1.0, 2.0]], n_points=64, sampler=sampler)
    (points,) = next(iter(module.train_dataloader()))[:1]
    assert points.shape == (64, 2)
    assert (points[:, 0] > 0).all() and (points[:, 0] < 1).all()
    assert (points[:, 1] > -1).all() and (points[:, 1] < 2).all()
    if sampler == "lhs":
        for axis, (low, span) in enumerate([(0.0, 1.0), (-1.0, 3.0)]):
            strata = torch.floor((points[:, axis] - low) / span * 64).long()
            assert sorted(strata.tolist()) == list(range(64))
    if sampler in ("grid", "chebyshev"):
        assert len(set(points[:, 0].tolist())) == 8 and len(set(points[:, 1].tolist())) == 8
