from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from qwpinn import reference
from qwpinn.errors import ConfigError
from qwpinn.problems import Barrier, FiniteWell, InfiniteWell, PiecewiseConstant


def test_defaults_match_the_design_table():
    well, barrier, box = FiniteWell(), Barrier(), InfiniteWell()
    x = np.array([0.1, 0.3, 0.5, 0.7, 0.9])
    np.testing.assert_array_equal(well(x), [100, 0, 0, 0, 100])
    np.testing.assert_array_equal(barrier(x), [0, 0, 100, 0, 0])
    np.testing.assert_array_equal(box(x), 0)
    assert well.energy_trainable and barrier.energy_trainable and not box.energy_trainable
    assert well.breakpoints == [0.25, 0.75] and barrier.breakpoints == [0.45, 0.55]


def test_numpy_and_torch_agree():
    well = FiniteWell(v0=50, well=[0.2, 0.6])
    x = np.linspace(0, 1, 101)
    np.testing.assert_array_equal(well(x), well(torch.tensor(x)).numpy())


def test_default_energy_init_is_box_level_plus_mean_potential():
    assert InfiniteWell().default_energy_init() == pytest.approx(math.pi**2)
    assert FiniteWell().default_energy_init() == pytest.approx(math.pi**2 + 50.0)
    assert Barrier(box=[0, 2]).default_energy_init() == pytest.approx(math.pi**2 / 4 + 5.0)


def test_piecewise_tiles_the_box():
    steps = PiecewiseConstant([0, 1], [[0, 0.2, 5], [0.2, 0.5, 0], [0.5, 1, 20]])
    assert steps.breakpoints == [0.2, 0.5]
    assert steps.mean() == pytest.approx(0.2 * 5 + 0.5 * 20)


@pytest.mark.parametrize(
    ("build", "key"),
    [
        (lambda: FiniteWell(box=[1, 0]), "box"),
        (lambda: FiniteWell(well=[0.8, 0.6]), "well"),
        (lambda: FiniteWell(well=[0.5, 0.5]), "well"),
        (lambda: FiniteWell(well=[-0.1, 0.6]), "well"),
        (lambda: Barrier(barrier=[0.5, 1.2]), "barrier"),
        (lambda: FiniteWell(v0=float("nan")), "v0"),
        (lambda: Barrier(v0="inf"), "v0"),
        (lambda: InfiniteWell(box=[0, float("inf")]), "box"),
        (lambda: FiniteWell(energy="free"), "energy"),
        (lambda: PiecewiseConstant([0, 1], [[0, 0.4, 1], [0.5, 1, 0]]), "pieces"),
    ],
)
def test_invalid_values_name_their_key(build, key):
    with pytest.raises(ConfigError) as err:
        build()
    assert err.value.key == key
    assert "\n" not in str(err.value) and str(err.value).startswith(f"{key} = ")


def test_expression_potentials_and_their_exact_spectra():
    from qwpinn.problems.potentials import Expression
    from qwpinn.reference import solve

    harmonic = Expression([-2, 2], "omega**2*(x-c)**2", {"omega": 10.0, "c": 0.0})
    np.testing.assert_allclose(
        solve(harmonic, 4).energies, 10.0 * (2 * np.arange(4) + 1), rtol=1e-9
    )
    # Pöschl–Teller on the box its config uses: test_reference.py (closed forms + wall shifts)
    assert harmonic.breakpoints == [] and harmonic.pieces is None
    assert harmonic.mean() == pytest.approx(100 * 4 / 3, rel=1e-12)


def test_expression_must_be_finite_on_the_box():
    from qwpinn.problems.potentials import Expression

    with pytest.raises(ConfigError, match="^formula = '1/x'"):
        Expression([0, 1], "1/x")
    with pytest.raises(ConfigError, match="^params.w = "):
        Expression([0, 1], "x/w", {"w": float("nan")})


@pytest.mark.parametrize("cls", [FiniteWell, Barrier])
def test_smoothed_step_converges_to_the_sharp_spectrum(cls):
    sharp = reference.solve(cls(), n_states=2).energies
    widths = (0.02, 0.01, 0.005, 0.0025)
    bias = [np.abs(reference.solve(cls(smoothing=w), 2).energies - sharp) / sharp for w in widths]
    assert all(np.all(b1 < b0) for b0, b1 in zip(bias[:-1], bias[1:], strict=False))
    assert np.all(bias[-1] < 1e-3)
    assert np.all(bias[-1] < 0.4 * bias[-2])  # ~ w²: halving w divides the bias by ~4


@pytest.mark.parametrize("width", [0.01, 0.002])
def test_smoothed_reference_is_converged(width):
    """The default finite-difference reference against a mesh twice as fine: ~1e-10 or better."""
    potential = FiniteWell(smoothing=width)
    solved = reference.solve(potential, n_states=3).energies
    finer = reference.finite_difference_energies(potential, 3, [256 * 2**i for i in range(5)])
    assert np.all(np.abs(solved - finer) / finer < 1e-10)


def test_smoothed_step_is_a_tanh_and_sharp_recovers_the_pieces():
    potential = Barrier(smoothing=0.01)
    x = np.array([0.0, 0.45, 0.5, 0.55, 1.0])
    expected = 50.0 * (np.tanh((x - 0.45) / 0.01) - np.tanh((x - 0.55) / 0.01))
    assert np.allclose(potential(x), expected, rtol=0, atol=1e-12)
    assert np.allclose(potential(torch.tensor(x)).numpy(), expected, rtol=0, atol=1e-12)
    assert potential.pieces is None and potential.breakpoints == [0.45, 0.55]
    assert potential.quadrature_cuts == pytest.approx([0.35, 0.45, 0.55, 0.65])
    sharp = potential.sharp()
    assert sharp.pieces == Barrier().pieces and sharp.smoothing == 0.0 and sharp.name == "barrier"
    assert Barrier().sharp().pieces == Barrier().pieces


@pytest.mark.parametrize("value", [-0.01, float("nan"), "wide"])
def test_bad_smoothing_names_its_key(value):
    with pytest.raises(ConfigError, match="^smoothing = .*: must be a finite number >= 0"):
        FiniteWell(smoothing=value)
