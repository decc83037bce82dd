"""The per-step energy history: its file, its time-to thresholds, its agreement with results."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest

from qwpinn import reference
from qwpinn.evaluation.history import EnergyHistory, time_to_stay_below
from qwpinn.pipeline.build import build
from qwpinn.pipeline.run import run

SHORT = ("trainer.max_steps=40", "optimizer.adam_steps=30", "quadrature_nodes=24", "~logger")


def read_history(path: Path) -> list[dict[str, float]]:
    with path.open() as handle:
        return [{k: float(v) for k, v in row.items()} for row in csv.DictReader(handle)]


def test_time_to_stay_below_is_the_first_time_after_the_last_excursion():
    times = [0.5, 1.0, 2.0, 3.0]
    errors = [1.0, 1e-4, 1e-2, 1e-6]
    assert time_to_stay_below(times, errors, 1e-1) == 1.0
    assert time_to_stay_below(times, errors, 1e-3) == 3.0  # 1e-4 at 1 s did not stay
    assert time_to_stay_below(times, errors, 2.0) == 0.5
    assert time_to_stay_below(times, errors, 1e-7) is None
    assert time_to_stay_below(times, [1e-6, math.nan, 1e-6, 1e-6], 1e-3) == 2.0
    assert time_to_stay_below([], [], 1e-3) is None


def test_history_errors_and_error_at_a_time():
    history = EnergyHistory(energy_ref=10.0)
    for step, (t, e, p) in enumerate([(0.1, 12.0, 11.0), (0.2, 10.1, 10.5), (0.3, 10.01, 9.0)]):
        history.record(step + 1, t, e, p)
    assert history.errors() == pytest.approx([0.2, 0.01, 0.001])
    assert history.errors("parameter") == pytest.approx([0.1, 0.05, 0.1])
    assert history.error_at(0.25) == pytest.approx(0.01)
    assert math.isnan(history.error_at(0.05))
    assert history.time_to([0.05, 1e-4]) == {"5e-02": 0.2, "1e-04": None}


def test_run_writes_the_energy_history_of_every_step(make_config):
    cfg = make_config("potential=barrier", *SHORT)
    results = run(cfg)
    out = Path(cfg.paths.output_dir)
    rows = read_history(out / "energy_history.csv")
    state = json.loads((out / "results.json").read_text())["states"][0]
    assert [r["step"] for r in rows] == list(range(1, results["steps"] + 1))
    times = [r["time_s"] for r in rows]
    assert all(later > earlier for earlier, later in zip(times, times[1:], strict=False))
    exact = reference.solve(build("potential", cfg.potential), 1).energies[0]
    for row in rows:  # the rayleigh energy update: the parameter is E[ψ] of the step
        assert row["energy_parameter"] == row["energy"]
        assert row["energy_rel_error"] == pytest.approx(abs(row["energy"] - exact) / exact, 1e-6)
    assert rows[-1]["energy_parameter"] == state["energy_parameter"]
    assert rows[-1]["energy_rel_error"] == pytest.approx(state["energy_parameter_rel_error"], 1e-6)
    assert set(state["time_to"]) == {"1e-03", "1e-05", "1e-07", "1e-09"}
    history = EnergyHistory.read(out / "energy_history.csv", exact)
    thresholds = [float(key) for key in state["time_to"]]
    for key, seconds in history.time_to(thresholds).items():  # the file rounds times to 1 µs
        assert seconds == pytest.approx(state["time_to"][key], abs=1e-6)
    assert history.error_at(math.inf) == pytest.approx(rows[-1]["energy_rel_error"], 1e-6)


def test_every_state_gets_its_own_history(make_config):
    cfg = make_config("potential=infinite_well", "n_states=2", *SHORT)
    results = run(cfg)
    out = Path(cfg.paths.output_dir)
    for state in results["states"]:
        rows = read_history(out / f"state_{state['n']}" / "energy_history.csv")
        assert len(rows) == state["steps"] and "time_to" in state
    assert not (out / "energy_history.csv").exists()


@pytest.mark.parametrize(("nodes", "exploited"), [(2, True), (32, False)])
def test_the_check_rule_is_finer_shares_no_node_and_exposes_a_coarse_rule(
    make_config, nodes, exploited
):
    """E[ψ] on the 2n+1-node check rule is the network's own: an untrained net's E[ψ] on a
    2-node rule is off by far more than ALIASING, on the 32-node rule by round-off only."""
    from qwpinn.evaluation.metrics import ALIASING, evaluate_state, state_status
    from qwpinn.pipeline.build import build_module

    cfg = make_config(f"quadrature_nodes={nodes}", "~logger")
    potential = build("potential", cfg.potential)
    module = build_module(cfg, potential, potential.default_energy_init()).double().state
    module.materialize(with_energy=True)
    check_x, check_w = module.check_x, module.check_w
    assert check_x.shape[0] == (2 * nodes + 1) * 3  # three smooth pieces of the finite well
    assert check_w.sum().item() == pytest.approx(1.0, rel=1e-14)
    assert (check_x - module.quad_x.T).abs().min().item() > 1e-6  # no shared node
    state = evaluate_state(module, reference.solve(potential, 4))
    assert (state["quadrature_gap"] > ALIASING) == exploited
    forced = {**state, "nodes": 0, "nearest_level": 1}  # a ground state in every other respect
    assert state_status(forced, scale_free=True) == ("aliased" if exploited else "ok")
