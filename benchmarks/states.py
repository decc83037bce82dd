"""Beyond the ground state: excited states, potentials from config, parity.

    python benchmarks/states.py [--seeds 5] [--out benchmarks/results/states.md]

Serial, one thread, default config plus the overrides shown. Reports per case the worst
relative energy error over the requested states and seeds, the worst ψ L2 error, and the
median / max wall time of a run; the double well adds the relative error of E_2 − E_1.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import compose_config  # noqa: E402
from qwpinn.train import run  # noqa: E402

FOUR = ["n_states=4"]
CASES = [  # (label, overrides, seeds or None for all)
    ("finite_well, 4 states", ["potential=finite_well", *FOUR], None),
    ("barrier, 4 states", ["potential=barrier", *FOUR], None),
    ("harmonic ω=10, 4 states", ["potential=harmonic", *FOUR], None),
    ("double well pair (splitting)", ["experiment=double_well_tunneling"], None),
    ("finite_well ground, no parity", ["potential=finite_well"], None),
    ("finite_well ground, even parity", ["potential=finite_well", "ansatz.parity=even"], None),
    ("piecewise, 4 asymmetric steps", ["potential=piecewise"], None),
    (
        "piecewise, 6 steps",
        [
            "potential=piecewise",
            "potential.pieces=[[0,0.1,150],[0.1,0.3,0],[0.3,0.4,60],[0.4,0.65,10],"
            "[0.65,0.8,0],[0.8,1,90]]",
        ],
        None,
    ),
    ("expression 50*(x-0.5)**2", ["potential=expression"], None),
    (
        "expression v0*(((x-0.5)/w)**2-1)**2",
        [
            "potential=expression",
            "potential.formula='v0*(((x-0.5)/w)**2-1)**2'",
            "++potential.params={v0:200,w:0.25}",
        ],
        None,
    ),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/states.md")
    args = parser.parse_args()
    lines = [
        "| case | runs ok | max dE/E | max ψ L2 | splitting rel. error | median / max time [s] |",
        "|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for index, (label, overrides, seeds) in enumerate(CASES):
            runs = []
            for seed in range(seeds or args.seeds):
                extra = [f"seed={seed}", "trainer.enable_progress_bar=false", "~logger"]
                runs.append(run(compose_config(Path(tmp) / f"{index}-{seed}", *overrides, *extra)))
                print(label, seed, _summary(runs[-1]), flush=True)
            lines.append(_row(label, runs))
    table = "\n".join(lines)
    print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(table + "\n")


def _summary(result: dict) -> str:
    errors = " ".join(f"E{s['n']}:{s['energy_rel_error']:.1e}" for s in result["states"])
    return f"{result['status']} {errors} {result['wall_time_s']:.1f}s"


def _row(label: str, runs: list[dict]) -> str:
    energy = max(s["energy_rel_error"] for r in runs for s in r["states"])
    psi = max(s["psi_l2_error"] for r in runs for s in r["states"])
    splits = [r["splitting"]["rel_error"] for r in runs if "splitting" in r]
    split = f"{max(splits):.1e}" if splits and "pair" in label else "-"
    wall = [r["wall_time_s"] for r in runs]
    ok = sum(r["status"] == "ok" for r in runs)
    return (
        f"| {label} | {ok}/{len(runs)} | {energy:.1e} | {psi:.1e} | {split} "
        f"| {median(wall):.1f} / {max(wall):.1f} |"
    )


if __name__ == "__main__":
    main()
