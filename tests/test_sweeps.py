"""Sweeps at scale: launchers, Optuna, the initialization study, resume and skip."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from test_train import SHORT, sweep_script

from qwpinn.pipeline.run import run


@pytest.mark.parametrize("residual", [0, 1])  # with 1, E and the collocation points matter
def test_resumed_run_matches_an_uninterrupted_one(make_config, residual):
    def config(steps: int, output: str):
        every = "callbacks.checkpoint.every_n_train_steps=10"
        steps = f"trainer.max_steps={steps}"
        weight = f"loss.weights.residual={residual}"
        refine = "optimizer=adam_lbfgs" if residual else "optimizer=adam_ritz"  # Ritz: E[ψ] only
        return make_config(
            refine, "optimizer.stop_tol=0", *SHORT, steps, every, weight, output=output
        )

    whole = run(config(40, "whole"))
    assert run(config(20, "split"))["steps"] == 20  # as if killed at step 20
    cfg = config(40, "split")
    (Path(cfg.paths.output_dir) / "results.json").unlink()
    resumed = run(cfg)  # resume: true continues from the run dir's last.ckpt
    assert resumed["resumed_from"].endswith("last.ckpt") and resumed["steps"] == 40
    energy = whole["states"][0]["energy"]
    assert resumed["states"][0]["energy"] == energy  # bit-identical


def test_a_finished_run_dir_is_skipped(make_config):
    cfg = make_config(*SHORT)
    first = run(cfg)
    again = run(cfg)
    assert again == json.loads(json.dumps(first))  # read back, not retrained


@pytest.mark.slow
@pytest.mark.parametrize("launcher", ["joblib", "submitit_local"])
def test_launchers_run_every_job(tmp_path, launcher):
    extra = ["hydra.launcher.n_jobs=2"] if launcher == "joblib" else []
    done, sweep = sweep_script(
        tmp_path, f"hydra/launcher={launcher}", "potential=finite_well,barrier", *extra
    )
    assert done.returncode == 0, done.stderr[-2000:]
    statuses = [json.loads(p.read_text())["status"] for p in sweep.rglob("results.json")]
    assert len(statuses) == 2 and "failed" not in statuses
    assert (sweep / "summary.csv").exists()


@pytest.mark.slow
def test_optuna_search_records_its_best_trial(tmp_path):
    done, sweep = sweep_script(tmp_path, "experiment=optuna", "hydra.sweeper.n_trials=3")
    assert done.returncode == 0, done.stderr[-2000:]
    best = (sweep / "optimization_results.yaml").read_text()
    assert "best_params" in best and "best_value" in best
    errors = [
        json.loads(p.read_text())["states"][0]["energy_rel_error"]
        for p in sweep.rglob("results.json")
    ]
    assert len(errors) == 3 and all(math.isfinite(e) for e in errors)


@pytest.mark.slow
def test_init_sensitivity_reports_levels_and_plots(tmp_path):
    done, sweep = sweep_script(
        tmp_path,
        "experiment=init_sensitivity",
        "potential=finite_well",  # the command line narrows the experiment's sweep
        "energy_init=10,40",
        "seed=0",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    with open(sweep / "summary.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2
    jobs = [json.loads(p.read_text()) for p in sweep.glob("*/results.json")]
    nearest = {j["config_key"]: j["states"][0]["nearest_level"] for j in jobs}
    assert {r["config_key"]: r["levels"] for r in rows} == {
        key: f"E{level}:1"
        for key, level in nearest.items()  # one seed: one job per row
    }
    assert (sweep / "init_sensitivity.png").stat().st_size > 1000
    assert list((sweep / "tensorboard_summary").glob("events.out.tfevents.*"))
