"""Semiconductor wells in nm and meV against the exact BenDaniel–Duke roots (finite differences
with a field).

    python benchmarks/heterostructures.py [--seeds 5] [--out benchmarks/results/heterostructures.md]

Serial, one thread, default config plus the overrides shown. Per case: runs ok, the worst
relative and absolute (meV) energy error over the states and seeds, the worst ψ L2 error, the
median time until every state's dE/E stayed below 1e-9 (summed over states) and the median /
max wall time of a run. Every run writes the whole table.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import provenance  # noqa: E402
from states import run_seeds, time_to  # noqa: E402


def well(width: int, mass: str) -> list[str]:
    """A GaAs well of ``width`` nm between 30 nm Al0.2Ga0.8As barriers."""
    barrier = "{material: Al0.2Ga0.8As, width: 30}"
    layers = f"[{barrier}, {{material: GaAs, width: {width}}}, {barrier}]"
    masses = ["potential.mass_model=constant", "potential.mass=0.067"] if mass == "constant" else []
    return ["potential=heterostructure", f"potential.layers={layers}", *masses]


CASES = [  # (label, overrides)
    ("10 nm well, BenDaniel–Duke, ground", well(10, "bdd")),
    ("10 nm well, constant mass, ground", well(10, "constant")),
    ("5 nm well, BenDaniel–Duke, ground", well(5, "bdd")),
    ("5 nm well, constant mass, ground", well(5, "constant")),
    ("10 nm well at 50 kV/cm, 2 levels", [*well(10, "bdd"), "potential.field=50", "n_states=2"]),
    ("asymmetric coupled wells, 3 levels", ["experiment=coupled_wells"]),
    ("4-well superlattice, 8 levels", ["experiment=superlattice"]),
]

HEADER = (
    "| case | runs ok | max dE/E | max abs. error [meV] | max ψ L2 "
    "| median time to 1e-9 [s] | median / max time [s] |",
    "|---|---|---|---|---|---|---|",
)


def table_row(label: str, runs: list[dict]) -> str:
    states = [s for r in runs for s in r["states"]]
    relative = max(s["energy_rel_error"] for s in states)
    absolute = max(abs(s["energy"] - s["energy_ref"]) for s in states)
    psi = max(s["psi_l2_error"] for s in states)
    reached = [time_to(r, "1e-09") for r in runs]
    to_1e9 = "-" if None in reached else f"{median(reached):.1f}"
    wall = [r["wall_time_s"] for r in runs]
    ok = sum(r["status"] == "ok" for r in runs)
    return (
        f"| {label} | {ok}/{len(runs)} | {relative:.1e} | {absolute:.1e} | {psi:.1e} "
        f"| {to_1e9} | {median(wall):.1f} / {max(wall):.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--cases", type=str, default=None, help="comma-separated case indices")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/heterostructures.md")
    provenance.add_option(parser)
    args = parser.parse_args()
    header = provenance.stamp(args.allow_dirty)
    chosen = range(len(CASES)) if args.cases is None else map(int, args.cases.split(","))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for index in chosen:
            label, overrides = CASES[index]
            rows.append(
                table_row(label, run_seeds(Path(tmp) / str(index), label, overrides, args.seeds))
            )
            provenance.write(args.out, "\n".join([*HEADER, *rows]), header)
    print("\n".join([*HEADER, *rows]))


if __name__ == "__main__":
    main()
