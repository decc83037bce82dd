from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from qwpinn.errors import ConfigError
from qwpinn.potentials import Barrier, FiniteWell, InfiniteWell, PiecewiseConstant


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
    from qwpinn.potentials import Expression
    from qwpinn.reference import solve

    harmonic = Expression([-2, 2], "omega**2*(x-c)**2", {"omega": 10.0, "c": 0.0})
    np.testing.assert_allclose(
        solve(harmonic, 4).energies, 10.0 * (2 * np.arange(4) + 1), rtol=1e-9
    )
    teller = Expression([-8, 8], "-lam*(lam+1)*alpha**2/cosh(alpha*x)**2", {"lam": 3, "alpha": 2})
    np.testing.assert_allclose(solve(teller, 3).energies, [-36.0, -16.0, -4.0], rtol=1e-8)
    assert harmonic.breakpoints == [] and harmonic.pieces is None
    assert harmonic.mean() == pytest.approx(100 * 4 / 3, rel=1e-12)


def test_expression_must_be_finite_on_the_box():
    from qwpinn.potentials import Expression

    with pytest.raises(ConfigError, match="^formula = '1/x'"):
        Expression([0, 1], "1/x")
    with pytest.raises(ConfigError, match="^params.w = "):
        Expression([0, 1], "x/w", {"w": float("nan")})
