"""The reference in 2 and 3 dimensions: closed forms of the separable classics, separable sums
against spectral elements, a non-separable well against its own refinement, the disk against
its Bessel levels, ψ at points (N, d), degenerate groups and bad requests."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from conftest import configured
from qwpinn import reference
from qwpinn.errors import ConfigError
from qwpinn.problems.classics import DiskWell
from qwpinn.problems.potentials import Expression
from qwpinn.reference.bessel import disk_levels
from qwpinn.reference.spectral_elements import solve_degree


def box_levels(lengths, count):
    """Σ_k n_k²π²/L_k², the ``count`` lowest, ascending."""
    sums = [
        sum((n * math.pi / length) ** 2 for n, length in zip(c, lengths, strict=True))
        for c in itertools.product(range(1, count + 2), repeat=len(lengths))
    ]
    return np.sort(sums)[:count]


def gauss_rule(potential, nodes=40, panels=4):
    """Tensor Gauss–Legendre rule on the box, ``panels`` per axis split at the cuts of V:
    points (N, d), weights (N,)."""
    t, w = np.polynomial.legendre.leggauss(nodes)
    axes, weights = [], []
    cuts = getattr(potential, "cuts", None) or [[]] * potential.dim
    for (a, b), inner in zip(potential.bounds, cuts, strict=True):
        edges = np.union1d(np.linspace(a, b, panels + 1), inner)
        half = 0.5 * np.diff(edges)[:, None]
        axes.append((0.5 * (edges[:-1] + edges[1:])[:, None] + half * t).ravel())
        weights.append((half * w).ravel())
    mesh = np.meshgrid(*axes, indexing="ij")
    product = np.ones(())
    for wk in weights:
        product = np.multiply.outer(product, wk)
    return np.stack([m.ravel() for m in mesh], axis=1), product.ravel()


@pytest.mark.parametrize("box", [[[0, 1], [0, 1]], [[0, 1], [0, 2]], [[0, 1], [0, 1.5], [0, 2]]])
def test_empty_box_is_the_sum_of_sines(box):
    potential = configured("empty_box", box=box)
    spectrum = reference.solve(potential, 6)
    lengths = [b - a for a, b in box]
    expected = box_levels(lengths, len(spectrum.energies))
    assert spectrum.method == "separable"
    np.testing.assert_allclose(spectrum.energies, expected, rtol=1e-14)
    assert np.all(spectrum.accuracy < 1e-14)


def test_square_box_degeneracy_groups_and_orthonormal_basis():
    potential = configured("empty_box", box=[[0, 1], [0, 1]])
    spectrum = reference.solve(potential, 5)  # the 5th level's pair brings the 6th
    assert spectrum.n_states == 6
    assert spectrum.degeneracy == [[0], [1, 2], [1, 2], [3], [4, 5], [4, 5]]
    points, weights = gauss_rule(potential)
    psi = np.stack([spectrum.psi_at(n, points) for n in range(1, 7)])
    np.testing.assert_allclose((psi * weights) @ psi.T, np.eye(6), atol=1e-12)
    walls = np.array([[0.0, 0.3], [1.0, 0.7], [0.4, 0.0], [0.6, 1.0]])
    np.testing.assert_array_equal(spectrum.psi_at(2, walls), 0.0)


@pytest.mark.parametrize("option", ["oscillator", "anisotropic_oscillator"])
def test_oscillators_are_sums_of_omega_levels(option):
    potential = configured(option)
    spectrum = reference.solve(potential, 4)
    expected = potential.line_levels(len(spectrum.energies))
    np.testing.assert_allclose(spectrum.energies, expected, rtol=1e-12)  # walls: < 1e-12 here
    assert np.all(spectrum.accuracy < 1e-11)


def test_separable_sums_agree_with_spectral_elements_in_2d():
    values = [[a + b for b in (40.0, 0.0, 60.0)] for a in (30.0, 0.0, 50.0)]
    cuts = [[0.0, 0.3, 0.8, 1.0], [0.0, 0.2, 0.6, 1.0]]
    grid = configured("grid", box=[[0, 1], [0, 1]], cuts=cuts, values=values)
    exact = reference.solve(grid, 4, method="separable")
    elements = reference.solve(grid, 4, method="spectral_element")
    assert exact.method == "separable" and elements.method == "spectral_element"
    difference = np.abs(elements.energies[:4] - exact.energies[:4]) / exact.energies[:4]
    assert np.all(difference <= exact.accuracy[:4] + elements.accuracy[:4] + 1e-13)
    assert np.all(elements.accuracy[:4] < 1e-10)
    points, weights = gauss_rule(grid)
    for n in range(1, 5):
        overlap = np.sum(weights * exact.psi_at(n, points) * elements.psi_at(n, points))
        assert abs(overlap) == pytest.approx(1.0, abs=1e-9)


def test_spectral_elements_in_3d_on_the_empty_box():
    potential = configured("empty_box", box=[[0, 1], [0, 1], [0, 2]])
    spectrum = reference.solve(potential, 4, method="spectral_element")
    expected = box_levels([1, 1, 2], len(spectrum.energies))
    np.testing.assert_allclose(spectrum.energies, expected, rtol=1e-11)
    assert spectrum.degeneracy == [[0], [1], [2], [3, 4], [3, 4]]


def test_square_well_against_its_own_refinement():
    """The 2D square well (not separable): the four lowest levels at the default mesh and
    degree agree with two more degrees to 1e-10; its ten lowest come in the pairs of its
    square symmetry (a block eigensolver that stalls splits them)."""
    well = configured("square_well")
    spectrum = reference.solve(well, 10)
    finer, _, _ = solve_degree(well, 8, 14)
    np.testing.assert_allclose(spectrum.energies[:4], finer[:4], rtol=1e-10, atol=0)
    assert np.all(spectrum.accuracy < 1e-10)
    assert spectrum.degeneracy == [
        [0],
        [1, 2],
        [1, 2],
        [3],
        [4],
        [5],
        [6, 7],
        [6, 7],
        [8, 9],
        [8, 9],
    ]
    pairs = spectrum.energies[[2, 7, 9]] - spectrum.energies[[1, 6, 8]]
    assert np.all(np.abs(pairs) < 1e-11 * spectrum.energies[[1, 6, 8]])
    points, weights = gauss_rule(well)
    psi = np.stack([spectrum.psi_at(n, points) for n in range(1, 5)])
    np.testing.assert_allclose((psi * weights) @ psi.T, np.eye(4), atol=1e-9)


def test_disk_against_the_bessel_levels_of_the_plane():
    """A disk well whose walls shift its three lowest levels by < 1e-11 (decay e^{−κd}),
    against the matching of J_m inside and K_m outside: elements that follow the circle."""
    disk = DiskWell([[-1, 1], [-1, 1]], [0, 0], 0.25, 400.0, "trainable")
    spectrum = reference.solve(disk, 3)
    bessel = np.sort([*disk_levels(0.25, 400.0, 0), *np.repeat(disk_levels(0.25, 400.0, 1), 2)])
    error = np.abs(spectrum.energies[:3] - bessel[:3]) / bessel[:3]
    assert error[0] < 1e-12 and np.all(error < 1e-10)
    assert np.all(spectrum.accuracy[:3] < 1e-11)
    assert spectrum.degeneracy[1] == [1, 2]
    points, weights = gauss_rule(disk, nodes=24, panels=8)
    psi = np.stack([spectrum.psi_at(n, points) for n in range(1, 4)])
    np.testing.assert_allclose((psi * weights) @ psi.T, np.eye(3), atol=1e-6)  # kinks: slow rule
    np.testing.assert_array_equal(spectrum.psi_at(1, np.array([[-1.0, 0.2], [0.3, 1.0]])), 0.0)


def test_bad_requests_are_config_errors():
    with pytest.raises(ConfigError, match="method"):
        reference.solve(configured("square_well"), 1, method="separable")
    with pytest.raises(ConfigError, match="method"):
        reference.solve(configured("empty_box"), 1, method="exact")
    spectrum = reference.solve(configured("empty_box"), 1)
    with pytest.raises(ConfigError, match="points"):
        spectrum.psi_at(1, np.zeros((4, 3)))
    with pytest.raises(ConfigError, match="n"):
        spectrum.psi_at(2, np.zeros((4, 2)))


def test_a_rotated_shifted_oscillator_ground_level_from_one_state_asked():
    """V = xᵀMx + bᵀx with M = [[100, 10], [10, 100]], b = (30, 0) on [−2, 2]² (not
    separable): E₀ = Σ√eig(M) − ¼ bᵀM⁻¹b on the plane (the walls' shift is far below 1e-9),
    whether one level is asked for or two (LOBPCG's slow start is not taken for a stall)."""
    potential = Expression(
        name="rotated",
        box=[[-2.0, 2.0], [-2.0, 2.0]],
        formula="100*(x**2+y**2)+20*x*y+30*x",
        params={},
        energy="trainable",
        panels=4,
    )
    m, b = np.array([[100.0, 10.0], [10.0, 100.0]]), np.array([30.0, 0.0])
    exact = np.sqrt(np.linalg.eigvalsh(m)).sum() - 0.25 * b @ np.linalg.solve(m, b)
    for count in (1, 2):
        spectrum = reference.solve(potential, count)
        assert abs(spectrum.energies[0] - exact) / exact < 1e-9
