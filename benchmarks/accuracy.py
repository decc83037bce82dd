"""Energy error against wall time: qwpinn's default against the paper recipe (and DeepXDE).

    python benchmarks/accuracy.py [--seeds 5] [--budget 30] [--deepxde]
    python benchmarks/accuracy.py --potentials square_well --budget 180 --deepxde \
        --out benchmarks/results/accuracy_2d.md

For the finite well and the barrier and each seed, one thread, the arms alternate (their
order flips with the seed) and each gets the same wall-clock budget:

* ``qwpinn default`` — ``qwpinn.pipeline.run.run`` with the default config (no logger), capped at
  the budget by ``trainer.max_time``; it stops at its own plateau, and its answer at the
  budget is then the one it stopped with;
* ``qwpinn optimizer=adam_lbfgs`` — the same with L-BFGS instead of TangentRitz after Adam
  (the default before TangentRitz), stopping at its plateau;
* ``qwpinn ansatz=dirichlet`` — the default with one network on the whole box instead of
  one per constant piece of V (the default before the ablation), also stopping at its
  plateau;
* ``paper recipe`` — a plain PyTorch loop (no Lightning) over qwpinn's own pieces configured
  as the paper: 3×64 tanh MLP, hard walls, 1024 random points redrawn every step, Adam
  lr 1e-3, loss mean(−ψ'' + Vψ − Eψ)² + 1000·(∫ψ² − 1)², E learned by the gradient, float32.
  Its answer is the learned E; the row ``E[ψ]`` also scores the Rayleigh quotient of its ψ.
  E starts at ``--paper-energy-init``·E_ref (0.8): the recipe needs a start near the level
  (E moves ~lr per step), and from qwpinn's problem-only start π²/L² + mean(V) it collapses
  to ψ ≡ 0 within ~100 steps on the finite well; the reference is given to it, not to qwpinn;
* ``DeepXDE`` (``--deepxde``, when ``import deepxde`` works) — the paper recipe written
  in DeepXDE (PyTorch backend, trainable E, resampled points every step).

In 2D and 3D (e.g. ``--potentials square_well``) the arms are qwpinn's default, the paper
recipe (its Laplacian by autograd, the same hard walls Π(x_k − a_k)(b_k − x_k)) and DeepXDE.

Every arm records its energy history (``qwpinn.lightning.callbacks.EnergyHistory``; time from the
first training step, setup excluded). The table gives, per method, the median over seeds of
the time until |E − E_ref|/E_ref stays below 1e-3 … 1e-9 (a seed that never gets there
counts as infinite; "—" when that is the median; (k/n): seeds that got there), steps/s (an
L-BFGS step is up to 20 loss evaluations, a TangentRitz step one Jacobian and SVD, an Adam
step one loss evaluation), the median
error at the budget, ψ L2 at the end, and the paper recipe's error at the budget divided
by the method's. Last, the reference: in 1D the time of the coarsest Richardson-extrapolated
finite-difference mesh sequence whose E_1 is within 1e-10 of the exact root; in d > 1 the time
of ``reference.solve`` for E_1 and its own measured accuracy.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import provenance  # noqa: E402

from conftest import compose_config  # noqa: E402
from qwpinn import reference  # noqa: E402
from qwpinn.lightning.callbacks import EnergyHistory, evaluate_state  # noqa: E402
from qwpinn.numerics.quadrature import problem_rules  # noqa: E402
from qwpinn.pipeline.build import build, build_datamodule, build_module  # noqa: E402
from qwpinn.pipeline.run import run  # noqa: E402

POTENTIALS = ("finite_well", "barrier")
THRESHOLDS = (1e-3, 1e-5, 1e-7, 1e-9)
PAPER = (
    "ansatz=dirichlet",
    "loss=paper_w1000",
    "optimizer=adam",
    "arch.width=64",
    "trainer.precision=32-true",
)
ONE_NET = ("ansatz=dirichlet",)
LBFGS = ("optimizer=adam_lbfgs",)
FD_TARGET = 1e-10
FD_LEVELS = 5  # meshes per Richardson table, as reference.finite_difference_energies' default

Outcome = tuple[EnergyHistory, float]  # the energy history and ψ L2 error at the end


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--budget", type=float, default=30.0, help="wall seconds per run")
    parser.add_argument("--deepxde", action="store_true", help="add DeepXDE if importable")
    parser.add_argument("--paper-energy-init", type=float, default=0.8, help="E0 / E_ref")
    parser.add_argument("--potentials", default=",".join(POTENTIALS), help="comma-separated")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/accuracy.md")
    provenance.add_option(parser)
    args = parser.parse_args()
    header = provenance.stamp(args.allow_dirty)
    torch.set_num_threads(1)
    deepxde_note = _deepxde_missing() if args.deepxde else "not run (--deepxde not given)"
    names = tuple(args.potentials.split(","))
    sections, raw = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            runs = measure(
                Path(tmp) / name,
                name,
                args.seeds,
                args.budget,
                args.paper_energy_init,
                deepxde_note is None,
            )
            raw[name] = {method: [_summary(o, args.budget) for o in out] for method, out in runs}
            sections.append(f"### {name}\n\n{_table(runs, args.budget, deepxde_note)}")
    fd = [reference_cost(build("potential", _config(Path("."), name).potential)) for name in names]
    text = "\n\n".join(
        [
            f"{args.seeds} seeds, budget {args.budget:g} s per run, one thread, arms alternated; "
            f"paper recipe and DeepXDE start at E = {args.paper_energy_init:g}·E_ref.",
            *sections,
            "### The reference's own time and accuracy (E_1)\n\n" + _fd_table(names, fd),
        ]
    )
    print(text)
    provenance.write(args.out, text, header)
    raw["reference"] = dict(zip(names, fd, strict=True))
    provenance.write_json(args.out.with_suffix(".json"), raw, header)


def measure(
    tmp: Path, name: str, seeds: int, budget: float, paper_init: float, with_deepxde: bool
) -> list[tuple[str, list[Outcome]]]:
    """Every arm on one potential for each seed; the arms' order flips with the seed."""
    arms: dict[str, Callable[[Path, int], Outcome]] = {
        "qwpinn default": lambda d, s: qwpinn_arm(d, name, s, budget),
    }
    if build("potential", _config(tmp, name).potential).dim == 1:
        arms["qwpinn optimizer=adam_lbfgs"] = lambda d, s: qwpinn_arm(d, name, s, budget, *LBFGS)
        arms["qwpinn ansatz=dirichlet"] = lambda d, s: qwpinn_arm(d, name, s, budget, *ONE_NET)
    arms["paper recipe"] = lambda d, s: paper_arm(d, name, s, budget, paper_init)
    if with_deepxde:
        arms["DeepXDE"] = lambda d, s: deepxde_arm(name, s, budget, paper_init)
    runs: dict[str, list[Outcome]] = {label: [] for label in arms}
    for seed in range(seeds):
        order = list(arms) if seed % 2 == 0 else list(arms)[::-1]
        for label in order:
            history, psi_l2 = arms[label](tmp / f"arm{list(arms).index(label)}-{seed}", seed)
            runs[label].append((history, psi_l2))
            print(
                f"{name:12s} seed={seed} {label:27s} {len(history.steps):6d} steps "
                f"dE/E at {budget:g} s = {history.error_at(budget, _column(label, history)):.2e} "
                f"ψ L2 {psi_l2:.1e}",
                flush=True,
            )
    ordered = [(label, runs[label]) for label in arms]
    index = [label for label, _ in ordered].index("paper recipe") + 1
    ordered.insert(index, ("paper recipe, E[ψ]", runs["paper recipe"]))
    return ordered


