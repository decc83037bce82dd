"""The evolution reference against closed forms: the free packet, and its two solvers agreeing."""

from __future__ import annotations

import numpy as np
import pytest

from qwpinn.errors import ConfigError
from qwpinn.problems.driven import DrivenExpression
from qwpinn.problems.evolution import GaussianPacket, Superposition, evolution_problem
from qwpinn.problems.potentials import InfiniteWell
from qwpinn.reference import solve
from qwpinn.reference.evolution import crank_nicolson, eigenbasis


def test_free_packet_spreads_as_the_closed_form_far_from_the_walls() -> None:
    """Box [−1, 2] around a packet that stays 15σ from the walls: the eigenbasis expansion is
    the free packet to round-off."""
    packet = GaussianPacket(0.3, 0.05, 20.0)
    evolution = evolution_problem(InfiniteWell([-1.0, 2.0], "fixed"), packet, 0.005, 11)
    reference = eigenbasis(evolution, 200, 32)
    x = np.linspace(-0.5, 1.5, 401)
    free = np.array([packet.free(x, t) for t in evolution.times])
    assert np.abs(reference.at(x) - free).max() < 1e-11
    assert reference.truncation < 1e-12


def test_crank_nicolson_agrees_with_the_eigenbasis_in_the_infinite_well() -> None:
    """k0 = 40 packet reflected off a wall: Richardson-extrapolated Crank–Nicolson in the sine
    basis matches the exact expansion, and its own error estimate bounds the difference."""
    packet = GaussianPacket(0.4, 0.05, 40.0)
    evolution = evolution_problem(InfiniteWell([0.0, 1.0], "fixed"), packet, 0.01, 11)
    exact = eigenbasis(evolution, 120, 32)
    stepped = crank_nicolson(evolution, 120, 32, 40)
    x = np.linspace(0.0, 1.0, 501)
    difference = np.linalg.norm(exact.at(x) - stepped.at(x)) / np.linalg.norm(exact.at(x))
    assert difference < 1e-6
    assert difference < 10 * stepped.accuracy
    assert exact.truncation < 1e-7 and exact.accuracy < 1e-12


def test_a_superposition_of_eigenstates_beats_at_their_energy_difference() -> None:
    """ψ0 = (ψ1 + ψ2)/√2: |⟨ψ1, ψ(t)⟩|² stays ½, and ψ(2π/(E2 − E1)) = ψ0 up to a phase."""
    well = InfiniteWell([0.0, 1.0], "fixed")
    spectrum = solve(well, n_states=2)
    period = 2 * np.pi / (spectrum.energies[1] - spectrum.energies[0])
    initial = Superposition([1.0, 1.0], spectrum.psi_at)
    evolution = evolution_problem(well, initial, period, 11)
    reference = eigenbasis(evolution, 8, 32)
    assert np.allclose(np.abs(reference.coefficients[:, :2]) ** 2, 0.5, atol=1e-12)
    x = np.linspace(0.0, 1.0, 101)
    end, start = reference.at(x)[-1], initial(x)
    phase = np.vdot(start, end) / np.vdot(start, start)
    assert abs(abs(phase) - 1) < 1e-12 and np.abs(end - phase * start).max() < 1e-10


def test_a_driven_potential_steps_by_crank_nicolson_with_its_error_estimate() -> None:
    """V(x, t) = 1000(x − ½)² (1 + ½ sin 300t): halving the coarsest step changes ψ by less
    than the coarser run's own error estimate, and the norm is kept."""
    formula = "v0*(x-0.5)**2*(1+0.5*sin(300*t))"
    driven = DrivenExpression([0.0, 1.0], formula, {"v0": 1e3}, "trainable", 4, "driven")
    evolution = evolution_problem(driven, GaussianPacket(0.5, 0.06, 0.0), 0.01, 11)
    coarse, fine = (crank_nicolson(evolution, 32, 24, s) for s in (4, 8))
    change = np.linalg.norm(coarse.coefficients - fine.coefficients, axis=1).max()
    assert change < max(coarse.accuracy, 1e-9)
    assert np.allclose(np.linalg.norm(fine.coefficients, axis=1), 1.0, atol=1e-6)


@pytest.mark.parametrize(
    ("build", "key"),
    [
        (lambda: GaussianPacket(0.4, 0.0, 1.0), "sigma"),
        (lambda: evolution_problem(InfiniteWell([0, 1], "fixed"), None, -1.0, 11), "t_end"),
        (lambda: evolution_problem(InfiniteWell([0, 1], "fixed"), None, 1.0, 5), "n_times"),
        (lambda: Superposition([0.0], None), "coefficients"),
    ],
)
def test_bad_evolution_values_stop_with_one_line_naming_the_key(build, key) -> None:
    with pytest.raises(ConfigError, match=rf"^{key} = "):
        build()
