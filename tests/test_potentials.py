from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from conftest import configured
from qwpinn import reference
from qwpinn.errors import ConfigError
from qwpinn.problems import (
    Box,
)


def test_defaults_match_the_design_table():
    well, barrier, box = (
        configured("finite_well"),
        configured("barrier"),
        configured("infinite_well"),
    )
    x = np.array([0.1, 0.3, 0.5, 0.7, 0.9])
    np.testing.assert_array_equal(well(x), [100, 0, 0, 0, 100])
    np.testing.assert_array_equal(barrier(x), [0, 0, 100, 0, 0])
    np.testing.assert_array_equal(box(x), 0)
    assert well.energy_trainable and barrier.energy_trainable and not box.energy_trainable
    assert well.breakpoints == [0.25, 0.75] and barrier.breakpoints == [0.45, 0.55]


def test_numpy_and_torch_agree():
    well = configured("finite_well", v0=50, well=[0.2, 0.6])
    x = np.linspace(0, 1, 101)
    np.testing.assert_array_equal(well(x), well(torch.tensor(x)).numpy())


def test_default_energy_init_is_box_level_plus_mean_potential():
    assert configured("infinite_well").default_energy_init() == pytest.approx(math.pi**2)
    assert configured("finite_well").default_energy_init() == pytest.approx(math.pi**2 + 50.0)
    assert configured("barrier", box=[0, 2]).default_energy_init() == pytest.approx(
        math.pi**2 / 4 + 5.0
    )


def test_piecewise_tiles_the_box():
    steps = configured("piecewise", box=[0, 1], pieces=[[0, 0.2, 5], [0.2, 0.5, 0], [0.5, 1, 20]])
    assert steps.breakpoints == [0.2, 0.5]
    assert steps.mean() == pytest.approx(0.2 * 5 + 0.5 * 20)


@pytest.mark.parametrize(
    ("build", "key"),
    [
        (lambda: configured("finite_well", box=[1, 0]), "box"),
        (lambda: configured("finite_well", well=[0.8, 0.6]), "well"),
        (lambda: configured("finite_well", well=[0.5, 0.5]), "well"),
        (lambda: configured("finite_well", well=[-0.1, 0.6]), "well"),
        (lambda: configured("barrier", barrier=[0.5, 1.2]), "barrier"),
        (lambda: configured("finite_well", v0=float("nan")), "v0"),
        (lambda: configured("barrier", v0="inf"), "v0"),
        (lambda: configured("infinite_well", box=[0, float("inf")]), "box"),
        (lambda: configured("finite_well", energy="free"), "energy"),
        (lambda: configured("piecewise", box=[0, 1], pieces=[[0, 0.4, 1], [0.5, 1, 0]]), "pieces"),
    ],
)
def test_invalid_values_name_their_key(build, key):
    with pytest.raises(ConfigError) as err:
        build()
    assert err.value.key == key
    assert "\n" not in str(err.value) and str(err.value).startswith(f"{key} = ")


def test_expression_potentials_and_their_exact_spectra():
    from qwpinn.reference import solve

    harmonic = configured(
        "expression", box=[-2, 2], formula="omega**2*(x-c)**2", params={"omega": 10.0, "c": 0.0}
    )
    np.testing.assert_allclose(
        solve(harmonic, 4).energies, 10.0 * (2 * np.arange(4) + 1), rtol=1e-9
    )
    # Pöschl–Teller on the box its config uses: test_reference.py (closed forms + wall shifts)
    assert harmonic.breakpoints == [] and harmonic.pieces is None
    assert harmonic.mean() == pytest.approx(100 * 4 / 3, rel=1e-12)


def test_expression_must_be_finite_on_the_box():
    with pytest.raises(ConfigError, match="^formula = '1/x'"):
        configured("expression", box=[0, 1], formula="1/x")
    with pytest.raises(ConfigError, match="^params.w = "):
        configured("expression", box=[0, 1], formula="x/w", params={"w": float("nan")})


@pytest.mark.parametrize("option", ["finite_well", "barrier"])
def test_smoothed_step_converges_to_the_sharp_spectrum(option):
    sharp = reference.solve(configured(option), n_states=2).energies
    widths = (0.02, 0.01, 0.005, 0.0025)
    smoothed = [reference.solve(configured(option, smoothing=w), 2).energies for w in widths]
    bias = [np.abs(energies - sharp) / sharp for energies in smoothed]
    assert all(np.all(b1 < b0) for b0, b1 in zip(bias[:-1], bias[1:], strict=False))
    assert np.all(bias[-1] < 1e-3)
    assert np.all(bias[-1] < 0.4 * bias[-2])  # ~ w²: halving w divides the bias by ~4


