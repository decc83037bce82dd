"""Time evolution: the space–time PINN against Neural Galerkin at equal wall time.

    python benchmarks/evolution.py [--out benchmarks/results/evolution.md] [--allow-dirty]

Serial, one thread. Per case, method=galerkin runs first with the overrides shown; then
method=spacetime (its own arch and method settings) gets the same wall time
(method.max_time_s = galerkin's method wall time, the reference excluded). Reports the
relative space–time L2 error against the reference, the norm drift, the relative L2 error of
|ψ| (the NLS benchmark's measure), the transmission error
(barrier) and the wall time of each.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import provenance  # noqa: E402

from conftest import compose_config  # noqa: E402
from qwpinn.pipeline.run import run  # noqa: E402

QUIET = ["~logger", "trainer.enable_progress_bar=false"]
CASES = [  # (label, overrides); Gaussian packets: the space-time PINN takes no other ψ0
    ("packet k0 = 0, t_end 0.02", ["experiment=packet_well", "evolve.k0=0"]),
    ("packet k0 = 40, t_end 0.02", ["experiment=packet_well"]),
    ("tunnelling (barrier)", ["experiment=tunnelling"]),
    ("NLS 2 sech x, periodic, t_end π/2", ["experiment=nls_raissi"]),
]
GALERKIN_KEYS = ("arch.", "method.")  # the case's Galerkin settings, not given to spacetime
SPACETIME = ["method=spacetime", "arch=mlp", "arch.width=32", "arch.depth=3"]
HEADER = (
    "| case | method | l2_error | error of abs(ψ) | norm drift | transmission error | wall [s] |",
    "|---|---|---|---|---|---|---|",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/evolution.md")
    provenance.add_option(parser)
    args = parser.parse_args()
    header = provenance.stamp(args.allow_dirty)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for index, (label, overrides) in enumerate(CASES):
            galerkin = evolve(Path(tmp) / f"{index}_g", overrides)
            wall = galerkin["evolution"]["method_wall_time_s"]
            shared = [o for o in overrides if not o.startswith(GALERKIN_KEYS)]
            spacetime = evolve(
                Path(tmp) / f"{index}_s", [*shared, *SPACETIME, f"method.max_time_s={wall}"]
            )
            rows += [row(label, "galerkin", galerkin), row(label, "spacetime", spacetime)]
            print(rows[-2], rows[-1], sep="\n", flush=True)
    table = "\n".join([*HEADER, *rows])
    provenance.write(args.out, table, header)


def evolve(out: Path, overrides: list[str]) -> dict:
    cfg = compose_config(out, *overrides, *QUIET)
    return run(cfg, overrides=overrides)


def row(label: str, method: str, results: dict) -> str:
    e = results["evolution"]
    moved = e.get("transmission", {}).get("error")
    transmission = "-" if moved is None else f"{moved:.1e}"
    return (
        f"| {label} | {method} | {e['l2_error']:.2e} | {e['modulus_l2_error']:.2e} "
        f"| {e['norm_drift']:.1e} | {transmission} | {e['method_wall_time_s']:.1f} |"
    )


if __name__ == "__main__":
    main()
