"""Beyond the ground state: excited states, potentials from config, parity.

    python benchmarks/states.py [--seeds 5] [--out benchmarks/results/states.md]

Serial, one thread, default config plus the overrides shown. Reports per case the worst
relative energy error over the requested states and seeds, the worst ψ L2 error (both on the
check rule), the worst gap between E[ψ] on the training and the check rule, the median time
until every state's dE/E stayed below 1e-9 (summed over states; "-" if a run never did) and
the median / max wall time of a run; the double well adds the relative error of E_2 − E_1.
Every run writes the whole table.
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
from qwpinn.pipeline.run import run  # noqa: E402

FOUR = ["n_states=4"]
CASES = [  # (label, overrides)
    ("finite_well, 4 states", ["potential=finite_well", *FOUR]),
    ("barrier, 4 states", ["potential=barrier", *FOUR]),
    ("harmonic ω=10, 4 states", ["potential=harmonic", *FOUR]),
    ("Pöschl–Teller λ=3, its 3 bound states", ["potential=poschl_teller", "n_states=3"]),
    ("double well pair (splitting)", ["experiment=double_well_tunneling"]),
    ("finite_well ground, no parity", ["potential=finite_well"]),
    ("finite_well ground, even parity", ["potential=finite_well", "ansatz.parity=even"]),
    ("piecewise, 4 asymmetric steps", ["potential=piecewise"]),
    (
        "piecewise, 6 steps",
        [
            "potential=piecewise",
            "potential.pieces=[[0,0.1,150],[0.1,0.3,0],[0.3,0.4,60],[0.4,0.65,10],"
            "[0.65,0.8,0],[0.8,1,90]]",
        ],
    ),
    ("expression 50*(x-0.5)**2", ["potential=expression"]),
    (
        "expression v0*(((x-0.5)/w)**2-1)**2",
        [
            "potential=expression",
            "potential.formula='v0*(((x-0.5)/w)**2-1)**2'",
            "++potential.params={v0:200,w:0.25}",
        ],
    ),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/states.md")
    provenance.add_option(parser)
    args = parser.parse_args()
    header = provenance.stamp(args.allow_dirty)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for index, (label, overrides) in enumerate(CASES):
            runs = run_seeds(Path(tmp) / str(index), label, overrides, args.seeds)
            rows.append(table_row(label, runs))
    table = "\n".join([*HEADER, *rows])
    print(table)
    provenance.write(args.out, table, header)


HEADER = (
    "| case | runs ok | max dE/E | max ψ L2 | max quadrature gap | splitting rel. error "
    "| median time to 1e-9 [s] | median / max time [s] |",
    "|---|---|---|---|---|---|---|---|",
)


def run_seeds(folder: Path, label: str, overrides: list[str], seeds: int) -> list[dict]:
    """The results of one case run with seeds 0..seeds−1, serially, each in folder/<seed>, one
    progress line each."""
    runs = []
    for seed in range(seeds):
        extra = [f"seed={seed}", "trainer.enable_progress_bar=false", "~logger"]
        runs.append(run(compose_config(folder / str(seed), *overrides, *extra)))
        print(label, seed, summary(runs[-1]), flush=True)
    return runs


def summary(result: dict) -> str:
    errors = " ".join(f"E{s['n']}:{s['energy_rel_error']:.1e}" for s in result["states"])
    return f"{result['status']} {errors} {result['wall_time_s']:.1f}s"


def table_row(label: str, runs: list[dict]) -> str:
    energy = max(s["energy_rel_error"] for r in runs for s in r["states"])
    psi = max(s["psi_l2_error"] for r in runs for s in r["states"])
    splits = [r["splitting"]["rel_error"] for r in runs if "splitting" in r]
    split = f"{max(splits):.1e}" if splits and "pair" in label else "-"
    gap = max(s["quadrature_gap"] for r in runs for s in r["states"])
    reached = [time_to(r, "1e-09") for r in runs]
    to_1e9 = "-" if None in reached else f"{median(reached):.1f}"
    wall = [r["wall_time_s"] for r in runs]
    ok = sum(r["status"] == "ok" for r in runs)
    return (
        f"| {label} | {ok}/{len(runs)} | {energy:.1e} | {psi:.1e} | {gap:.0e} | {split} "
        f"| {to_1e9} | {median(wall):.1f} / {max(wall):.1f} |"
    )


def time_to(result: dict, threshold: str) -> float | None:
    """Seconds of training until each state's dE/E stayed below ``threshold``, summed over the
    states (None if one never did)."""
    times = [s.get("time_to", {}).get(threshold) for s in result["states"]]
    return None if None in times else sum(times)


if __name__ == "__main__":
    main()