@pytest.mark.parametrize("width", [0.01, 0.002])
def test_smoothed_reference_is_converged(width):
    """The default finite-difference reference against a mesh twice as fine: ~1e-10 or better."""
    potential = configured("finite_well", smoothing=width)
    solved = reference.solve(potential, n_states=3).energies
    finer = reference.finite_difference_energies(potential, 3, [256 * 2**i for i in range(5)])
    assert np.all(np.abs(solved - finer) / finer < 1e-10)


def test_smoothed_step_is_a_tanh_and_sharp_recovers_the_pieces():
    potential = configured("barrier", smoothing=0.01)
    x = np.array([0.0, 0.45, 0.5, 0.55, 1.0])
    expected = 50.0 * (np.tanh((x - 0.45) / 0.01) - np.tanh((x - 0.55) / 0.01))
    assert np.allclose(potential(x), expected, rtol=0, atol=1e-12)
    assert np.allclose(potential(torch.tensor(x)).numpy(), expected, rtol=0, atol=1e-12)
    assert potential.pieces is None and potential.breakpoints == [0.45, 0.55]
    assert potential.quadrature_cuts == pytest.approx([0.35, 0.45, 0.55, 0.65])
    sharp = potential.sharp()
    assert (
        sharp.pieces == configured("barrier").pieces
        and sharp.smoothing == 0.0
        and sharp.name == "barrier"
    )
    assert configured("barrier").sharp().pieces == configured("barrier").pieces


@pytest.mark.parametrize("value", [-0.01, float("nan"), "wide"])
def test_bad_smoothing_names_its_key(value):
    with pytest.raises(ConfigError, match="^smoothing = .*: must be a finite number >= 0"):
        configured("finite_well", smoothing=value)


ONE_D = [
    configured("finite_well"),
    configured("barrier", box=[-1, 2], barrier=[0.1, 0.4]),
    configured("barrier", smoothing=0.01),
    configured(
        "piecewise",
        box=[0, 1],
        pieces=[[0, 0.2, 10], [0.2, 0.45, -20], [0.45, 0.7, 60], [0.7, 1, 5]],
    ),
    configured(
        "expression", box=[-2, 2], formula="omega**2*(x-c)**2", params={"omega": 10.0, "c": 0.3}
    ),
]
ONE_D_IDS = ["finite_well", "barrier", "smoothed_barrier", "steps", "harmonic"]


@pytest.mark.parametrize("potential", ONE_D, ids=ONE_D_IDS)
def test_one_d_values_are_the_same_for_every_shape_of_points(potential):
    """V of x values (N,) and of points (N, 1) agree to the bit within numpy and within torch
    (numpy's tanh and torch's differ in the last bits), and each keeps its shape convention:
    numpy (N, 1) → (N,), torch (N, 1) → (N, 1)."""
    a, b = potential.box
    x = np.linspace(a, b, 257)
    v = potential(x)
    assert v.shape == (257,)
    np.testing.assert_array_equal(potential(x.reshape(-1, 1)), v)
    column = potential(torch.tensor(x).reshape(-1, 1))
    assert column.shape == (257, 1)
    np.testing.assert_array_equal(column.numpy().ravel(), potential(torch.tensor(x)).numpy())
    np.testing.assert_allclose(column.numpy().ravel(), v, rtol=1e-12, atol=1e-12)
    grid = x[:-1].reshape(-1, 8)  # the 1D reference evaluates V on (cells, nodes) grids
    np.testing.assert_array_equal(potential(grid), v[:-1].reshape(-1, 8))


def test_one_d_values_are_the_closed_forms():
    x = np.linspace(-1, 2, 301)
    barrier = configured("barrier", box=[-1, 2], v0=7.0, barrier=[0.1, 0.4])
    np.testing.assert_array_equal(barrier(x), np.where((x >= 0.1) & (x < 0.4), 7.0, 0.0))
    harmonic = configured(
        "expression", box=[-1, 2], formula="omega**2*(x-c)**2", params={"omega": 3.0, "c": 0.5}
    )
    points = torch.tensor(x).reshape(-1, 1)
    np.testing.assert_allclose(harmonic(points).numpy().ravel(), 9.0 * (x - 0.5) ** 2, rtol=1e-15)


