"""Layer stacks in nm and meV: the material table, the stack, the reference with position-dependent
mass and field against published and closed-form values, and a trained level."""

from __future__ import annotations

import numpy as np
import pytest
from omegaconf import OmegaConf
from scipy.special import ai_zeros

import qwpinn
from conftest import CONF, configured
from qwpinn import reference
from qwpinn.errors import ConfigError
from qwpinn.evaluation.metrics import transitions
from qwpinn.problems.heterostructure import HBAR2_OVER_2M0, MEV_PER_NM_PER_KV_CM
from qwpinn.problems.materials import material

MATERIALS = OmegaConf.to_container(OmegaConf.load(CONF / "materials" / "harrison.yaml"))


def stack(*layers, **changes):
    """conf/potential/heterostructure.yaml with these layers (width, material or (v, mass))."""
    rows = [
        {"material": layer[1], "width": layer[0]}
        if isinstance(layer[1], str)
        else {"width": layer[0], "v": layer[1], "mass": layer[2]}
        for layer in layers
    ]
    return configured("heterostructure", materials=MATERIALS, layers=rows, **changes)


def well(width, barrier="Al0.2Ga0.8As", **changes):
    return stack((30, barrier), (width, "GaAs"), (30, barrier), **changes)


def test_alloys_read_in_either_order_with_harrisons_offsets_and_masses():
    for name in ("Al0.2Ga0.8As", "Ga0.8Al0.2As"):
        found = material(name, MATERIALS)
        assert found.v == pytest.approx(0.67 * 1247 * 0.2, rel=1e-12)
        assert found.mass == pytest.approx(0.067 + 0.083 * 0.2, rel=1e-12)
    assert material("GaAs", MATERIALS).mass == 0.067


def test_a_100_angstrom_well_with_constant_mass_matches_the_published_level():
    """Harrison's example: 100 Å GaAs in Ga0.8Al0.2As, m* = 0.067 everywhere: 29.44 meV."""
    potential = well(10, "Ga0.8Al0.2As", mass_model="constant", mass=0.067)
    assert reference.solve(potential, 1).energies[0] == pytest.approx(29.44, abs=0.005)


@pytest.mark.parametrize(
    "layers",
    [
        ((30, "Al0.2Ga0.8As"), (10, "GaAs"), (30, "Al0.2Ga0.8As")),
        ((25, "Al0.3Ga0.7As"), (6, "GaAs"), (2, "Al0.3Ga0.7As"), (4, "GaAs"), (25, "Al0.3Ga0.7As")),
    ],
)
def test_bendaniel_duke_roots_agree_with_flux_conserving_finite_differences(layers):
    potential = stack(*layers)
    exact = reference.solve(potential, 4, method="exact")
    fd = reference.solve(potential, 4, method="finite_difference")
    np.testing.assert_allclose(exact.energies, fd.energies, rtol=1e-10)
    x = np.linspace(0, potential.length, 4001)
    assert np.abs(exact.psi_at(1, x) - fd.psi_at(1, x)).max() < 1e-6


def test_the_exact_state_keeps_psi_and_the_flux_continuous_where_the_mass_steps():
    potential = well(10)
    spectrum = reference.solve(potential, 1)
    eps, h = 1e-7, 1e-4
    for x_j in (30.0, 40.0):
        left = (spectrum.psi_at(1, x_j - eps) - spectrum.psi_at(1, x_j - eps - h)) / h
        right = (spectrum.psi_at(1, x_j + eps + h) - spectrum.psi_at(1, x_j + eps)) / h
        c_left, c_right = potential.kinetic(np.array([x_j - 1.0, x_j + 1.0]))
        assert c_left * left == pytest.approx(c_right * right, rel=1e-3)
        assert left / right == pytest.approx(c_right / c_left, rel=1e-3)  # ψ' jumps: masses
        assert abs(left / right - 1.0) > 0.1


