"""Lightning loop against a plain PyTorch loop of the identical model: steps per second.

    python benchmarks/loop_overhead.py [--steps 1000] [--repeats 5]
                                       [--out benchmarks/results/loop_overhead.md]

Both train the default finite-well EigenModule (built by `pipeline.build.build_module`) with
Adam for the same number of steps, one thread, alternated, median of the repeats. The Lightning
side runs the real `EigenModule.training_step` as `pipeline.run` sets it up (point sets per
batch from `pipeline.build.steps_per_batch`, TensorBoard logging every
`trainer.log_every_n_steps`), without progress bar or checkpoints; the plain side draws one
point set per step and calls the same loss, the same finiteness check and the same Adam update
itself. Rates are given in wall time and in CPU time of the process (TensorBoard's writer
thread included): on a shared CPU the second is the steadier one.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import lightning as L
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import provenance  # noqa: E402

from conftest import compose_config  # noqa: E402
from qwpinn.lightning.data import CollocationDataModule  # noqa: E402
from qwpinn.optim.phases import require_finite  # noqa: E402
from qwpinn.pipeline.build import build, build_datamodule, build_module  # noqa: E402

CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def make(tmp: Path, steps: int):
    adam = (f"optimizer.adam_steps={steps}", "optimizer.adam_steps_pieces=null")
    cfg = compose_config(tmp, *adam, f"trainer.max_steps={steps}")
    potential = build("potential", cfg.potential)
    torch.manual_seed(0)
    module = build_module(cfg, potential, potential.default_energy_init()).double()
    return cfg, potential, module


def plain(tmp: Path, steps: int) -> dict[str, float]:
    cfg, potential, module = make(tmp, steps)
    state, loss = module.state, module.loss
    state.materialize(with_energy=True)
    optimizers, schedulers = module.configure_optimizers()
    adam, scheduler = optimizers[0], schedulers[0]
    data = CollocationDataModule(potential.box, cfg.data.n_points, cfg.data.sampler, cfg.seed, 1)
    points = iter(data.train_dataloader())
    start = {k: clock() for k, clock in CLOCKS.items()}
    for step in range(steps):  # the work of GradientPhase.step, checks included
        adam.zero_grad()
        terms = loss.terms(state, next(points)[0].double())
        total = loss.total(terms)
        total.backward()
        norm = torch.nn.utils.get_total_norm([p.grad for p in state.ansatz.parameters()])
        require_finite({"loss": total, "gradient norm": norm, "E": state.energy}, step)
        adam.step()
        scheduler.step()
        with torch.no_grad():
            state.energy.copy_(terms["rayleigh"])
    return {k: steps / (clock() - start[k]) for k, clock in CLOCKS.items()}


class Clock(L.Callback):
    """Wall time of the training loop itself (setup and teardown excluded)."""

    def on_train_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.start = {k: clock() for k, clock in CLOCKS.items()}

    def on_train_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.seconds = {k: clock() - self.start[k] for k, clock in CLOCKS.items()}


def lightning(tmp: Path, steps: int) -> dict[str, float]:
    cfg, potential, module = make(tmp, steps)
    clock = Clock()
    trainer = L.Trainer(
        max_steps=steps,
        precision="64-true",
        inference_mode=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        enable_checkpointing=False,
        log_every_n_steps=cfg.trainer.log_every_n_steps,
        logger=L.pytorch.loggers.TensorBoardLogger(str(tmp), name="tb"),
        limit_val_batches=0,
        callbacks=[clock],
    )
    points = build_datamodule(cfg, potential.box, cfg.seed)
    trainer.fit(module, datamodule=points)
    assert trainer.global_step == steps
    return {k: steps / seconds for k, seconds in clock.seconds.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/loop_overhead.md")
    provenance.add_option(parser)
    args = parser.parse_args()
    header = provenance.stamp(args.allow_dirty)
    torch.set_num_threads(1)
    rates: dict[str, list[dict[str, float]]] = {"plain": [], "lightning": []}
    with tempfile.TemporaryDirectory() as tmp:
        for repeat in range(args.repeats):
            rates["plain"].append(plain(Path(tmp) / f"p{repeat}", args.steps))
            rates["lightning"].append(lightning(Path(tmp) / f"l{repeat}", args.steps))
            print({k: {c: f"{r:.0f}" for c, r in v[-1].items()} for k, v in rates.items()})
    median = {
        (arm, c): statistics.median(r[c] for r in runs)
        for arm, runs in rates.items()
        for c in CLOCKS
    }
    log_every = compose_config(ROOT).trainer.log_every_n_steps
    rows = [
        ("plain PyTorch", "plain"),
        (f"Lightning (TensorBoard every {log_every} steps)", "lightning"),
    ]
    table = "\n".join(
        [
            "| loop | median steps/s, wall | ratio | median steps/s, CPU | ratio |",
            "|---|---|---|---|---|",
            *(
                f"| {name} | "
                + " | ".join(
                    f"{median[arm, c]:.0f} | {median[arm, c] / median['plain', c]:.2f}"
                    for c in CLOCKS
                )
                + " |"
                for name, arm in rows
            ),
        ]
    )
    print(table)
    provenance.write(args.out, table, header)


if __name__ == "__main__":
    main()
