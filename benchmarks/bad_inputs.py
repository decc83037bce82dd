"""Bad input benchmark: every case must exit non-zero with one line that names the key.

    python benchmarks/bad_inputs.py [--out benchmarks/results/bad_inputs.md] [--allow-dirty]
    python benchmarks/bad_inputs.py --check

Runs `scripts/train.py` once per bad override in its own process (as a user would type it)
and checks: exit code ≠ 0, no traceback, the last stderr line starts with "error:" and
contains the key. `--check` runs the same cases through the script's `__main__` in one
process (no interpreter start per case), prints the cases that are not refused as expected
and exits 1 if there is one; it writes nothing (`tests/test_provenance.py` runs it).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import runpy
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import provenance  # noqa: E402

TRAIN = ROOT / "scripts" / "train.py"
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
    ("potential.smoothing=-0.01", "smoothing"),
    ("potential=piecewise potential.pieces=[[0,0.4,10],[0.5,1,0]]", "pieces"),
    ("potential=expression potential.formula='__import__(1)'", "formula"),
    ("potential=coulomb", "potential/coulomb"),
    ("potential=square_well potential.cuts=[[0,0.75,0.25,1],[0,0.25,0.75,1]]", "potential.cuts"),
    ("potential=square_well potential.values=[[0,100],[100,0]]", "potential.values"),
    ("potential=square_well potential.cuts=[[0,0.25,0.75,2],[0,0.25,0.75,1]]", "potential.cuts"),
    ("potential=disk potential.radius=0.6", "potential.radius"),
    ("potential=empty_box potential.box=[[0,1],[0,1],[0,1],[0,1]]", "potential.box"),
    ("potential.v00=5", "potential.v00"),
    ("arch=resnet", "arch/resnet"),
    ("arch.width=0", "arch.width"),
    ("arch.depth=-1", "arch.depth"),
    ("arch.activation=relu6", "arch.activation"),
    ("arch.width=wide", "arch.width"),
    ("ansatz.kinks=true", "ansatz.kinks"),
    ("potential.well=[0.2,0.6] ansatz.parity=even", "ansatz.parity"),
    ("data.sampler=halton", "data.sampler"),
    ("data=halton", "data/halton"),
    ("data.n_points=0", "data.n_points"),
    ("loss.weights.residual=-1", "loss.weights.residual"),
    ("loss.weights.rayleigh=0", "loss.weights"),
    ("+loss.weights.boundary=1", "loss.weights.boundary"),
    ("loss.energy_update=exact", "loss.energy_update"),
    ("loss=paper optimizer=adam_ritz", "loss.weights.residual"),
    ("excited.orthogonality=penalty n_states=2", "excited.orthogonality"),
    ("optimizer.adam.lr=-1e-3", "optimizer.adam.lr"),
    ("optimizer.energy_lr=0", "optimizer.energy_lr"),
    ("optimizer.adam_steps=-1", "optimizer.adam_steps"),
    ("optimizer.stop_tol=-1", "optimizer.stop_tol"),
    ("trainer.max_steps=0", "trainer.max_steps"),
    ("trainer.precision=48", "trainer.precision"),
    ("n_states=0", "n_states"),
    ("potential.box=[-1000,1000] potential.well=[-1,1] potential.v0=5 n_states=3", "n_states"),
    ("experiment=nosuch", "experiment/nosuch"),
    ("variant=nosuch", "variant/nosuch"),
    ("seed=-3", "seed"),
    ("seed=abc", "seed"),
    ("energy_init=nan", "energy_init"),
    ("quadrature_nodes=1", "quadrature_nodes"),
    ("quadrature_nodes_nd=[8]", "quadrature_nodes_nd"),
    ("potential=square_well ansatz.width_nd=[24]", "ansatz.width_nd"),
    ("potential=grid ansatz.parity=even", "ansatz.parity"),
    ("torch_threads=0", "torch_threads"),
    ("ckpt_path=/no/such.ckpt", "ckpt_path"),
    ("potential=heterostructure potential.mass_model=constant", "potential.mass"),
    ("potential=heterostructure potential.mass=0.067", "potential.mass"),
    ("potential=heterostructure potential.layers.1.material=InAs", "potential.layers[1].material"),
    ("potential=heterostructure potential.layers.0.width=-30", "potential.layers[0].width"),
    ("potential=heterostructure potential.repeat=0", "potential.repeat"),
    ("potential=heterostructure potential.field=strong", "potential.field"),
    ("potential=heterostructure ansatz=dirichlet", "ansatz.kind"),
    ("task=nosuch", "task/nosuch"),
    ("potential=driven", "potential"),
    ("task=evolve method=nosuch", "method/nosuch"),
    ("task=evolve evolve.sigma=0", "evolve.sigma"),
    ("task=evolve evolve.sigmaa=0.1", "evolve.sigmaa"),
    ("task=evolve evolve.t_end=-1", "evolve.t_end"),
    ("task=evolve evolve.n_times=3", "evolve.n_times"),
    ("task=evolve evolve.initial=plane", "evolve.initial"),
    ("task=evolve evolve.initial=states evolve.coefficients=[0,0]", "evolve.coefficients"),
    ("task=evolve method.integrator=euler", "method.integrator"),
    ("task=evolve method.rtol=0", "method.rtol"),
    ("task=evolve method.cutoff=0", "method.cutoff"),
    ("task=evolve method.marched=half", "method.marched"),
    ("task=evolve arch.bandwidth=-1", "arch.bandwidth"),
    ("task=evolve evolve.reference.modes=0", "evolve.reference.modes"),
    ("task=evolve potential=driven potential.formula='x*q'", "potential.formula"),
    ("task=evolve potential=expression potential.box=[[0,1],[0,1]]", "potential.box"),
    ("task=evolve evolve.boundary=torus", "evolve.boundary"),
    ("task=evolve evolve.cubic=-1", "evolve.cubic"),
    ("experiment=nls_raissi evolve.kinetic=0", "evolve.kinetic"),
    ("experiment=nls_raissi method.harmonics=0", "method.harmonics"),
]


def refused(returncode: int, stderr: str, key: str) -> tuple[bool, str]:
    """Whether a run was refused as promised (non-zero exit, no traceback, last line
    "error: …" naming ``key``), and that last line."""
    last = (stderr.strip().splitlines() or [""])[-1]
    clean = returncode != 0 and "Traceback" not in stderr
    return clean and last.startswith("error: ") and key in last, last


def command_line(override: str, run_dir: Path) -> list[str]:
    """The arguments of `scripts/train.py` for one case, its run written under ``run_dir``."""
    return [*override.split(), f"hydra.run.dir={run_dir}"]


def in_subprocess(override: str, run_dir: Path) -> tuple[int, str]:
    """Exit code and stderr of `python scripts/train.py <override>` in its own process."""
    done = subprocess.run(
        [sys.executable, str(TRAIN), *command_line(override, run_dir)],
        cwd=run_dir.parent,
        capture_output=True,
        text=True,
    )
    return done.returncode, done.stderr


def in_process(override: str, run_dir: Path) -> tuple[int, str]:
    """Exit code and stderr the script's ``__main__`` gives for one case, run in this process:
    ``sys.exit("error: …")`` exits 1 with its text on stderr, an uncaught exception exits 1
    with a traceback, as the interpreter would."""
    stderr, argv = io.StringIO(), sys.argv
    sys.argv = [str(TRAIN), *command_line(override, run_dir)]
    code = 0
    try:
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
            try:
                runpy.run_path(str(TRAIN), run_name="__main__")
            except SystemExit as exit_:
                if isinstance(exit_.code, str):
                    print(exit_.code, file=sys.stderr)
                code = exit_.code if isinstance(exit_.code, int) else 1
            except Exception:
                traceback.print_exc()
                code = 1
    finally:
        sys.argv = argv
    return code, stderr.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/bad_inputs.md")
    parser.add_argument("--check", action="store_true", help="in one process; write nothing")
    provenance.add_option(parser)
    args = parser.parse_args()
    if args.check:
        sys.exit(check())
    header = provenance.stamp(args.allow_dirty)
    rows, passed = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, (override, key) in enumerate(CASES):
            returncode, stderr = in_subprocess(override, Path(tmp) / str(i))
            ok, last = refused(returncode, stderr, key)
            passed += ok
            verdict = "yes" if ok else "NO"
            rows.append(f"| `{override}` | {returncode} | {verdict} | `{last[:110]}` |")
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
    provenance.write(args.out, table, header)


def check() -> int:
    """Every case through :func:`in_process`; prints those not refused as expected."""
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, (override, key) in enumerate(CASES):
            ok, last = refused(*in_process(override, Path(tmp) / str(i)), key)
            if not ok:
                failed += 1
                print(f"not refused naming {key!r}: {override} → {last!r}", flush=True)
    print(f"{len(CASES) - failed} of {len(CASES)} bad inputs refused as expected")
    return 1 if failed else 0


if __name__ == "__main__":
    main()