def _config(tmp: Path, name: str, *overrides: str) -> Any:
    return compose_config(tmp, f"potential={name}", *overrides)


def qwpinn_arm(tmp: Path, name: str, seed: int, budget: float, *overrides: str) -> Outcome:
    """``qwpinn.pipeline.run.run`` with the default config, stopped at the budget at the latest."""
    cap = f"+trainer.max_time='00:00:00:{math.ceil(budget):02d}'"  # DD:HH:MM:SS, whole seconds
    extra = (f"seed={seed}", "~logger", cap)
    cfg = _config(tmp, name, *extra, *overrides)
    state = run(cfg)["states"][0]
    return EnergyHistory.read(tmp / "energy_history.csv", state["energy_ref"]), state[
        "psi_l2_error"
    ]


def paper_arm(tmp: Path, name: str, seed: int, budget: float, init: float) -> Outcome:
    """The paper recipe in a plain loop: Adam on residual + 1000·normalization, E learned."""
    cfg = _config(tmp, name, f"seed={seed}", *PAPER)
    potential = build("potential", cfg.potential)
    spectrum = reference.solve(potential, 1)
    torch.manual_seed(seed)
    module = build_module(cfg, potential, init * spectrum.energies[0])  # float32
    state, loss = module.state, module.loss
    state.materialize(with_energy=True)  # quadrature, V and E0 in the module's precision
    (adam,) = module.configure_optimizers()
    loader = build_datamodule(cfg, potential.bounds.tolist(), seed).train_dataloader()
    points = (one for batch in loader for one in batch)  # one N×1 set per step
    history = EnergyHistory(spectrum.energies[0])
    start, step = time.perf_counter(), 0
    while time.perf_counter() - start < budget:
        adam.zero_grad()
        terms = loss.terms(state, next(points))
        loss.total(terms).backward()
        adam.step()
        step += 1
        rayleigh, energy = terms["rayleigh"].item(), state.energy.item()
        history.record(step, time.perf_counter() - start, rayleigh, energy)
    return history, evaluate_state(state, spectrum)["psi_l2_error"]


