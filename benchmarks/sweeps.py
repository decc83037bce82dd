"""Sweep benchmark: parallel launcher speed-up, SIGKILL + resume, Optuna against the default.

    python benchmarks/sweeps.py [--repeats 2] [--out benchmarks/results/sweeps.md]
                                [--allow-dirty]

Every measurement runs `scripts/train.py` as a user would, one command at a time (nothing
else running), and every row of the table comes from this one run.
(1) The same 12-job sweep (3 potentials × 4 seeds, default config) with the basic launcher
and with `hydra/launcher=joblib hydra.launcher.n_jobs=2`, alternated, median of the repeats;
then the same at 300 steps per job, where the workers' own start-up is a larger share of
each job. Each row also gives the median wall time of one job of the serial sweep.
(2) A run killed with SIGKILL half way through its steps, relaunched in the same dir
(`resume: true` picks up checkpoints/last.ckpt), against the same seed uninterrupted.
(3) `experiment=optuna` (20 trials) against the default config's error.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import provenance  # noqa: E402

TRAIN = [sys.executable, str(ROOT / "scripts" / "train.py")]
QUIET = ["trainer.enable_progress_bar=false"]
SHORT = ["trainer.max_steps=300"]
SWEEP = [
    "-m",
    "potential=infinite_well,finite_well,barrier",
    "seed=0,1,2,3",
    *QUIET,
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/sweeps.md")
    provenance.add_option(parser)
    args = parser.parse_args()
    header = provenance.stamp(args.allow_dirty)
    with tempfile.TemporaryDirectory() as tmp:
        lines = ["| measurement | result | target |", "|---|---|---|"]
        lines += parallel_speedup(Path(tmp) / "full", args.repeats, [], "≤ 0.65")
        lines += parallel_speedup(
            Path(tmp) / "short", args.repeats, SHORT, "(not a target: start-up overhead)"
        )
        lines += kill_and_resume(Path(tmp))
        lines += optuna_against_default(Path(tmp))
    table = "\n".join(lines)
    print(table)
    provenance.write(args.out, table, header)


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"command failed: {' '.join(command)}\n{done.stderr[-2000:]}")
    return time.perf_counter() - start


def parallel_speedup(tmp: Path, repeats: int, extra: list[str], target: str) -> list[str]:
    """Wall time of the 12-job sweep with joblib × 2 over the basic launcher (``extra``
    overrides on every job), and the median wall time of one job of the serial sweeps."""
    serial, parallel = [], []
    sweep = [*TRAIN, *SWEEP, *extra]
    for i in range(repeats):
        serial.append(timed([*sweep, f"hydra.sweep.dir={tmp}/serial{i}"]))
        joblib = ["hydra/launcher=joblib", "hydra.launcher.n_jobs=2"]
        parallel.append(timed([*sweep, *joblib, f"hydra.sweep.dir={tmp}/joblib{i}"]))
        print(f"12-job sweep: serial {serial[-1]:.1f}s, joblib×2 {parallel[-1]:.1f}s", flush=True)
    jobs = [
        json.loads(path.read_text())["wall_time_s"]
        for i in range(repeats)
        for path in (tmp / f"serial{i}").rglob("results.json")
    ]
    ratio = statistics.median(parallel) / statistics.median(serial)
    steps = f" ({' '.join(extra)})" if extra else ""
    return [
        f"| 12-job sweep{steps}, joblib n_jobs=2 / serial wall time | {ratio:.2f} "
        f"(medians {statistics.median(parallel):.1f} s / {statistics.median(serial):.1f} s; "
        f"one job {statistics.median(jobs):.1f} s) | {target} |"
    ]


def kill_and_resume(tmp: Path, seeds: tuple[int, ...] = (0, 1, 2)) -> list[str]:
    rows = []
    for seed in seeds:
        base = [
            *TRAIN,
            "potential=finite_well",
            f"seed={seed}",
            "optimizer.stop_tol=0",
            "trainer.max_steps=600",
            "callbacks.checkpoint.every_n_train_steps=10",
            *QUIET,
        ]
        whole_dir, killed_dir = tmp / f"whole{seed}", tmp / f"killed{seed}"
        timed([*base, f"hydra.run.dir={whole_dir}"])
        process = subprocess.Popen(
            [*base, f"hydra.run.dir={killed_dir}"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        steps_at_kill = wait_for_step(killed_dir, 300)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        assert not (killed_dir / "results.json").exists()
        timed([*base, f"hydra.run.dir={killed_dir}"])
        whole = json.loads((whole_dir / "results.json").read_text())["states"][0]
        resumed = json.loads((killed_dir / "results.json").read_text())
        state = resumed["states"][0]
        e_ratio = state["energy_rel_error"] / whole["energy_rel_error"]
        psi_ratio = state["psi_l2_error"] / whole["psi_l2_error"]
        print(
            f"seed {seed}: killed after step {steps_at_kill}, resumed from "
            f"{resumed['resumed_from']}: dE/E ratio {e_ratio:.3f}, psi ratio {psi_ratio:.3f}"
        )
        rows.append(
            f"| SIGKILL at step {steps_at_kill}/600 + resume, seed {seed}: errors resumed / "
            f"uninterrupted | energy {e_ratio:.3f}, ψ {psi_ratio:.3f} "
            f"({state['energy_rel_error']:.2e} vs {whole['energy_rel_error']:.2e}) | within 2× |"
        )
    return rows


def wait_for_step(run_dir: Path, step: int) -> int:
    """Poll the run's checkpoints/last.ckpt until its global step reaches `step`."""
    import torch  # only to read the checkpoint's step counter; measures errors, not time

    last = run_dir / "checkpoints" / "last.ckpt"
    while True:
        time.sleep(0.25)
        try:
            reached = int(torch.load(last, map_location="cpu", weights_only=False)["global_step"])
        except Exception:  # not written yet, or caught mid-write
            continue
        if reached >= step:
            return reached


def optuna_against_default(tmp: Path) -> list[str]:
    timed([*TRAIN, *QUIET, f"hydra.run.dir={tmp}/default"])
    default = json.loads((tmp / "default" / "results.json").read_text())["states"][0]
    wall = timed([*TRAIN, "experiment=optuna", *QUIET, f"hydra.sweep.dir={tmp}/optuna"])
    best = yaml.safe_load((tmp / "optuna" / "optimization_results.yaml").read_text())
    print(
        f"optuna: best {best['best_value']:.2e} with {best['best_params']} in {wall:.0f} s; "
        f"default {default['energy_rel_error']:.2e}"
    )
    return [
        f"| Optuna, 20 trials on the finite well ({wall:.0f} s): best dE/E vs default | "
        f"{best['best_value']:.2e} vs {default['energy_rel_error']:.2e}, best "
        f"{best['best_params']} | best < default |"
    ]


if __name__ == "__main__":
    main()
