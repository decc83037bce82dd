"""Lightning callbacks: reference metrics and figures, step progress, RAR, fault injection.

They receive the reference ``Spectrum`` at construction (Hydra configs mark them
``_partial_: true``; ``pipeline.run`` supplies ``spectrum=``). Training never reads it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import lightning as L
import numpy as np
import torch
from lightning.pytorch.callbacks import TQDMProgressBar

from qwpinn.errors import ConfigError, integer_at_least
from qwpinn.evaluation.figures import plot_levels, plot_wavefunctions, sample_wavefunctions
from qwpinn.evaluation.history import EnergyHistory
from qwpinn.evaluation.maps import plot_maps, sample_maps
from qwpinn.evaluation.metrics import LOGGED, evaluate_state


class ReferenceMetrics(L.Callback):
    """Every ``every_n_steps`` steps: log reference errors of the state (those of the last
    step come from the run's own evaluation, ``pipeline.run``).

    Every step it also records the state's ``EnergyHistory`` (the module returns each step's
    E[ψ], energy parameter, check-rule E[ψ] where the phase measured it, and end time; one
    host sync per batch; time from the start of
    training) and writes it to ``<output_dir>/energy_history.csv`` when
    training ends or fails; ``time_to()`` gives the seconds until the error stays below each
    of ``thresholds``.
    """

    def __init__(
        self,
        spectrum: Any,
        every_n_steps: int,
        output_dir: str | None,
        thresholds: Sequence[float],
    ) -> None:
        self.spectrum, self.every_n_steps = spectrum, max(1, int(every_n_steps))
        self.output_dir = None if output_dir is None else Path(output_dir)
        self.thresholds = tuple(float(t) for t in thresholds)
        self.history: EnergyHistory | None = None
        self._start = 0.0

    def on_train_start(self, trainer: L.Trainer, pl_module: Any) -> None:
        self.history = EnergyHistory(self.spectrum.energies[pl_module.state.n - 1])
        self._start = time.perf_counter()

    def on_train_batch_end(
        self, trainer: L.Trainer, pl_module: Any, outputs: Any, *args: Any
    ) -> None:
        rayleigh, energy = outputs["rayleigh"].tolist(), outputs["energy"].tolist()
        checked = outputs["checked"].tolist()
        for step, at, e, parameter, check in zip(
            outputs["steps"], outputs["times"], rayleigh, energy, checked, strict=True
        ):
            self.history.record(step, at - self._start, e, parameter, check)
        if trainer.global_step % self.every_n_steps == 0:
            self._log(trainer, pl_module)

    def on_train_end(self, trainer: L.Trainer, pl_module: Any) -> None:
        self._write_history()  # the run logs the last step's errors from its own evaluation

    def on_exception(self, trainer: L.Trainer, pl_module: Any, exception: BaseException) -> None:
        self._write_history()

    def time_to(self) -> dict[str, float | None]:
        """Seconds until the error (on the check rule where measured) stays below each
        threshold."""
        if not self.history:
            return {}
        return self.history.time_to(self.thresholds, self.history.verified())

    def _write_history(self) -> None:
        if self.history is not None and self.output_dir is not None:
            self.history.write(self.output_dir / "energy_history.csv")

    def _log(self, trainer: L.Trainer, pl_module: Any) -> None:
        if trainer.logger is None:
            return
        state = evaluate_state(pl_module.state, self.spectrum)
        metrics = {f"ref/{k}": state[k] for k in LOGGED if math.isfinite(state[k])}
        trainer.logger.log_metrics(metrics, step=trainer.global_step)


class StepProgressBar(TQDMProgressBar):
    """The TQDM bar in optimizer steps (a batch holds several): redrawn whenever the step count
    passes a multiple of ``refresh_rate`` and at the last step."""

    def on_train_batch_end(self, trainer: L.Trainer, pl_module: Any, *args: Any) -> None:
        bar, n, rate = self.train_progress_bar, trainer.global_step, self.refresh_rate
        if bar is None or bar.disable or not self.is_enabled:
            return
        if n // rate > bar.n // rate or n == bar.total:
            bar.n = n
            bar.set_postfix(self.get_metrics(trainer, pl_module))  # refreshes the bar too


class WavefunctionFigure(L.Callback):
    """At the end: every trained state against ψ_ref with V(x) and the band diagram of the
    levels (1D), or |ψ|² maps with the contours of V (2D; 3D: the slice through the box
    centre) — PNG, TensorBoard, NPZ."""

    def __init__(self, spectrum: Any, output_dir: str, points: int = 1001) -> None:
        self.spectrum, self.output_dir, self.points = spectrum, Path(output_dir), points

    def on_train_end(self, trainer: L.Trainer, pl_module: Any) -> None:
        potential = pl_module.state.potential
        if potential.dim == 1:
            data = sample_wavefunctions(pl_module.state, self.spectrum, self.points)
            units = potential.unit, potential.length_unit
            figures = {
                "wavefunction": plot_wavefunctions(data, potential.name),
                "levels": plot_levels(data, *units, potential.name),
            }
        else:
            data = sample_maps(pl_module.state, self.spectrum)
            figures = {"wavefunction": plot_maps(data, potential.name)}
        self.output_dir.mkdir(parents=True, exist_ok=True)
        np.savez(self.output_dir / "wavefunction.npz", **data)
        experiment = getattr(trainer.logger, "experiment", None)
        import matplotlib.pyplot as plt

        for name, figure in figures.items():
            figure.savefig(self.output_dir / f"{name}.png", dpi=120)
            if hasattr(experiment, "add_figure"):
                experiment.add_figure(name, figure, global_step=trainer.global_step)
            plt.close(figure)


class ResidualAdaptiveResampling(L.Callback):
    """RAR (Lu et al. 2021): every ``every_n_steps`` steps of the Adam phase, evaluate |r| of the
    normalized ψ at ``candidates`` uniform points and add the ``add`` largest to the module's
    collocation points (``EigenModule.add_points``): every later step uses them, and checkpoints
    keep them."""

    def __init__(self, every_n_steps: int, candidates: int, add: int) -> None:
        integer_at_least("every_n_steps", every_n_steps)
        integer_at_least("candidates", candidates)
        if integer_at_least("add", add) > candidates:
            raise ConfigError("add", add, f"must be at most candidates = {candidates}")
        self.every_n_steps, self.candidates, self.add = every_n_steps, candidates, add
        self.generator = torch.Generator()

    def on_fit_start(self, trainer: L.Trainer, pl_module: Any) -> None:
        self.generator.manual_seed(torch.initial_seed() % 2**63)

    def on_train_batch_end(self, trainer: L.Trainer, pl_module: Any, *args: Any) -> None:
        step = trainer.global_step
        end = pl_module.refine_start
        if step % self.every_n_steps or (end is not None and step > end):
            return
        bounds = torch.tensor(pl_module.state.potential.bounds, dtype=torch.float64)
        u = torch.rand(self.candidates, len(bounds), generator=self.generator).to(bounds)
        x = bounds[:, 0] + (bounds[:, 1] - bounds[:, 0]) * u
        worst = pl_module.state.residual_at(x).abs().flatten().topk(self.add).indices
        pl_module.add_points(x[worst])


class NanInjection(L.Callback):
    """Fault injection: ψ becomes NaN at optimizer step ``step`` (a forward hook on the
    ansatz), to prove that the divergence guard names the step."""

    def __init__(self, step: int) -> None:
        self.step = int(step)
        self._handle: Any = None

    def on_train_start(self, trainer: L.Trainer, pl_module: Any) -> None:
        def poison(module: Any, inputs: Any, output: torch.Tensor) -> torch.Tensor | None:
            return output * float("nan") if trainer.global_step == self.step else None

        self._handle = pl_module.state.ansatz.register_forward_hook(poison)

    def on_train_end(self, trainer: L.Trainer, pl_module: Any) -> None:
        self._remove()

    def on_exception(self, trainer: L.Trainer, pl_module: Any, exception: BaseException) -> None:
        self._remove()

    def _remove(self) -> None:
        if self._handle is not None:
            self._handle.remove()
            self._handle = None
