"""task=evolve end to end: Neural Galerkin against the reference, the run dir's files, resume,
and bad evolve values stopping in one line (the command line's cases: benchmarks/bad_inputs.py,
run by tests/test_provenance.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from qwpinn.errors import ConfigError
from qwpinn.pipeline.run import run

# ψ0 = (ψ1 + ψ2)/√2 in the infinite well: a beating density, smooth in θ, seconds to march
BEATING = (
    "task=evolve",
    "evolve.initial=states",
    "evolve.coefficients=[1.0,1.0]",
    "evolve.t_end=0.02",
    "evolve.n_times=11",
    "evolve.n_x=101",
    "evolve.reference.modes=8",
    "arch.width=8",
    "arch.bandwidth=8",
    "method.panels=2",
    "method.fit_steps=200",
    "method.fit_tol=1e-9",
    "method.rtol=1e-9",
    "method.atol=1e-11",
    "~logger",
)


def test_galerkin_follows_the_beating_of_two_states_and_writes_the_run_dir(make_config):
    """Against the eigenbasis reference: space–time error and norm drift small, ⟨x⟩(t) the
    reference's; evolution.npz has the schema (x, uniform t with 0 and t_end, complex ψ)."""
    cfg = make_config(*BEATING)
    results = run(cfg, overrides=list(BEATING))
    out = Path(cfg.paths.output_dir)
    assert json.loads((out / "results.json").read_text())["task"] == "evolve"
    evolution = results["evolution"]
    assert results["status"] == "ok", evolution
    assert evolution["l2_error"] < 1e-4 and evolution["norm_drift"] < 1e-10
    assert evolution["energy_drift"] < 1e-6
    assert evolution["reference"]["method"] == "eigenbasis"
    obs = evolution["observables"]
    assert np.allclose(obs["mean_x"], obs["mean_x_ref"], atol=1e-4)
    assert np.ptp(obs["mean_x_ref"]) > 0.02  # the density really moves
    data = np.load(out / "evolution.npz")
    assert data["psi"].dtype == np.complex128 and data["psi"].shape == (11, 101)
    assert data["t"][0] == 0.0 and data["t"][-1] == pytest.approx(0.02)
    assert np.allclose(np.diff(data["t"]), 0.002) and data["x"][[0, -1]].tolist() == [0.0, 1.0]
    assert (out / "evolution.png").is_file() and (out / "observables.png").is_file()
    assert (out / "checkpoints" / "evolution.pt").is_file()
    (out / "results.json").unlink()  # as if killed after the last time: resumed, not redone
    again = run(cfg, overrides=list(BEATING))
    assert again["resumed_from"].endswith("evolution.pt")
    assert again["evolution"]["l2_error"] == pytest.approx(evolution["l2_error"], rel=1e-12)


def test_a_bad_evolve_value_stops_before_any_work_with_one_line(make_config):
    cfg = make_config("task=evolve", "evolve.sigma=-0.1")
    with pytest.raises(ConfigError, match=r"^evolve\.sigma = -0\.1: must be a finite number > 0$"):
        run(cfg)


def test_spacetime_takes_a_gaussian_packet_only(make_config):
    cfg = make_config("task=evolve", "method=spacetime", "evolve.initial=states")
    with pytest.raises(ConfigError, match=r"^evolve\.initial = 'states': method=spacetime takes"):
        run(cfg)
