"""Foundation benchmark: default runs on the canonical wells, other shapes, and initial energies.

    python benchmarks/foundation.py [--seeds 5] [--out benchmarks/results/foundation.md]

Runs every job serially in this process (one torch thread, nothing else running), each with
the default config plus the overrides shown, and checks the targets of the foundation issue:
finite well and barrier (and their variants) end with |ΔE|/E ≤ 1e-5 and ψ L2 ≤ 1e-3 in
≤ 120 s; the infinite well (E fixed at π²) with ψ L2 ≤ 1e-4; every energy_init in
[0.5, 1.5]·E_ref ends in the ground state.
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

CASES = [  # (label, overrides, energy targets)
    ("finite_well", ["potential=finite_well"], "well"),
    ("barrier", ["potential=barrier"], "well"),
    (
        "finite_well v0=50 asym",
        ["potential=finite_well", "potential.v0=50", "potential.well=[0.2,0.6]"],
        "well",
    ),
    (
        "barrier v0=200 asym",
        ["potential=barrier", "potential.v0=200", "potential.barrier=[0.3,0.45]"],
        "well",
    ),
    ("infinite_well", ["potential=infinite_well"], "box"),
]
INIT_FACTORS = (0.5, 1.5)
TARGETS = {"well": (1e-5, 1e-3), "box": (None, 1e-4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/foundation.md")
    provenance.add_option(parser)
    args = parser.parse_args()
    header = provenance.stamp(args.allow_dirty)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        jobs = [(label, overrides, kind, None) for label, overrides, kind in CASES]
        jobs += [
            (f"{CASES[i][0]} E0={f}·E_ref", CASES[i][1], "well", f)
            for i in (0, 1)
            for f in INIT_FACTORS
        ]
        for label, overrides, kind, factor in jobs:
            runs = []
            for seed in range(args.seeds):
                extra = [f"seed={seed}", "trainer.enable_progress_bar=false", "~logger"]
                cfg = compose_config(Path(tmp) / f"{len(rows)}-{seed}", *overrides, *extra)
                if factor is not None:
                    e_ref = reference.solve(build("potential", cfg.potential)).energies[0]
                    cfg.energy_init = factor * float(e_ref)
                runs.append(run(cfg))
                state = runs[-1]["states"][0]
                status, wall = runs[-1]["status"], runs[-1]["wall_time_s"]
                print(
                    f"{label:32s} seed={seed} {status:11s} dE/E={state['energy_rel_error']:.2e} "
                    f"psi={state['psi_l2_error']:.2e} {wall:.1f}s",
                    flush=True,
                )
            rows.append(_row(label, kind, runs))
    table = _table(rows)
    print(table)
    provenance.write(args.out, table, header)
    provenance.write_json(args.out.with_suffix(".json"), rows, header)


def _row(label: str, kind: str, runs: list[dict]) -> dict:
    energy = [r["states"][0]["energy_rel_error"] for r in runs]
    psi = [r["states"][0]["psi_l2_error"] for r in runs]
    wall = [r["wall_time_s"] for r in runs]
    e_target, psi_target = TARGETS[kind]
    passed = [
        r["status"] == "ok"
        and (e_target is None or e <= e_target)
        and p <= psi_target
        and w <= 120.0
        for r, e, p, w in zip(runs, energy, psi, wall, strict=True)
    ]
    return {
        "case": label,
        "runs": len(runs),
        "passed": sum(passed),
        "energy_rel_error_max": max(energy),
        "psi_l2_error_max": max(psi),
        "wall_time_s_median": median(wall),
        "wall_time_s_max": max(wall),
        "targets": f"dE/E ≤ {e_target or '-'}, ψ ≤ {psi_target}, ≤ 120 s",
    }


def _table(rows: list[dict]) -> str:
    lines = [
        "| case | pass | max dE/E | max ψ L2 | median time [s] | max time [s] | target |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['case']} | {r['passed']}/{r['runs']} | {r['energy_rel_error_max']:.1e} "
            f"| {r['psi_l2_error_max']:.1e} | {r['wall_time_s_median']:.1f} "
            f"| {r['wall_time_s_max']:.1f} | {r['targets']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
