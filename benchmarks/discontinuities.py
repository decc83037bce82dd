"""Discontinuous V: smooth net, kink terms, smoothed steps and the domain-decomposed ansatz.

    python benchmarks/discontinuities.py [--seeds 5] [--budget 8]
                                         [--out benchmarks/results/discontinuities.md]

Finite well and barrier ground state through ``pipeline.run``, serial, one thread, default
config plus the overrides shown. Every error is against the SHARP problem's exact reference
(a smoothed run's bias included; its error against its own smoothed reference is shown too).
Accuracy per second: each run's ``energy_history.csv`` (E[ψ] of every step, time since training
started) gives the error reached within ``--budget`` seconds and the time until dE/E stays
below 1e-7, both against the sharp reference.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import provenance  # noqa: E402

from conftest import compose_config  # noqa: E402
from qwpinn.lightning.callbacks import EnergyHistory  # noqa: E402
from qwpinn.pipeline.run import run  # noqa: E402

TARGET = 1e-7
POTENTIALS = ("finite_well", "barrier")
VARIANTS = [  # (label, overrides)
    ("one net on the box (ansatz=dirichlet)", ["ansatz=dirichlet"]),
    ("kinks", ["ansatz=dirichlet", "ansatz.kinks=true"]),
    ("smoothed w=0.02", ["ansatz=dirichlet", "potential.smoothing=0.02"]),
    ("smoothed w=0.005", ["ansatz=dirichlet", "potential.smoothing=0.005"]),
    ("smoothed w=0.001", ["ansatz=dirichlet", "potential.smoothing=0.001"]),
    ("domain (default)", []),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--budget", type=float, default=8.0, help="equal-time budget [s]")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/discontinuities.md")
    provenance.add_option(parser)
    args = parser.parse_args()
    header = provenance.stamp(args.allow_dirty)
    lines = [
        f"Errors vs the sharp reference; {args.seeds} seeds; 'at {args.budget:g} s': dE/E of the "
        f"last step within {args.budget:g} s of training (median); 't(<1e-7)': median time "
        "until dE/E stays below 1e-7 (runs that never got there count as never).",
        "",
        "| potential | variant | ok | dE/E median / worst | dE/E vs own ref | ψ L2 median "
        f"| wall median [s] | dE/E at {args.budget:g} s | t(<1e-7) [s] |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    start_all = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for potential in POTENTIALS:
            for index, (label, overrides) in enumerate(VARIANTS):
                runs = []
                for seed in range(args.seeds):
                    runs.append(
                        _one(Path(tmp) / f"{potential}-{index}-{seed}", potential, overrides, seed)
                    )
                    print(potential, label, seed, _summary(runs[-1]), flush=True)
                lines.append(_row(potential, label, runs, args.budget))
    lines += ["", f"Total benchmark time: {time.perf_counter() - start_all:.0f} s."]
    table = "\n".join(lines)
    print(table)
    provenance.write(args.out, table, header)


def _one(out: Path, potential: str, overrides: list[str], seed: int) -> dict:
    """One run; returns its results plus its ``EnergyHistory`` against the sharp reference."""
    extra = [
        f"potential={potential}",
        f"seed={seed}",
        "trainer.enable_progress_bar=false",
        "~logger",
    ]
    result = run(compose_config(out, *overrides, *extra))
    state = result["states"][0]
    e_ref = state.get("energy_ref_sharp", state["energy_ref"])
    result["history"] = EnergyHistory.read(out / "energy_history.csv", e_ref)
    return result


def _sharp(state: dict, key: str) -> float:
    """The error against the sharp reference (the only one when the run was sharp)."""
    return state.get(f"{key}_sharp", state[key])


def _summary(result: dict) -> str:
    s = result["states"][0]
    return (
        f"{result['status']} dE/E={_sharp(s, 'energy_rel_error'):.1e} {result['wall_time_s']:.1f}s"
    )


def _row(potential: str, label: str, runs: list[dict], budget: float) -> str:
    states = [r["states"][0] for r in runs]
    errors = [_sharp(s, "energy_rel_error") for s in states]
    own = [s["energy_rel_error"] for s in states]
    psi = [_sharp(s, "psi_l2_error") for s in states]
    wall = [r["wall_time_s"] for r in runs]
    ok = sum(r["status"] == "ok" for r in runs)
    at_budget = [r["history"].error_at(budget) for r in runs]
    reach = [r["history"].time_to([TARGET])[f"{TARGET:.0e}"] for r in runs]
    reach = [math.inf if t is None else t for t in reach]
    own_text = f"{median(own):.1e}" if "smoothed" in label else "-"
    reach_med = median(reach)
    reach_text = "never" if reach_med == math.inf else f"{reach_med:.1f}"
    return (
        f"| {potential} | {label} | {ok}/{len(runs)} | {median(errors):.1e} / {max(errors):.1e} "
        f"| {own_text} | {median(psi):.1e} | {median(wall):.1f} | {median(at_budget):.1e} "
        f"| {reach_text} |"
    )


if __name__ == "__main__":
    main()
