"""Bad input benchmark: every case must exit non-zero with one line that names the key.

    python benchmarks/bad_inputs.py [--out benchmarks/results/bad_inputs.md]

Runs `scripts/train.py` once per bad override (as a user would type it) and checks: exit
code ≠ 0, no traceback, the last stderr line starts with "error:" and contains the key.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = [  # (override, what the message must name)
    ("potential.box=[1,0]", "potential.box"),
    ("potential.box=[0,inf]", "potential.box"),
    ("potential.box=[0]", "potential.box"),
    ("potential.box=nope", "potential.box"),
    ("potential.v0=nan", "potential.v0"),
    ("potential.v0=inf", "potential.v0"),
    ("potential.v0=deep", "potential.v0"),
    ("potential.well=[0.8,0.6]", "potential.well"),
    ("potential.well=[0.5,0.5]", "potential.well"),
    ("potential.well=[-0.1,0.5]", "potential.well"),
    ("potential.well=[0.2,1.5]", "potential.well"),
    ("potential.well=[0.2,nan]", "potential.well"),
    ("potential=barrier potential.barrier=[0.6,0.4]", "potential.barrier"),
    ("potential=barrier potential.barrier=[0.4,1.1]", "potential.barrier"),
    ("potential.energy=free", "potential.energy"),
    ("potential=coulomb", "potential/coulomb"),
    ("potential.v00=5", "potential.v00"),
    ("arch=resnet", "arch/resnet"),
    ("arch.width=0", "arch.width"),
    ("arch.depth=-1", "arch.depth"),
    ("arch.activation=relu6", "arch.activation"),
    ("arch.width=wide", "arch.width"),
    ("data.sampler=lhs", "data.sampler"),
    ("data.n_points=0", "data.n_points"),
    ("loss.weights.residual=-1", "loss.weights.residual"),
    ("loss.weights.rayleigh=0", "loss.weights"),
    ("+loss.weights.boundary=1", "loss.weights.boundary"),
    ("loss.energy_update=exact", "loss.energy_update"),
    ("optimizer.adam.lr=-1e-3", "optimizer.adam.lr"),
    ("optimizer.energy_lr=0", "optimizer.energy_lr"),
    ("optimizer.adam_steps=-1", "optimizer.adam_steps"),
    ("optimizer.stop_tol=-1", "optimizer.stop_tol"),
    ("trainer.max_steps=0", "trainer.max_steps"),
    ("trainer.precision=48", "trainer.precision"),
    ("seed=-3", "seed"),
    ("seed=abc", "seed"),
    ("energy_init=nan", "energy_init"),
    ("quadrature_nodes=1", "quadrature_nodes"),
    ("torch_threads=0", "torch_threads"),
    ("ckpt_path=/no/such.ckpt", "ckpt_path"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/bad_inputs.md")
    args = parser.parse_args()
    rows, passed = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, (override, key) in enumerate(CASES):
            command = [
                sys.executable,
                str(ROOT / "scripts/train.py"),
                *override.split(),
                f"hydra.run.dir={tmp}/{i}",
            ]
            done = subprocess.run(command, cwd=tmp, capture_output=True, text=True)
            last = (done.stderr.strip().splitlines() or [""])[-1]
            ok = (
                done.returncode != 0
                and "Traceback" not in done.stderr
                and last.startswith("error: ")
                and key in last
            )
            passed += ok
            rows.append(
                f"| `{override}` | {done.returncode} | {'yes' if ok else 'NO'} | `{last[:110]}` |"
            )
            print(rows[-1], flush=True)
    table = "\n".join(
        [
            f"{passed} of {len(CASES)} bad inputs: non-zero exit, one line naming "
            "the key, no traceback.",
            "",
            "| override | exit | ok | message |",
            "|---|---|---|---|",
            *rows,
        ]
    )
    print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(table + "\n")


if __name__ == "__main__":
    main()
