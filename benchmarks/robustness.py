"""Every one-line option with the default, wide boxes and extreme contrasts.

    python benchmarks/robustness.py [--seeds 5] [--out benchmarks/results/robustness.md]

Serial, one thread, the default config plus the overrides shown: every `arch` option (the
MLP with each activation) on the finite well and the barrier; wells in boxes 40× and 1000×
their width (ground and first excited level); steps from 1e-2 to 1e5 times the well's own
ground level π²/w². Per case: runs ok, the worst relative energy error over states and seeds
(on the check rule), the worst quadrature gap, the median and max time until every state's
dE/E stayed below 1e-9 (summed over states; "-" if a run never did), median and max wall time
of a run, and the issue's target.
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
from states import run_seeds, time_to  # noqa: E402

ARCHS = [
    ("mlp tanh (default)", ["arch=mlp"]),
    ("mlp sin", ["arch=mlp", "arch.activation=sin"]),
    ("mlp silu", ["arch=mlp", "arch.activation=silu"]),
    ("mlp gelu", ["arch=mlp", "arch.activation=gelu"]),
    ("mlp softplus", ["arch=mlp", "arch.activation=softplus"]),
    ("fourier", ["arch=fourier"]),
    ("modified_mlp", ["arch=modified_mlp"]),
    ("gaussian", ["arch=gaussian"]),
]
WIDE = ["potential.well=[-1,1]", "potential.v0=5", "n_states=2"]
CASES = [  # (label, overrides, energy target, seconds)
    *[
        (f"{potential}, {label}", [f"potential={potential}", *overrides], 1e-6, 60)
        for potential in ("finite_well", "barrier")
        for label, overrides in ARCHS
    ],
    ("well [-1,1] in box [-40,40], 2 states", ["potential.box=[-40,40]", *WIDE], 1e-9, 60),
    ("well [-1,1] in box [-1000,1000], 2 states", ["potential.box=[-1000,1000]", *WIDE], 1e-9, 60),
    ("finite_well v0=0.4 (1e-2·E₁)", ["potential.v0=0.4"], 1e-9, 60),
    ("finite_well v0=1e5 (2.5e3·E₁)", ["potential.v0=1e5"], 1e-9, 60),
    (
        "barrier v0=1e3, 2 states (near-degenerate)",
        ["potential=barrier", "potential.v0=1e3", "n_states=2"],
        1e-9,
        60,
    ),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/robustness.md")
    provenance.add_option(parser)
    args = parser.parse_args()
    header = provenance.stamp(args.allow_dirty)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for index, (label, overrides, target, seconds) in enumerate(CASES):
            runs = run_seeds(Path(tmp) / str(index), label, overrides, args.seeds)
            rows.append(_row(label, runs, target, seconds))
    table = "\n".join([*HEADER, *rows])
    print(table)
    provenance.write(args.out, table, header)


HEADER = (
    "| case | runs ok | max dE/E | max quadrature gap | time to 1e-9, median / max [s] "
    "| wall, median / max [s] | target |",
    "|---|---|---|---|---|---|---|",
)


def _row(label: str, runs: list[dict], target: float, seconds: float) -> str:
    energy = max(s["energy_rel_error"] for r in runs for s in r["states"])
    gap = max(s["quadrature_gap"] for r in runs for s in r["states"])
    reached = [time_to(r, "1e-09") for r in runs]
    done = [t for t in reached if t is not None]
    to_1e9 = f"{median(done):.2f} / {max(done):.2f}" if len(done) == len(runs) else "-"
    if done and len(done) < len(runs):
        to_1e9 = f"{len(done)}/{len(runs)} runs"
    wall = [r["wall_time_s"] for r in runs]
    ok = sum(r["status"] == "ok" for r in runs)
    return (
        f"| {label} | {ok}/{len(runs)} | {energy:.1e} | {gap:.0e} | {to_1e9} "
        f"| {median(wall):.1f} / {max(wall):.1f} | dE/E ≤ {target:.0e}, ≤ {seconds} s |"
    )


if __name__ == "__main__":
    main()