def test_a_square_box_parses_with_its_bounds_lengths_and_empty_level():
    box = Box.parse([[0.0, 2.0], [-1.0, 1.0]])
    assert box.dim == 2 and box.volume == 4.0 and box.tolist() == [[0.0, 2.0], [-1.0, 1.0]]
    np.testing.assert_array_equal(box.bounds, [[0.0, 2.0], [-1.0, 1.0]])
    np.testing.assert_array_equal(box.lengths, [2.0, 2.0])
    well = configured("expression", box=box.tolist(), formula="0*x", energy="fixed")
    assert well.dim == 2 and not well.energy_trainable
    assert well.empty_box_level() == pytest.approx(2 * math.pi**2 / 4, rel=1e-15)
    assert well.default_energy_init() == pytest.approx(math.pi**2 / 2, rel=1e-15)
    assert Box.parse([0, 3]).interval == (0.0, 3.0) and Box.parse([[0, 3]]).dim == 1
    cube = Box.parse(np.array([[0, 1], [0, 2], [0, 4]]))
    assert cube.dim == 3 and cube.volume == 8.0 and cube == Box([[0, 1], [0, 2], [0, 4]])


@pytest.mark.parametrize(
    "box",
    [
        [[0, 1], [1, 1]],
        [[0, 1], [0, 1], [0, 1], [0, 1]],
        [[0, 1], 2],
        [[0, 1], [0, 1, 2]],
        [[0, 1], [0, float("nan")]],
        [[0, 1], ["a", 1]],
        [],
        "unit",
        [0, 1, 2],
    ],
)
def test_a_bad_box_is_refused_in_one_line(box):
    with pytest.raises(ConfigError) as err:
        configured("expression", box=box, formula="x")
    assert err.value.key == "box" and "\n" not in str(err.value)
    assert str(err.value).startswith("box = ")


def test_piecewise_potentials_are_one_dimensional():
    with pytest.raises(ConfigError, match=r"^box = \[\[0, 1\], \[0, 1\]\]: must be \[a, b\]"):
        configured("finite_well", box=[[0, 1], [0, 1]])
    plane = configured("expression", box=[[0, 1], [0, 1]], formula="x")
    with pytest.raises(AttributeError, match="bounds"):
        _ = plane.box
    with pytest.raises(ValueError, match=r"points must be \(N, 2\)"):
        plane(np.zeros(4))


def test_two_d_formula_on_points_matches_numpy_and_keeps_autograd():
    v = configured(
        "expression", box=[[-1, 1], [0, 2]], formula="x**2 + y**2 + a*x*y", params={"a": 0.5}
    )
    points = np.random.default_rng(0).uniform([-1, 0], [1, 2], size=(200, 2))
    x, y = points[:, 0], points[:, 1]
    expected = x**2 + y**2 + 0.5 * x * y
    np.testing.assert_allclose(v(points), expected, rtol=1e-15)
    assert v(points).shape == (200,)
    tensor = torch.tensor(points, requires_grad=True)
    values = v(tensor)
    assert values.shape == (200, 1) and values.requires_grad
    np.testing.assert_allclose(values.detach().numpy().ravel(), expected, rtol=1e-15)
    (grad,) = torch.autograd.grad(values.sum(), tensor)
    np.testing.assert_allclose(grad.numpy(), np.stack([2 * x + 0.5 * y, 2 * y + 0.5 * x], 1))


def test_mean_is_a_tensor_product_gauss_legendre_average():
    plane = configured("expression", box=[[0, 1], [0, 2]], formula="x**2 + y**2")
    assert plane.mean() == pytest.approx(1 / 3 + 4 / 3, rel=1e-13)
    assert plane.default_energy_init() == pytest.approx(math.pi**2 * (1 + 1 / 4) + 5 / 3, rel=1e-13)
    cube = configured("expression", box=[[0, 1], [-1, 1], [0, 3]], formula="exp(x)*cos(y)*z")
    exact = (math.e - 1) * math.sin(1) * 1.5
    assert cube.mean() == pytest.approx(exact, rel=1e-12)
    assert cube.empty_box_level() == pytest.approx(math.pi**2 * (1 + 1 / 4 + 1 / 9), rel=1e-15)


@pytest.mark.parametrize(
    "potential",
    [*ONE_D, configured("expression", box=[[0, 1], [0, 1], [0, 1]], formula="z")],
    ids=[*ONE_D_IDS, "cube"],
)
def test_the_dimensionless_problems_have_unit_kinetic_coefficient(potential):
    points = potential.bounds[:, 0] + potential.lengths * np.random.default_rng(1).random(
        (33, potential.dim)
    )
    np.testing.assert_array_equal(potential.kinetic(points), np.ones(33))
    c = potential.kinetic(torch.tensor(points, dtype=torch.float32))
    assert c.shape == (33, 1) and c.dtype == torch.float32 and torch.all(c == 1)
    assert potential.c_min == 1.0