def deepxde_arm(name: str, seed: int, budget: float, init: float) -> Outcome:
    """The paper recipe in DeepXDE: ψ = Π_k (x_k−a_k)(b_k−x_k)·FNN(x), trainable E,
    ∫ψ² ≈ |Ω|·mean(ψ²) over the resampled points (DeepXDE has no quadrature term)."""
    import deepxde as dde

    potential = build("potential", _config(Path("."), name).potential)
    spectrum = reference.solve(potential, 1)
    lower, upper = (np.asarray(potential.bounds, dtype=float)[:, k] for k in (0, 1))
    dim, volume = len(lower), float(np.prod(upper - lower))
    dde.config.set_random_seed(seed)
    energy = dde.Variable(init * float(spectrum.energies[0]))

    def pde(x: torch.Tensor, psi: torch.Tensor) -> list[torch.Tensor]:
        laplacian = sum(dde.grad.hessian(psi, x, i=k, j=k) for k in range(dim))
        residual = -laplacian + (potential(x) - energy) * psi
        norm = volume * psi.square().mean() - 1.0
        return [residual, norm.expand_as(psi)]

    def walls(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        ends = [(x[:, k : k + 1] - lower[k]) * (upper[k] - x[:, k : k + 1]) for k in range(dim)]
        return math.prod(ends) * y

    geometry = (
        dde.geometry.Interval(lower[0], upper[0])
        if dim == 1
        else dde.geometry.Hypercube(lower.tolist(), upper.tolist())
    )
    net = dde.nn.FNN([dim, 64, 64, 64, 1], "tanh", "Glorot normal")
    net.apply_output_transform(walls)
    data = dde.data.PDE(geometry, pde, [], num_domain=1024, num_boundary=0)
    model = dde.Model(data, net)
    model.compile("adam", lr=1e-3, loss_weights=[1.0, 1000.0], external_trainable_variables=energy)
    history = EnergyHistory(spectrum.energies[0])

    class Budget(dde.callbacks.Callback):
        def on_train_begin(self) -> None:
            self.start = time.perf_counter()

        def on_epoch_end(self) -> None:
            elapsed = time.perf_counter() - self.start
            value = float(energy.item())
            history.record(len(history.steps) + 1, elapsed, value, value)
            self.model.stop_training = elapsed >= budget

    resample = dde.callbacks.PDEPointResampler(period=1)
    model.train(iterations=10**9, callbacks=[resample, Budget()], display_every=10**9)
    _, check = problem_rules(potential, 16)
    x, w = check.nodes, check.weights
    psi = model.predict(x).ravel()
    psi = psi / math.sqrt(float(np.sum(w * psi**2)))
    ref = spectrum.psi_at(1, x if dim > 1 else x[:, 0])
    psi_l2 = math.sqrt(float(np.sum(w * (np.sign(np.sum(w * psi * ref)) * psi - ref) ** 2)))
    return history, psi_l2


def _deepxde_missing() -> str | None:
    """None when DeepXDE imports (PyTorch backend), else the note for the table."""
    os.environ.setdefault("DDE_BACKEND", "pytorch")
    try:
        import deepxde  # noqa: F401
    except ImportError as err:
        return f"not run: `import deepxde` failed ({err})"
    return None


def reference_cost(potential: Any) -> dict[str, Any]:
    """The reference's E_1: in 1D ``fd_reference``; in d > 1 ``reference.solve``'s time (median
    of 3) and its own measured accuracy."""
    if potential.dim == 1:
        return fd_reference(potential)
    seconds = _median_time(lambda: reference.solve(potential, 1), repeats=3)
    spectrum = reference.solve(potential, 1)
    return {"method": spectrum.method, "seconds": seconds, "accuracy": spectrum.accuracy[0]}


def fd_reference(potential: Any, target: float = FD_TARGET) -> dict[str, Any]:
    """Finite differences + Richardson on M, 2M, … 16M cells, M doubling from 4, until E_1
    is within ``target`` (relative) of the exact root; the time is that call's (median of 7)."""
    exact = float(reference.exact_energies(potential.pieces, 1)[0])
    exact_s = _median_time(lambda: reference.exact_energies(potential.pieces, 1))
    base, searched = 4, 0.0
    while True:
        sizes = [base * 2**i for i in range(FD_LEVELS)]
        seconds = _median_time(
            lambda s=sizes: reference.finite_difference_energies(potential, 1, s)
        )
        energy = float(reference.finite_difference_energies(potential, 1, sizes)[0])
        error = abs(energy - exact) / abs(exact)
        searched += seconds
        if error <= target or base >= 4 * 2**12:
            return {
                "finest_cells": sizes[-1],
                "seconds": seconds,
                "search_seconds": searched,
                "rel_error": error,
                "reached": error <= target,
                "exact_root_seconds": exact_s,
            }
        base *= 2


def _median_time(call: Callable[[], Any], repeats: int = 7) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _column(label: str, history: EnergyHistory) -> str:
    """Which error a method answers with: qwpinn's E[ψ] (on its check rule where measured),
    the E[ψ] row's, or the learned E."""
    if label.startswith("qwpinn"):
        return history.verified()
    return "energy" if label.endswith("E[ψ]") else "parameter"


def _summary(outcome: Outcome, budget: float) -> dict[str, Any]:
    history, psi_l2 = outcome
    return {
        "steps": len(history.steps),
        "seconds": history.times[-1] if history.times else 0.0,
        "time_to": history.time_to(THRESHOLDS, history.verified()),
        "time_to_parameter": history.time_to(THRESHOLDS, "parameter"),
        "error_at_budget": history.error_at(budget, history.verified()),
        "parameter_error_at_budget": history.error_at(budget, "parameter"),
        "psi_l2_error": psi_l2,
    }


def _table(runs: list[tuple[str, list[Outcome]]], budget: float, deepxde_note: str | None) -> str:
    header = " | ".join(f"t(dE/E < {t:.0e}) [s]" for t in THRESHOLDS)
    lines = [
        f"| method | steps/s | {header} | dE/E at {budget:g} s | ψ L2 at end | paper ÷ this |",
        "|---|---|" + "---|" * len(THRESHOLDS) + "---|---|---|",
    ]
    at_budget = {
        label: statistics.median(h.error_at(budget, _column(label, h)) for h, _ in outcomes)
        for label, outcomes in runs
    }
    for label, outcomes in runs:
        rate = statistics.median(len(h.steps) / h.times[-1] for h, _ in outcomes if h.times)
        cells = [
            _time_cell([h.time_to([t], _column(label, h)) for h, _ in outcomes]) for t in THRESHOLDS
        ]
        psi = statistics.median(p for _, p in outcomes)
        ratio = at_budget["paper recipe"] / at_budget[label]
        lines.append(
            f"| {label} | {rate:.0f} | {' | '.join(cells)} | {at_budget[label]:.1e} "
            f"| {psi:.1e} | {ratio:.1e} |"
        )
    if deepxde_note:
        lines.append(f"| DeepXDE | {deepxde_note} |" + " |" * (len(THRESHOLDS) + 4))
    return "\n".join(lines)


def _time_cell(values: list[dict[str, float | None]]) -> str:
    times = [next(iter(v.values())) for v in values]
    reached = [t for t in times if t is not None]
    middle = statistics.median([math.inf if t is None else t for t in times])
    shown = "—" if math.isinf(middle) else f"{middle:.1f}"
    return f"{shown} ({len(reached)}/{len(times)})"


def _fd_table(names: tuple[str, ...], results: list[dict[str, Any]]) -> str:
    lines = [
        "| potential | method | time [ms] | rel. error of E_1 | exact root [ms] |",
        "|---|---|---|---|---|",
    ]
    for name, r in zip(names, results, strict=True):
        if "accuracy" in r:
            lines.append(
                f"| {name} | {r['method']} | {1e3 * r['seconds']:.1f} "
                f"| {r['accuracy']:.1e} (measured) | — |"
            )
            continue
        error = f"{r['rel_error']:.1e}" + ("" if r["reached"] else " (not reached)")
        lines.append(
            f"| {name} | FD + Richardson, {r['finest_cells']} cells | {1e3 * r['seconds']:.1f} "
            f"| {error} | {1e3 * r['exact_root_seconds']:.2f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
