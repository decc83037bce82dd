"""Nothing silent, nothing lost: range checks, divergence, reproducibility, provenance."""

from __future__ import annotations

import json
import math
import platform
import subprocess
from pathlib import Path

import pytest
import torch
from test_train import SHORT, sweep_script, train_script

from conftest import ROOT
from qwpinn.errors import ConfigError
from qwpinn.pipeline.run import run


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("seed=-1", "seed"),
        ("quadrature_nodes=1", "quadrature_nodes"),
        ("torch_threads=0", "torch_threads"),
        ("trainer.max_steps=0", "trainer.max_steps"),
        ("trainer.precision=48", "trainer.precision"),
        ("optimizer.adam.lr=-0.1", "optimizer.adam.lr"),
        ("optimizer.energy_lr=0", "optimizer.energy_lr"),
        ("optimizer.adam_steps=-5", "optimizer.adam_steps"),
        ("energy_init=nan", "energy_init"),
        ("loss.weights.residual=-1", "loss.weights.residual"),
        ("arch.width=0", "arch.width"),
        ("data.n_points=0", "data.n_points"),
        ("n_states=0", "n_states"),
        ("state=0", "state"),
        ("optimizer.stop_window=0", "optimizer.stop_window"),
        ("optimizer.stop_tol=-1e-9", "optimizer.stop_tol"),
        ("optimizer.stop_tol=nan", "optimizer.stop_tol"),
        ("data.steps_per_batch=0", "data.steps_per_batch"),
        ("inject_nan_at_step=-1", "inject_nan_at_step"),
    ],
)
def test_out_of_range_values_stop_before_training(make_config, override, key):
    cfg = make_config(override)
    with pytest.raises(ConfigError) as err:
        run(cfg)
    assert err.value.key == key and "\n" not in str(err.value)
    results = json.loads((Path(cfg.paths.output_dir) / "results.json").read_text())
    assert results["status"] == "failed" and results["error"].startswith(f"{key} = ")


def test_the_refining_optimizer_learning_rate_must_be_positive(make_config):
    """validate() also checks optimizer.refine.optimizer.lr (a refining phase's own optimizer)."""
    with pytest.raises(ConfigError) as err:
        run(make_config("optimizer=adam_lbfgs", "optimizer.refine.optimizer.lr=0", *SHORT))
    assert err.value.key == "optimizer.refine.optimizer.lr"


def test_a_nan_loss_ends_the_run_as_diverged_and_keeps_the_last_good_state(make_config):
    every = "callbacks.checkpoint.every_n_train_steps=5"
    adam = "optimizer.adam_steps_pieces=null"  # SHORT's 30 Adam steps: the phase poisoned
    cfg = make_config(*SHORT, "inject_nan_at_step=12", every, adam)
    results = run(cfg)
    assert results["status"] == "diverged" and "step 12" in results["error"]
    assert results["steps"] == 12
    state = results["states"][0]
    assert math.isfinite(state["energy"]) and state["norm"] > 0  # the last good ψ, finite
    saved = torch.load(Path(cfg.paths.output_dir) / "checkpoints" / "last.ckpt", weights_only=False)
    assert saved["global_step"] == 10  # the last multiple of 5 before the poisoned step 12
    weights = saved["state_dict"].values()
    assert all(torch.isfinite(t).all() for t in weights if t.is_floating_point())


@pytest.mark.parametrize("precision", ["64-true", "32-true"])
def test_same_config_and_seed_give_the_same_energy(make_config, precision):
    first = run(make_config(*SHORT, f"trainer.precision={precision}", output="a"))
    second = run(make_config(*SHORT, f"trainer.precision={precision}", output="b"))
    assert first["states"][0]["energy"] == second["states"][0]["energy"]  # bit-identical on CPU


def test_results_record_versions_commit_and_the_resolved_config(make_config):
    cfg = make_config(*SHORT, "seed=7")
    results = run(cfg)
    env = results["environment"]
    assert env["torch"] == torch.__version__ and env["python"] == platform.python_version()
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert len(head) == 40 and env["git_commit"] == head  # this checkout's commit
    resolved = (Path(cfg.paths.output_dir) / "resolved_config.yaml").read_text()
    assert "seed: 7" in resolved and "_target_: qwpinn.problems.potentials.FiniteWell" in resolved


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("potential=coulomb", ["potential/coulomb", "finite_well", "harmonic"]),
        ("potential.v00=5", ["potential.v00"]),
        ("arch.width=wide", ["arch.width"]),
    ],
)
def test_composition_errors_are_one_line(tmp_path, override, expected):
    done = train_script(override, f"hydra.run.dir={tmp_path}", cwd=tmp_path)
    lines = done.stderr.strip().splitlines()
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert lines[-1].startswith("error: ") and all(word in lines[-1] for word in expected)


@pytest.mark.slow
def test_a_diverged_job_is_counted_and_its_siblings_go_on(tmp_path):
    done, sweep = sweep_script(tmp_path, "inject_nan_at_step=null,5")
    assert done.returncode == 0, done.stderr[-2000:]
    statuses = sorted(json.loads(p.read_text())["status"] for p in sweep.glob("*/results.json"))
    assert statuses == ["diverged", "ok"]
    assert "diverged:1" in (sweep / "summary.md").read_text()


def test_run_leaves_the_thread_count_and_the_random_streams_as_they_were(make_config):
    """run() sets torch's threads and seeds everything from the config; the calling process
    (a later test, a notebook) gets its own thread count and RNG states back, unconsumed."""
    import random

    import numpy as np
    import torch

    before_threads = torch.get_num_threads()
    threads = 2 if before_threads != 2 else 3  # differs from the config's torch_threads=1
    torch.set_num_threads(threads)
    try:
        torch.manual_seed(12345)
        np.random.seed(12345)
        random.seed(12345)
        states = torch.get_rng_state(), np.random.get_state(), random.getstate()
        run(make_config(*SHORT, "torch_threads=1", "seed=3"))
        assert torch.get_num_threads() == threads
        assert torch.equal(torch.get_rng_state(), states[0])
        numpy_after = np.random.get_state()
        assert numpy_after[0] == states[1][0] and np.array_equal(numpy_after[1], states[1][1])
        assert numpy_after[2:] == states[1][2:]
        assert random.getstate() == states[2]
    finally:
        torch.set_num_threads(before_threads)
