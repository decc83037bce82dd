"""The canonical wells on a CUDA device (`trainer=gpu`), beside the same runs on the CPU.

    python benchmarks/gpu.py [--seeds 3] [--out benchmarks/results/gpu.md]

For a machine with a GPU. Per case (finite well and barrier, ground state and 4 states; the
harmonic oscillator, 4 states), the same seeds with `trainer=gpu` and with the default CPU
trainer, serially: runs ok, worst dE/E, median time to 1e-9 and median wall time; then a short
Hydra multirun sweep (2 potentials × the seeds, `trainer=gpu`, basic launcher), its wall time
and the statuses of its jobs. Stops in one line when no CUDA device is visible.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import provenance  # noqa: E402
from states import run_seeds, time_to  # noqa: E402

CASES = [
    ("finite_well", ["potential=finite_well"]),
    ("barrier", ["potential=barrier"]),
    ("finite_well, 4 states", ["potential=finite_well", "n_states=4"]),
    ("barrier, 4 states", ["potential=barrier", "n_states=4"]),
    ("harmonic, 4 states", ["potential=harmonic", "n_states=4"]),
]
TRAINERS = [("gpu", ["trainer=gpu"]), ("cpu", [])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/gpu.md")
    provenance.add_option(parser)
    args = parser.parse_args()
    if not torch.cuda.is_available():
        sys.exit("error: no CUDA device visible: run benchmarks/gpu.py on a machine with a GPU")
    header = provenance.stamp(args.allow_dirty)
    rows = [f"Device: {torch.cuda.get_device_name(0)}.", "", *HEADER]
    with tempfile.TemporaryDirectory() as tmp:
        for index, (label, overrides) in enumerate(CASES):
            for trainer, chosen in TRAINERS:
                folder = Path(tmp) / f"{index}-{trainer}"
                runs = run_seeds(folder, f"{label} {trainer}", [*overrides, *chosen], args.seeds)
                rows.append(_row(label, trainer, runs))
        rows += ["", _sweep(Path(tmp) / "sweep", args.seeds)]
    table = "\n".join(rows)
    print(table)
    provenance.write(args.out, table, header)


HEADER = (
    "| case | trainer | runs ok | max dE/E | median time to 1e-9 [s] | median wall [s] |",
    "|---|---|---|---|---|---|",
)


def _row(label: str, trainer: str, runs: list[dict]) -> str:
    energy = max(s["energy_rel_error"] for r in runs for s in r["states"])
    reached = [time_to(r, "1e-09") for r in runs]
    to_1e9 = "-" if None in reached else f"{median(reached):.2f}"
    ok = sum(r["status"] == "ok" for r in runs)
    wall = median(r["wall_time_s"] for r in runs)
    return f"| {label} | {trainer} | {ok}/{len(runs)} | {energy:.1e} | {to_1e9} | {wall:.1f} |"


def _sweep(folder: Path, seeds: int) -> str:
    """A Hydra multirun with trainer=gpu: its wall time and the statuses of its jobs."""
    seed_list = ",".join(str(s) for s in range(seeds))
    command = [
        sys.executable,
        str(ROOT / "scripts/train.py"),
        "-m",
        "trainer=gpu",
        "potential=finite_well,barrier",
        f"seed={seed_list}",
        f"hydra.sweep.dir={folder}",
        "trainer.enable_progress_bar=false",
    ]
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT)
    wall = time.perf_counter() - start
    statuses = [json.loads(p.read_text())["status"] for p in sorted(folder.glob("*/results.json"))]
    ok = f"{statuses.count('ok')}/{len(statuses)} ok"
    return f"Sweep `trainer=gpu` over 2 potentials × {seeds} seeds: {ok}, {wall:.1f} s."


if __name__ == "__main__":
    main()
