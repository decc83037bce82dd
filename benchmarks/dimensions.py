"""Eigenstates in 2D and 3D: grid wells, oscillator, disk, cube well, against the d-dim reference.

    python benchmarks/dimensions.py [--seeds 5] [--cases square,osc:80,...]
                                    [--out benchmarks/results/dimensions.md]

Serial, one thread, default config plus the overrides shown; each case runs seeds 0 … k − 1,
k the smaller of ``--seeds`` and the case's own count (5 where a run takes about a minute,
fewer for the slow ones); a case given as ``key:N`` is a
short look, not the default config: ``trainer.max_steps=N`` and N/2 Adam steps (where the
default has any) before TangentRitz. Reports per case the runs that ended
``ok``, the worst relative energy error over the states and seeds, the worst ψ error (the
subspace error for a degenerate level), the worst gap between E[ψ] on the training and the
check rule, the reference's own accuracy and the median / max wall time of a run. The residual
PINN row is the paper's recipe (residual + normalization, Adam then L-BFGS) on the same well,
for comparison. Every run writes the whole table.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import provenance  # noqa: E402

from conftest import compose_config  # noqa: E402
from qwpinn import reference  # noqa: E402
from qwpinn.pipeline.build import build  # noqa: E402
from qwpinn.pipeline.run import run  # noqa: E402

CASES = {  # key: (label, overrides, seeds)
    "box": (
        "2D box [0,1]×[0,2], V = 0, 3 lowest",
        ["potential=empty_box", "potential.box=[[0,1],[0,2]]", "n_states=3"],
        3,
    ),
    "box3": (
        "3D box [0,1]×[0,2]×[0,1.5], V = 0, 4 lowest",
        ["potential=empty_box", "potential.box=[[0,1],[0,2],[0,1.5]]", "n_states=4"],
        3,
    ),
    "square": ("2D square well, ground", ["potential=square_well"], 5),
    "square4": ("2D square well, 4 lowest (2 = 3)", ["potential=square_well", "n_states=4"], 5),
    "osc": ("2D oscillator ω = 10, 6 lowest", ["potential=oscillator", "n_states=6"], 5),
    "aniso": (
        "2D anisotropic oscillator ω = 10, 15, 6 lowest",
        ["potential=anisotropic_oscillator", "n_states=6"],
        5,
    ),
    "rect": ("rectangular well in a rectangular box, ground", ["potential=rectangular_well"], 5),
    "disk": ("disk R = 0.3, ground", ["potential=disk"], 5),
    "cube": ("3D cube well, ground", ["potential=cube_well"], 5),
    "residual": (
        "2D square well, ground: residual PINN (loss=paper)",
        ["potential=square_well", "loss=paper", "ansatz=dirichlet"],
        1,
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/dimensions.md")
    provenance.add_option(parser)
    args = parser.parse_args()
    header = provenance.stamp(args.allow_dirty)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for case in args.cases.split(","):
            key, _, steps = case.partition(":")
            label, overrides, count = CASES[key]
            if steps:
                label = f"{label} [{steps} steps]"
                overrides = [*overrides, f"trainer.max_steps={steps}"]
                overrides.append(f"optimizer.adam_steps={int(steps) // 2}")
            runs = run_seeds(Path(tmp) / key, label, overrides, min(args.seeds, count))
            rows.append(table_row(label, runs, accuracy(Path(tmp) / key / "0")))
            table = "\n".join([*HEADER, *rows])
            provenance.write(args.out, table, header)
    print(table)


HEADER = (
    "| case | runs ok | max dE/E | max ψ error | max quadrature gap | reference accuracy "
    "| median / max time [s] |",
    "|---|---|---|---|---|---|---|",
)


def run_seeds(folder: Path, label: str, overrides: list[str], seeds: int) -> list[dict]:
    """The results of one case with seeds 0..seeds−1, serially, in folder/<seed>."""
    runs = []
    for seed in range(seeds):
        extra = [f"seed={seed}", "trainer.enable_progress_bar=false", "~logger"]
        runs.append(run(compose_config(folder / str(seed), *overrides, *extra)))
        print(label, seed, summary(runs[-1]), flush=True)
    return runs


def accuracy(folder: Path) -> str:
    """The reference's measured relative accuracy of the levels the first run trained."""
    from omegaconf import OmegaConf

    cfg = OmegaConf.load(folder / "resolved_config.yaml")
    count = int(cfg.n_states)
    spectrum = reference.solve(build("potential", cfg.potential), count)
    return f"{max(spectrum.accuracy[:count]):.0e}"


def summary(result: dict) -> str:
    errors = " ".join(f"E{s['n']}:{s['energy_rel_error']:.1e}" for s in result["states"])
    return f"{result['status']} {errors} {result['wall_time_s']:.1f}s"


def table_row(label: str, runs: list[dict], ref_accuracy: str) -> str:
    states = [s for r in runs for s in r["states"]]
    energy = max(s["energy_rel_error"] for s in states)
    psi = max(s["psi_l2_error"] for s in states)
    gap = max(s["quadrature_gap"] for s in states)
    wall = [r["wall_time_s"] for r in runs]
    ok = sum(r["status"] == "ok" for r in runs)
    return (
        f"| {label} | {ok}/{len(runs)} | {energy:.1e} | {psi:.1e} | {gap:.0e} | {ref_accuracy} "
        f"| {median(wall):.1f} / {max(wall):.1f} |"
    )


if __name__ == "__main__":
    main()
