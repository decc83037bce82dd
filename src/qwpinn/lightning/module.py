"""EigenModule: the LightningModule that trains one EigenState through a list of phases.

Manual optimization: a batch holds K point sets (K × N × d) and ``training_step`` takes one
optimizer step per set with the optimizer of the phase the step falls in, so Lightning's
per-batch work is paid once per K steps while the phase switch, ``max_steps`` and the
plateau stop act at the exact step.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import lightning as L
import torch

from qwpinn.methods.eigen import EigenState
from qwpinn.methods.loss import EigenLoss
from qwpinn.optim.phases import Phase, PlateauStop, StepInputs


class EigenModule(L.LightningModule):
    """``state`` (ψ, E, rules), ``loss`` (terms and weights), ``phases`` (run in order, each
    ``steps`` long; the last until max_steps or ``plateau``); metrics every
    ``log_every_n_steps`` through ``self.log``."""

    def __init__(
        self,
        state: EigenState,
        loss: EigenLoss,
        phases: Sequence[Phase],
        plateau: PlateauStop,
        log_every_n_steps: int,
    ) -> None:
        super().__init__()
        self.automatic_optimization = False
        self.state, self.loss, self.phases = state, loss, list(phases)
        self.weighting = loss.weighting  # a submodule: checkpoints keep annealed weights
        self.plateau, self.log_every_n_steps = plateau, max(1, int(log_every_n_steps))
        ends = [p.steps for p in self.phases[:-1]]
        self.phase_ends = [sum(ends[: k + 1]) for k in range(len(ends))]
        self.refine_start = self.phase_ends[-1] if ends else None
        self.added_points = torch.empty(0, state.rule.dim)
        loss.check(state)
        for phase in self.phases:
            phase.check(loss, state)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.state.psi(x)

    def phase_at(self, step: int) -> int:
        """Index of the phase that takes optimizer step ``step`` (0-based)."""
        return sum(step >= end for end in self.phase_ends)

    def add_points(self, x: torch.Tensor) -> None:
        """Collocation points (M, d) that every later step uses besides its own set (RAR)."""
        like = self.state.quad_x
        self.added_points = torch.cat([self.added_points.to(like), x.detach().to(like)])

    def on_fit_start(self) -> None:
        """The precision is known now: rebuild exact values in it (E only on a fresh start)."""
        self.state.materialize(with_energy=self.trainer.ckpt_path is None)

    def on_train_start(self) -> None:
        optimizers = self.optimizers()
        self._optimizers = optimizers if isinstance(optimizers, list) else [optimizers]
        schedulers = self.lr_schedulers()
        schedulers = schedulers if isinstance(schedulers, list) else [schedulers]
        by_optimizer = {id(s.optimizer): s for s in schedulers if s is not None}
        self._schedulers = [by_optimizer.get(id(o.optimizer)) for o in self._optimizers]

    def training_step(self, batch: torch.Tensor, batch_idx: int) -> dict[str, Any]:
        """One optimizer step per point set of the batch, until max_steps or a stop.

        Returns, for the callbacks, ``steps`` (global step after each), ``times``
        (``time.perf_counter()`` after each), ``rayleigh`` (E[ψ] of each step), ``energy``
        (the energy parameter after each) and ``checked`` (E[ψ] on the check rule, NaN where
        the phase did not measure it), the last three as tensors.
        """
        trainer = self.trainer
        steps, times, rayleigh, energy, checked = [], [], [], [], []
        for points in batch:
            if trainer.should_stop or 0 <= trainer.max_steps <= self.global_step:
                break
            terms = self._optimizer_step(points)
            rayleigh.append(terms["rayleigh"])
            checked.append(terms.get("checked", torch.full_like(terms["rayleigh"], math.nan)))
            energy.append(self.state.energy.detach().clone())
            steps.append(self.global_step)
            times.append(time.perf_counter())
        rayleigh, energy, checked = (
            torch.stack(t) if t else torch.empty(0) for t in (rayleigh, energy, checked)
        )
        return {
            "steps": steps,
            "times": times,
            "rayleigh": rayleigh,
            "energy": energy,
            "checked": checked,
        }

    def _optimizer_step(self, points: torch.Tensor) -> dict[str, torch.Tensor]:
        """One step of the current phase; E ← E[ψ] after it when the loss says so. Returns
        the step's terms (``rayleigh``, and ``checked`` where the phase measured it)."""
        step, state = self.global_step, self.state
        k = self.phase_at(step)
        if len(self.added_points):
            points = torch.cat([points.to(state.quad_x), self.added_points.to(state.quad_x)])
        inputs = StepInputs(
            state, self.loss, points, self._optimizers[k], self.manual_backward, step
        )
        terms = self.phases[k].step(inputs)
        if self._schedulers[k] is not None:
            self._schedulers[k].step()
        rayleigh, converged = terms["rayleigh"], bool(terms.pop("converged", False))
        if self.loss.energy_update == "rayleigh" and state.potential.energy_trainable:
            with torch.no_grad():
                state.energy.copy_(rayleigh)
        last = self.phases[k].steps is None
        if last and (converged or self.plateau.reached(rayleigh.item())):
            self.trainer.should_stop = True
        if self.global_step % self.log_every_n_steps == 0:
            self._log_terms({k: v for k, v in terms.items() if k != "checked"})
        return terms

    def _log_terms(self, terms: dict[str, torch.Tensor]) -> None:
        """Every loss term, E[ψ] and E, at this global step (on log steps only)."""
        if "total" not in terms:  # a phase that steps on E[ψ] alone: the terms at its ψ
            terms = self.loss.terms(self.state, self.state.quad_x[:0])
            terms = {k: v.detach() for k, v in terms.items()}
            terms["total"] = self.loss.total(terms)
        metrics = {f"loss/{name}": value for name, value in terms.items()}
        metrics["energy/parameter"] = self.state.energy.detach()
        metrics["energy/rayleigh"] = terms["rayleigh"]
        if self.loss.weighting.every:
            metrics.update({f"weights/{k}": v for k, v in self.loss.weighting.as_dict().items()})
        # monitors and early stopping read them (callback metrics); the loggers get them at
        # this exact optimizer step (Lightning's own flush counts batches of K steps)
        self.log_dict(metrics, on_step=True, on_epoch=False, logger=False, batch_size=1)
        self.log("E", terms["rayleigh"], prog_bar=True, logger=False, on_step=True, batch_size=1)
        values = {k: float(v) for k, v in metrics.items()}
        for logger in self.loggers:
            logger.log_metrics(values, step=self.global_step)

    def configure_optimizers(self) -> Any:
        optimizers = [phase.optimizer(self.loss, self.state) for phase in self.phases]
        schedulers = [p.scheduler(o) for p, o in zip(self.phases, optimizers, strict=True)]
        schedulers = [s for s in schedulers if s is not None]
        return (optimizers, schedulers) if schedulers else optimizers

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        """Each phase's own state, the plateau window and the added points: a resumed run
        continues where it stopped."""
        checkpoint["qwpinn"] = {
            "phases": [phase.state_dict() for phase in self.phases],
            "plateau": list(self.plateau.history),
            "added_points": self.added_points,
        }

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        saved = checkpoint.get("qwpinn", {})
        for phase, state in zip(self.phases, saved.get("phases", []), strict=False):
            phase.load_state_dict(state)
        self.plateau.history = list(saved.get("plateau", []))
        self.added_points = saved.get("added_points", self.added_points)
