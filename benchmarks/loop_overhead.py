"""Lightning loop against a plain PyTorch loop of the identical model: steps per second.

    python benchmarks/loop_overhead.py [--steps 1000] [--repeats 5]

Both train the default finite-well EigenPINN (built by `qwpinn.train.build_module`) with Adam
for the same number of steps, one thread, alternated, median of the repeats. The Lightning
side runs the real `EigenPINN.training_step` with TensorBoard logging on (every 50 steps)
and no progress bar; the plain side calls the same loss and the same Adam update itself.
A third arm adds the per-step energy history (`ReferenceMetrics`, its TensorBoard evaluation
pushed past the last step) to measure what the always-on history costs.
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

from conftest import compose_config  # noqa: E402
from qwpinn import reference  # noqa: E402
from qwpinn.callbacks import ReferenceMetrics  # noqa: E402
from qwpinn.data import CollocationDataModule  # noqa: E402
from qwpinn.train import build, build_module  # noqa: E402


def make(tmp: Path, steps: int):
    cfg = compose_config(tmp, f"optimizer.adam_steps={steps}", f"trainer.max_steps={steps}")
    potential = build("potential", cfg.potential)
    torch.manual_seed(0)
    module = build_module(cfg, potential, potential.default_energy_init()).double()
    return cfg, potential, module


def plain(tmp: Path, steps: int) -> float:
    _, potential, module = make(tmp, steps)
    module._materialize(with_energy=True)
    optimizers, schedulers = module.configure_optimizers()
    adam, scheduler = optimizers[0], schedulers[0]
    points = iter(CollocationDataModule(potential.box, 1024).train_dataloader())
    start = time.perf_counter()
    for _ in range(steps):  # the same work as EigenPINN.training_step, checks included
        adam.zero_grad()
        terms = module.loss_terms(next(points).double())
        loss = module.total_loss(terms)
        module._check_finite("loss", loss)
        loss.backward()
        grads = [p.grad for p in module.ansatz.parameters()]
        module._check_finite("gradient", torch.nn.utils.get_total_norm(grads))
        adam.step()
        scheduler.step()
        with torch.no_grad():
            module.energy.copy_(terms["rayleigh"])
    return steps / (time.perf_counter() - start)


class Clock(L.Callback):
    """Wall time of the training loop itself (setup and teardown excluded)."""

    def on_train_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.start = time.perf_counter()

    def on_train_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.seconds = time.perf_counter() - self.start


def lightning(tmp: Path, steps: int, history: bool = False) -> float:
    _, potential, module = make(tmp, steps)
    clock = Clock()
    callbacks: list[L.Callback] = [clock]
    if history:
        spectrum = reference.solve(potential, 1)
        callbacks.append(ReferenceMetrics(spectrum, every_n_steps=steps + 1, output_dir=str(tmp)))
    trainer = L.Trainer(
        max_steps=steps,
        precision="64-true",
        inference_mode=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        enable_checkpointing=False,
        log_every_n_steps=50,
        logger=L.pytorch.loggers.TensorBoardLogger(str(tmp), name="tb"),
        limit_val_batches=0,
        callbacks=callbacks,
    )
    trainer.fit(module, datamodule=CollocationDataModule(potential.box, 1024))
    return steps / clock.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/loop_overhead.md")
    args = parser.parse_args()
    torch.set_num_threads(1)
    rates = {"plain": [], "lightning": [], "history": []}
    with tempfile.TemporaryDirectory() as tmp:
        for repeat in range(args.repeats):
            rates["plain"].append(plain(Path(tmp) / f"p{repeat}", args.steps))
            rates["lightning"].append(lightning(Path(tmp) / f"l{repeat}", args.steps))
            rates["history"].append(lightning(Path(tmp) / f"h{repeat}", args.steps, history=True))
            print({k: f"{v[-1]:.0f} steps/s" for k, v in rates.items()}, flush=True)
    plain_rate = statistics.median(rates["plain"])
    lightning_rate = statistics.median(rates["lightning"])
    history_rate = statistics.median(rates["history"])
    table = "\n".join(
        [
            "| loop | median steps/s | ratio to plain |",
            "|---|---|---|",
            f"| plain PyTorch | {plain_rate:.0f} | 1.00 |",
            f"| Lightning (TensorBoard logging every 50 steps) | "
            f"{lightning_rate:.0f} | {lightning_rate / plain_rate:.2f} |",
            f"| Lightning + per-step energy history (energy_history.csv) | "
            f"{history_rate:.0f} | {history_rate / plain_rate:.2f} |",
        ]
    )
    print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(table + "\n")


if __name__ == "__main__":
    main()