def test_a_field_on_a_wide_layer_gives_the_airy_levels_of_the_triangular_well():
    """V = eF(x − x_c) in one 200 nm layer: near the left wall the levels are
    E_n = eF(0 − x_c) + (c (eF)²)^(1/3) |a_n| (zeros a_n of Ai); the far wall is ~1 eV up."""
    field = 50.0
    potential = stack((200, 0.0, 0.067), field=field)
    slope = MEV_PER_NM_PER_KV_CM * field
    c = HBAR2_OVER_2M0 / 0.067
    airy = -slope * 100.0 + (c * slope**2) ** (1 / 3) * np.abs(ai_zeros(3)[0])
    np.testing.assert_allclose(reference.solve(potential, 3).energies, airy, rtol=1e-9)


def test_repeat_builds_the_period_between_the_caps_and_joins_equal_neighbours():
    potential = stack((25, "AlAs"), (5, "AlAs"), (10, "GaAs"), (30, "AlAs"), repeat=4)
    widths = [round(x1 - x0, 9) for x0, x1, _ in potential.layers]
    assert widths == [30, 10, 5, 10, 5, 10, 5, 10, 30]
    assert potential.length == pytest.approx(115.0)


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"mass_model": "constant"}, "mass"),
        ({"mass": 0.067}, "mass"),
        ({"mass_model": "effective"}, "mass_model"),
        ({"repeat": 0}, "repeat"),
        ({"field": float("nan")}, "field"),
        ({"layers": [{"material": "InAs", "width": 5}]}, "layers[0].material"),
        ({"layers": [{"material": "Al0.2Ga0.7As", "width": 5}]}, "layers[0].material"),
        ({"layers": [{"material": "GaAs", "width": -5}]}, "layers[0].width"),
        ({"layers": [{"v": 1.0, "width": 5}]}, "layers[0]"),
    ],
)
def test_bad_stacks_stop_in_one_line_naming_the_key(changes, key):
    with pytest.raises(ConfigError) as err:
        configured("heterostructure", materials=MATERIALS, **changes)
    assert err.value.key == key and "\n" not in str(err.value)


def test_a_trained_well_reports_meV_and_nm_and_draws_its_levels(tmp_path):
    """The 10 nm well's ground level, BenDaniel–Duke, against the exact root; results in meV."""
    solution = qwpinn.solve(
        "potential=heterostructure", "trainer.max_steps=15", "torch_threads=1", output_dir=tmp_path
    )
    results = solution.results
    assert (results["unit"], results["length_unit"], results["status"]) == ("meV", "nm", "ok")
    assert solution.errors[0] < 1e-8
    assert (tmp_path / "levels.png").stat().st_size > 0


def test_a_constant_mass_well_between_wide_barriers_follows_its_level(tmp_path):
    """100 nm barriers at the walls (κ_min·h ≈ 54) carry the exact decay at κ = √((V − E)/c) of
    the current level: the 10 nm well's ground level with a constant mass to 1e-9."""
    barrier = "{material: Al0.2Ga0.8As, width: 100}"
    layers = f"[{barrier}, {{material: GaAs, width: 10}}, {barrier}]"
    solution = qwpinn.solve(
        "potential=heterostructure",
        f"potential.layers={layers}",
        "potential.mass_model=constant",
        "potential.mass=0.067",
        "trainer.max_steps=60",
        "torch_threads=1",
        output_dir=tmp_path,
    )
    assert solution.results["status"] == "ok"
    assert solution.errors[0] < 1e-9


def test_transitions_carry_the_photon_wavelength_in_micrometres():
    potential = well(10)
    levels = reference.solve(potential, 2).energies
    states = [{"n": n, "energy": e * (1 + 1e-9), "energy_ref": e} for n, e in enumerate(levels, 1)]
    (transition,) = transitions(states, potential)
    assert (transition["from"], transition["to"]) == (1, 2)
    assert transition["energy_ref"] == pytest.approx(levels[1] - levels[0], rel=1e-15)
    assert transition["rel_error"] == pytest.approx(1e-9, rel=1e-3)
    assert transition["wavelength_um"] == pytest.approx(1239.84198 / transition["energy"])
    assert 15 < transition["wavelength_um"] < 16.5  # a mid-infrared intersubband line
    assert "wavelength_um" not in transitions(states, configured("finite_well"))[0]
