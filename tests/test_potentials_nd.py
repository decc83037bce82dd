"""Potentials in 2 and 3 dimensions: the grid of cells, the classics, and their bad inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from conftest import compose_config, configured
from qwpinn import reference
from qwpinn.errors import ConfigError
from qwpinn.pipeline.build import build

ND_OPTIONS = {
    "grid": 2,
    "square_well": 2,
    "rectangular_well": 2,
    "cube_well": 3,
    "empty_box": 2,
    "oscillator": 2,
    "anisotropic_oscillator": 2,
    "disk": 2,
}


@pytest.mark.parametrize(("option", "dim"), ND_OPTIONS.items())
def test_every_nd_option_builds_through_hydra(option, dim):
    potential = build("potential", compose_config(Path("unused"), f"potential={option}").potential)
    assert potential.name == option and potential.dim == dim
    assert potential.bounds.shape == (dim, 2)


def test_square_well_values_numpy_and_torch():
    well = configured("square_well")
    points = np.array([[0.5, 0.5], [0.1, 0.5], [0.5, 0.9], [0.1, 0.1], [0.25, 0.5], [0.75, 0.5]])
    expected = [0.0, 100.0, 100.0, 100.0, 0.0, 100.0]  # a jump belongs to the cell above it
    np.testing.assert_array_equal(well(points), expected)
    values = well(torch.tensor(points))
    assert values.shape == (6, 1)
    np.testing.assert_array_equal(values.numpy().ravel(), expected)
    assert [c.tolist() for c in well.cuts] == [[0.25, 0.75], [0.25, 0.75]]
    assert well.mean() == pytest.approx(100.0 * (1 - 0.25), rel=1e-15)


def test_cube_well_is_zero_only_in_the_inner_cube():
    well = configured("cube_well")
    rng = np.random.default_rng(0)
    points = rng.random((2000, 3))
    inside = np.all((points >= 0.25) & (points < 0.75), axis=1)
    np.testing.assert_array_equal(well(points), np.where(inside, 0.0, 100.0))


def test_grid_in_one_dimension_is_piecewise():
    grid = configured(
        "grid", box=[0.0, 1.0], cuts=[0.0, 0.2, 0.5, 0.7, 1.0], values=[80, 0, 20, 120]
    )
    piecewise = configured("piecewise")
    assert grid.dim == 1 and grid.pieces == piecewise.pieces
    assert grid.breakpoints == piecewise.breakpoints
    x = np.linspace(0.0, 1.0, 101)
    np.testing.assert_array_equal(grid(x), piecewise(x))
    ours, theirs = reference.solve(grid, 3), reference.solve(piecewise, 3)
    np.testing.assert_array_equal(ours.energies, theirs.energies)
    assert ours.method == theirs.method == "exact"


def test_additive_grid_has_1d_factors_and_a_well_has_none():
    values = [[1.0 + 10.0, 1.0 + 30.0], [5.0 + 10.0, 5.0 + 30.0], [2.0 + 10.0, 2.0 + 30.0]]
    grid = configured("grid", box=[[0, 3], [0, 1]], cuts=[[0, 1, 2, 3], [0, 0.4, 1]], values=values)
    factors = grid.factors()
    points = np.random.default_rng(1).random((500, 2)) * [3, 1]
    total = factors[0](points[:, 0]) + factors[1](points[:, 1])
    np.testing.assert_allclose(total, grid(points), rtol=1e-14)
    assert configured("square_well").factors() is None


def test_classics_values_and_factors():
    oscillator = configured("anisotropic_oscillator")
    points = np.array([[0.5, -1.0], [1.0, 0.2]])
    expected = 100.0 * points[:, 0] ** 2 + 225.0 * points[:, 1] ** 2
    np.testing.assert_allclose(oscillator(points), expected, rtol=1e-15)
    parts = oscillator.factors()
    np.testing.assert_allclose(parts[0](points[:, 0]) + parts[1](points[:, 1]), expected)
    assert configured("oscillator").centre.tolist() == [0.0, 0.0]
    line = configured("empty_box", box=[0, 2])
    assert reference.solve(line, 2).energies == pytest.approx([np.pi**2 / 4, np.pi**2], rel=1e-15)
    box = configured("empty_box", box=[[0, 1], [0, 2], [0, 3]])
    assert box.dim == 3 and [f.box for f in box.factors()] == [(0, 1), (0, 2), (0, 3)]
    disk = configured("disk")
    np.testing.assert_array_equal(
        disk(np.array([[0.5, 0.5], [0.5, 0.81], [0.79, 0.5]])), [0, 100, 0]
    )


BAD = [
    ("potential=square_well potential.cuts=[[0,0.75,0.25,1],[0,0.25,0.75,1]]", "potential.cuts"),
    ("potential=square_well potential.cuts=[[0,0.25,0.75,1],[0,0.5,1]]", "potential.values"),
    ("potential=square_well potential.values=[[0,100],[100,0]]", "potential.values"),
    ("potential=square_well potential.cuts=[[0,0.25,0.75,2],[0,0.25,0.75,1]]", "potential.cuts"),
    ("potential=square_well potential.cuts=[[0,0.25,0.75,1]]", "potential.cuts"),
    ("potential=disk potential.radius=0.6", "potential.radius"),
    ("potential=disk potential.centre=[0.9,0.5]", "potential.radius"),
    ("potential=disk potential.box=[[0,1],[0,1],[0,1]]", "potential.box"),
    ("potential=empty_box potential.box=[[0,1],[0,1],[0,1],[0,1]]", "potential.box"),
    ("potential=oscillator potential.omega=[1,2,3]", "potential.omega"),
    ("potential=oscillator potential.omega=-1", "potential.omega"),
]


@pytest.mark.parametrize(("override", "key"), BAD)
def test_bad_nd_input_is_one_config_error_line(override, key):
    cfg = compose_config(Path("unused"), *override.split())
    with pytest.raises(ConfigError) as caught:
        build("potential", cfg.potential)
    message = str(caught.value)
    assert message.startswith(f"{key} = ") and "\n" not in message
