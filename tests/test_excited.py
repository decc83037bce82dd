"""Excited states: each state orthogonal to those below, checked against the reference."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from qwpinn.pipeline.run import run

QUICK = ("trainer.max_steps=150", "optimizer.adam_steps=100", "quadrature_nodes=32")


@pytest.mark.slow
def test_three_lowest_states_of_the_infinite_well(make_config):
    cfg = make_config("potential=infinite_well", "n_states=3", *QUICK)
    results = run(cfg)
    states = results["states"]
    assert [s["n"] for s in states] == [1, 2, 3]
    for k, state in enumerate(states, start=1):
        assert state["energy_ref"] == pytest.approx(k**2 * np.pi**2, rel=1e-12)
        assert state["energy_rel_error"] < 1e-4 and state["nearest_level"] == k
        assert state["nodes"] == k - 1 and state["status"] == "ok"
    samples = np.load(Path(cfg.paths.output_dir) / "wavefunction.npz")
    assert samples["psi"].shape[0] == 3  # the figure holds every state
    overlaps = samples["psi"] @ samples["psi"].T * (samples["x"][1] - samples["x"][0])
    assert np.allclose(overlaps, np.eye(3), atol=1e-3)
    on_disk = json.loads((Path(cfg.paths.output_dir) / "results.json").read_text())
    assert len(on_disk["states"]) == 3


@pytest.mark.slow
def test_a_chosen_state_is_reported_alone(make_config):
    results = run(make_config("potential=infinite_well", "state=2", *QUICK))
    assert [s["n"] for s in results["states"]] == [2]
    assert results["states"][0]["energy_rel_error"] < 1e-4


@pytest.mark.slow
def test_penalty_orthogonality_also_finds_the_second_state(make_config):
    results = run(
        make_config(
            "potential=infinite_well",
            "n_states=2",
            "excited.orthogonality=penalty",
            "optimizer=adam_lbfgs",
            *QUICK,
        )
    )
    assert results["states"][1]["nearest_level"] == 2
    assert results["states"][1]["energy_rel_error"] < 1e-2


def test_parity_needs_a_symmetric_potential(make_config):
    from qwpinn.errors import ConfigError

    cfg = make_config("potential.well=[0.2,0.6]", "ansatz.parity=even", *QUICK)
    with pytest.raises(ConfigError, match="^ansatz.parity = 'even': needs a potential symmetric"):
        run(cfg)


@pytest.mark.slow
def test_alternating_parity_separates_the_double_well_pair(make_config):
    """Even then odd trial functions land on levels 1 and 2 of the near-degenerate pair. The
    reported splitting is E_2 − E_1 of the two states, its reference the pair's gap solved here
    (Chebyshev collocation), and its error no more than the two energies' errors allow. (150
    steps leave E_2 at ~4e-4, a splitting error of ~2.5%; 1e-8 takes ~500 steps, ~1 min.)"""
    from exact import smooth_energies

    from qwpinn.pipeline.build import build

    cfg = make_config("experiment=double_well_tunneling", "ansatz.parity=alternate", *QUICK)
    results = run(cfg)
    first, second = results["states"]
    assert [s["nearest_level"] for s in results["states"]] == [1, 2]
    assert first["energy_rel_error"] < 1e-6 and second["energy_rel_error"] < 1e-2
    splitting = results["splitting"]
    assert splitting["value"] == second["energy"] - first["energy"]
    potential = build("potential", cfg.potential)
    e1, e2 = smooth_energies(potential, potential.box, 2)
    assert splitting["ref"] == pytest.approx(e2 - e1, rel=1e-8)
    allowed = abs(first["energy"] - e1) + abs(second["energy"] - e2)
    assert splitting["rel_error"] * splitting["ref"] <= allowed * (1 + 1e-6) + 1e-9
