"""EigenPINN: the LightningModule that trains ψ and its eigenvalue E.

Loss  L = w_ray·E[ψ] + w_res·mean(r²) + w_norm·(∫ψ² − 1)²  with
  E[ψ] = ∫(ψ'² + Vψ²)/∫ψ²   Rayleigh quotient on the fixed quadrature: variational (≥ E_1,
                            equal for the ground state) and scale invariant, so ψ ≡ 0 is
                            never a minimum;
  r    = −ψ̃'' + Vψ̃ − Eψ̃     strong residual at the collocation points (the paper), with
                            ψ̃ = ψ/‖ψ‖ when ``normalize_psi``.
A trainable E is learned by the gradient of the residual (``energy_update='gradient'``, the
paper) or set to E[ψ] after every step (``'rayleigh'``, exact for the current ψ).
Excited states: state n is trained with the n − 1 lower states frozen. ``projection``
(default) removes their components exactly, ψ̃ = ψ − Σ_j ⟨ψ, ψ_j⟩ ψ_j (Gram–Schmidt on the
quadrature), so E[ψ̃] is minimised by the next eigenstate; ``penalty`` adds
w_orth·Σ_j ⟨ψ̂, ψ̂_j⟩² instead (w_orth must exceed E_n − E_1).
Training runs in two phases: Adam (with a schedule) for ``adam_steps`` steps, then a
refining optimizer on one fixed objective: L-BFGS on the loss at one fixed point set, or
``TangentRitz`` (Rayleigh–Ritz steps in the network's tangent space) on E[ψ] alone.
A batch holds K point sets (K×N×1) and ``training_step`` takes one optimizer step per set,
so Lightning's per-batch work is paid once per K steps; the phase switch, ``max_steps`` and
the plateau stop still act at the exact step.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

import lightning as L
import torch
from lightning.pytorch.strategies import SingleDeviceStrategy
from lightning.pytorch.utilities.model_helpers import is_overridden
from torch import nn

from qwpinn.errors import ConfigError, one_of
from qwpinn.methods.energy import Nodal, norm_squared, rayleigh_quotient, residual
from qwpinn.methods.weighting import LossWeighting
from qwpinn.numerics.derivatives import derivatives
from qwpinn.optim.tangent import TangentRitz, jacobian_rows

ORTHOGONALITY = ("projection", "penalty")
STEP_HOOKS = ("on_before_backward", "on_after_backward", "on_before_optimizer_step")
ENERGY_UPDATES = ("rayleigh", "gradient")
ALIASING_SLACK = 1e-6  # relative: E_n ≥ E_{n−1}(1 − slack) for every true level n
OptimizerFactory = Callable[..., torch.optim.Optimizer]


class DivergedError(FloatingPointError):
    """A non-finite loss, gradient norm or energy; the message names the step."""


class EigenPINN(L.LightningModule):
    """ψ = ansatz(x) and E (``nn.Parameter`` when trainable, buffer when fixed)."""

    def __init__(
        self,
        ansatz: nn.Module,
        potential: Any,
        quadrature: tuple[Any, Any],
        energy_init: float,
        weights: dict[str, float],
        normalize_psi: bool,
        energy_update: str,
        adam: OptimizerFactory,
        energy_lr: float,
        adam_steps: int,
        refine: OptimizerFactory | None = None,
        scheduler: Callable[..., Any] | None = None,
        stop_tol: float = 0.0,
        stop_window: int = 50,
        log_every_n_steps: int = 50,
        inject_nan_at_step: int | None = None,
        lower_states: Sequence[EigenPINN] = (),
        orthogonality: str = "projection",
        annealing: dict[str, Any] | None = None,
        check_quadrature: tuple[Any, Any] | None = None,
    ) -> None:
        super().__init__()
        self.automatic_optimization = False
        self.ansatz, self.potential = ansatz, potential
        self.weighting = LossWeighting(weights, annealing)
        self.weights = self.weighting.configured
        self.with_residual = self.weights.get("residual", 0.0) > 0.0  # else no ψ'' at all
        self.normalize_psi = bool(normalize_psi)
        self.energy_update = one_of("loss.energy_update", energy_update, ENERGY_UPDATES)
        self.adam_factory, self.refine_factory, self.scheduler_factory = adam, refine, scheduler
        self.energy_lr, self.adam_steps = energy_lr, int(adam_steps)
        self.stop_tol, self.stop_window = float(stop_tol), max(1, int(stop_window))
        self.log_every_n_steps = max(1, int(log_every_n_steps))
        self.inject_nan_at_step = inject_nan_at_step
        self.orthogonality = one_of("excited.orthogonality", orthogonality, ORTHOGONALITY)
        if lower_states and self.with_residual:
            raise ConfigError(
                "loss.weights.residual", self.weights["residual"], "must be 0 for excited states"
            )
        self.lower = nn.ModuleList(lower_states)
        self.lower.requires_grad_(False)
        self.n = len(lower_states) + 1

        self._energy_init, self._quadrature = float(energy_init), quadrature
        self._floor: float | None = None  # excited states: E[ψ] of the state beneath
        self._check_quadrature = check_quadrature or quadrature  # None: no independent check
        energy = torch.tensor(self._energy_init)
        if potential.energy_trainable:
            self.energy = nn.Parameter(energy)
        else:
            self.register_buffer("energy", energy)
        for name in ("quad_x", "quad_w", "quad_v", "lower_q", "lower_dq", "lower_scale"):
            self.register_buffer(name, torch.empty(0))
        self._materialize(with_energy=False)
        self._refine_history: deque[float] = deque(maxlen=self.stop_window + 1)
        self._refine_points: torch.Tensor | None = None
        self._added_points = torch.empty(0, 1)

    # -- the physics ---------------------------------------------------------------------
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.psi(x)

    def psi(self, x: torch.Tensor) -> torch.Tensor:
        """This state's ψ at x: the ansatz, with the lower states projected out (projection)."""
        raw = self.ansatz(x)
        if not len(self.lower) or self.orthogonality != "projection":
            return raw
        overlaps = (self.quad_w * self.ansatz(self.quad_x) * self.lower_q).sum(dim=0)
        below = torch.cat([state.psi(x) for state in self.lower], dim=1) * self.lower_scale
        return raw - below @ overlaps.reshape(-1, 1)

    def loss_terms(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Every loss term, by name, for collocation points x (N×1) and the fixed quadrature.

        The collocation points (and ψ'') are only evaluated when the residual has a weight.
        """
        n_quad, with_residual = self.quad_x.shape[0], self.with_residual
        points = torch.cat([self.quad_x, x.to(self.quad_x.dtype)]) if with_residual else self.quad_x
        psi, dpsi, *d2psi = derivatives(
            self.ansatz, points, order=2 if with_residual else 1, create_graph=True
        )
        psi_q, dpsi_q, overlaps = self._project(psi[:n_quad], dpsi[:n_quad])
        terms = {}
        norm2 = norm_squared(psi_q, self.quad_w)
        if overlaps is not None:
            terms["orthogonality"] = overlaps.square().sum() / norm2
        rayleigh = rayleigh_quotient(psi_q, dpsi_q, self.quad_v, self.quad_w)
        terms.update(rayleigh=rayleigh, normalization=(norm2 - 1.0).square())
        if with_residual:
            psi_c, d2psi_c = psi[n_quad:], d2psi[0][n_quad:]
            if self.normalize_psi:
                scale = norm2.rsqrt()
                psi_c, d2psi_c = psi_c * scale, d2psi_c * scale
            v = self.potential(points[n_quad:].detach())
            terms["residual"] = residual(psi_c, d2psi_c, v, self.energy).square().mean()
        return terms

    def _project(
        self, psi_q: torch.Tensor, dpsi_q: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """ψ, ψ' at the nodes with the lower states removed (``projection``), and the overlaps
        ⟨ψ, ψ_j⟩ left (None without lower states)."""
        if not len(self.lower):
            return psi_q, dpsi_q, None
        overlaps = (self.quad_w * psi_q * self.lower_q).sum(dim=0)
        if self.orthogonality == "projection":
            psi_q = psi_q - self.lower_q @ overlaps.reshape(-1, 1)
            dpsi_q = dpsi_q - self.lower_dq @ overlaps.reshape(-1, 1)
            overlaps = (self.quad_w * psi_q * self.lower_q).sum(dim=0)
        return psi_q, dpsi_q, overlaps

    def nodal_values(self) -> Nodal:
        """(ψ, ψ', w, V) at the quadrature nodes, ψ and ψ' with their graph: what E[ψ] is
        made of (the closure of ``TangentRitz``)."""
        psi, dpsi = derivatives(self.ansatz, self.quad_x, 1, create_graph=True)
        psi, dpsi, _ = self._project(psi, dpsi)
        return Nodal(psi, dpsi, self.quad_w, self.quad_v)

    def nodal_jacobian(self, params: list[torch.Tensor], chunk: int = 64) -> torch.Tensor:
        """Rows ∂ψ(x_i)/∂θ then ∂ψ'(x_i)/∂θ at the nodes (2Q × P), node chunk by node chunk:
        ψ at a node depends on that node alone, so each chunk's own forward pass suffices and
        the cost grows like Q, not Q². The projection ψ − Σ_j ⟨ψ, ψ_j⟩ψ_j is linear in ψ and
        is applied to the rows afterwards."""
        rows = []
        for x in self.quad_x.split(chunk):
            psi, dpsi = derivatives(self.ansatz, x, 1, create_graph=True)
            rows.append(jacobian_rows(torch.cat([psi.reshape(-1), dpsi.reshape(-1)]), params))
        d_psi = torch.cat([r[: r.shape[0] // 2] for r in rows])
        d_dpsi = torch.cat([r[r.shape[0] // 2 :] for r in rows])
        if len(self.lower) and self.orthogonality == "projection":
            d_overlaps = (self.quad_w * self.lower_q).T @ d_psi  # ∂⟨ψ, ψ_j⟩/∂θ
            d_psi = d_psi - self.lower_q @ d_overlaps
            d_dpsi = d_dpsi - self.lower_dq @ d_overlaps
        return torch.cat([d_psi, d_dpsi])

    def check_nodes(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(x, w, V) of the check rule, in the net's dtype: a finer quadrature with nodes apart
        from the training ones, on which E[ψ] is the network's own and not the rule's."""
        like = self.quad_x
        nodes, weights = (torch.as_tensor(a, dtype=torch.float64) for a in self._check_quadrature)
        x = nodes.reshape(-1, 1)
        return x.to(like), weights.reshape(-1, 1).to(like), self.potential(x).to(like)

    def check_values(self) -> Nodal:
        """(ψ, ψ', w, V) at the check rule's nodes, no graph: E[ψ] there is the network's own."""
        x, w, v = self.check_nodes()
        psi, dpsi = (t.detach() for t in derivatives(self.psi, x, 1, False))
        return Nodal(psi, dpsi, w, v)

    @torch.enable_grad()
    def residual_at(self, x: torch.Tensor) -> torch.Tensor:
        """r(x) = −ψ̂'' + Vψ̂ − Eψ̂ of the normalized ψ̂ = ψ/‖ψ‖ at points x (N×1), no graph."""
        x = x.to(self.quad_x)
        psi, _, d2psi = derivatives(self.psi, x, 2, create_graph=False)
        scale = norm_squared(self.psi(self.quad_x), self.quad_w).rsqrt()
        r = residual(psi * scale, d2psi * scale, self.potential(x), self.energy)
        return r.detach()

    def total_loss(self, terms: dict[str, torch.Tensor]) -> torch.Tensor:
        return self.weighting(terms)

    # -- training --------------------------------------------------------------------------
    def on_fit_start(self) -> None:
        """The precision is known now: rebuild exact values in it (E only on a fresh start)."""
        self._materialize(with_energy=self.trainer.ckpt_path is None)  # global_step is 0 here

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        """The refining phase's fixed point set and plateau window: a resumed run continues."""
        checkpoint["qwpinn"] = {
            "refine_points": self._refine_points,
            "refine_history": list(self._refine_history),
            "added_points": self._added_points,
        }

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        state = checkpoint.get("qwpinn", {})
        self._refine_points = state.get("refine_points")
        self._refine_history.extend(state.get("refine_history", []))
        self._added_points = state.get("added_points", self._added_points)

    def _materialize(self, with_energy: bool) -> None:
        """Quadrature, V at its nodes (and E) from their float64 sources in the net's dtype.

        Casting a float32 copy up to float64 would keep float32 rounding; this does not.
        """
        like = next(self.ansatz.parameters())
        nodes, weights = (torch.as_tensor(a, dtype=torch.float64) for a in self._quadrature)
        self.quad_x = nodes.reshape(-1, 1).to(like)
        self.quad_w = weights.reshape(-1, 1).to(like)
        self.quad_v = self.potential(nodes.reshape(-1, 1)).to(like)
        if len(self.lower):  # the frozen lower states, normalized, at the nodes
            with torch.enable_grad():
                nodes = nodes.reshape(-1, 1).to(next(self.lower.parameters()))
                values = [
                    [t.detach().to(like) for t in derivatives(s.psi, nodes, 1, False)]
                    for s in self.lower
                ]
            psi = torch.cat([v[0] for v in values], dim=1)
            self.lower_scale = (self.quad_w * psi.square()).sum(dim=0).rsqrt()
            self.lower_q = psi * self.lower_scale
            self.lower_dq = torch.cat([v[1] for v in values], dim=1) * self.lower_scale
            below = rayleigh_quotient(
                self.lower_q[:, -1:], self.lower_dq[:, -1:], self.quad_v, self.quad_w
            ).item()
            self._floor = below - ALIASING_SLACK * abs(below)
        if with_energy:
            self.energy.data = torch.tensor(self._energy_init, dtype=torch.float64).to(like)

    def on_train_start(self) -> None:
        """Fetch the optimizer and scheduler handles once per fit, and decide the step path.

        The direct path (``loss.backward()``, the torch optimizer's own ``step``) is exact when
        Lightning's wrappers would only dispatch hooks nobody overrides: one device, no gradient
        scaler, and no ``on_before_backward``/``on_after_backward``/``on_before_optimizer_step``
        in the module or a callback. The step is still counted by the LightningOptimizer's
        step-counting calls, so ``global_step``, ``max_steps`` and checkpoints are unchanged.
        """
        optimizers = self.optimizers()
        self._steppers = optimizers if isinstance(optimizers, list) else [optimizers]
        self._scheduler = self.lr_schedulers()
        trainer = self.trainer
        hooked = [(self, L.LightningModule)] + [(c, L.Callback) for c in trainer.callbacks]
        self._direct = (
            isinstance(trainer.strategy, SingleDeviceStrategy)
            and getattr(trainer.precision_plugin, "scaler", None) is None
            and not any(is_overridden(h, obj, base) for obj, base in hooked for h in STEP_HOOKS)
        )

    def training_step(self, batch: torch.Tensor, batch_idx: int) -> dict[str, Any]:
        """One optimizer step per point set of the batch (K×N×1), until max_steps or a stop.

        Returns, for the callbacks, the steps taken: ``steps`` (global step after each),
        ``times`` (``time.perf_counter()`` after each), ``rayleigh`` (E[ψ] of each step's loss
        evaluation) and ``energy`` (the energy parameter after each), the last two as tensors.
        """
        trainer = self.trainer
        steps, times, rayleigh, energy = [], [], [], []
        for points in batch:
            if trainer.should_stop or 0 <= trainer.max_steps <= self.global_step:
                break
            rayleigh.append(self._optimizer_step(points))
            energy.append(self.energy.detach().clone())
            steps.append(self.global_step)
            times.append(time.perf_counter())
        rayleigh, energy = (torch.stack(t) if t else torch.empty(0) for t in (rayleigh, energy))
        return {"steps": steps, "times": times, "rayleigh": rayleigh, "energy": energy}

    def add_points(self, x: torch.Tensor) -> None:
        """Collocation points (M×1) that every later step uses besides its own set (RAR)."""
        self._added_points = torch.cat(
            [self._added_points.to(self.quad_x), x.detach().to(self.quad_x)]
        )

    def _optimizer_step(self, points: torch.Tensor) -> torch.Tensor:
        """One Adam step (then the schedule) or one refining step on the points x (N×1) and the
        added points; returns E[ψ] of its loss evaluation (after the step for TangentRitz)."""
        in_adam = len(self._steppers) == 1 or self.global_step < self.adam_steps
        stepper = self._steppers[0 if in_adam else 1]
        optimizer = stepper.optimizer
        if isinstance(optimizer, TangentRitz) and not in_adam:
            return self._tangent_step(stepper)
        if not in_adam and self._refine_points is not None:  # the refining phase keeps one
            points = self._refine_points  # objective
        else:
            if len(self._added_points):
                points = torch.cat([points.to(self.quad_x), self._added_points.to(self.quad_x)])
            if not in_adam:  # the first points of the refining phase, kept for all of it
                self._refine_points = points
        latest: dict[str, dict[str, torch.Tensor]] = {}

        def closure() -> torch.Tensor:
            optimizer.zero_grad()
            terms = self.loss_terms(points)
            if in_adam and self.weighting.due(self.global_step):  # L-BFGS needs fixed weights
                self.weighting.anneal(terms, list(self.ansatz.parameters()))
            loss = self.total_loss(terms)
            if self.global_step == self.inject_nan_at_step:
                loss = loss * float("nan")
            if self._direct:
                loss.backward()
            else:
                self.manual_backward(loss)
            grads = [p.grad for p in self.ansatz.parameters() if p.grad is not None]
            self._check_finite(loss, torch.nn.utils.get_total_norm(grads))  # before any step
            latest["terms"], latest["loss"] = terms, loss
            return loss

        if in_adam:
            closure()
        self._step(stepper, None if in_adam else closure)
        if in_adam and self._scheduler is not None:
            self._scheduler.step()
        if self.energy_update == "rayleigh" and self.potential.energy_trainable:
            with torch.no_grad():
                self.energy.copy_(latest["terms"]["rayleigh"])
        if not in_adam:
            self._maybe_stop(latest["terms"]["rayleigh"].item())
        if self.global_step % self.log_every_n_steps == 0:
            self._log_terms(latest["terms"], latest["loss"])
        return latest["terms"]["rayleigh"].detach()

    def _tangent_step(self, stepper: Any) -> torch.Tensor:
        """One ``TangentRitz`` step on E[ψ] at the quadrature; E ← E[ψ] after it."""

        def nodal() -> Nodal:
            values = self.nodal_values()
            if self.global_step == self.inject_nan_at_step:
                return Nodal(values.psi * float("nan"), values.grad, values.w, values.v)
            return values

        step = self.global_step
        rayleigh = self._step(
            stepper,
            nodal,
            jacobian=self.nodal_jacobian,
            floor=self._step_floor(),
            check=self.check_values,
        )
        rayleigh = rayleigh.detach()
        self._check_finite(rayleigh, torch.zeros_like(rayleigh), step)
        if self.potential.energy_trainable:
            with torch.no_grad():
                self.energy.copy_(rayleigh)
        self._maybe_stop(rayleigh.item())
        if self.global_step % self.log_every_n_steps == 0:
            terms = {k: t.detach() for k, t in self.loss_terms(self.quad_x[:0]).items()}
            self._log_terms(terms, self.total_loss(terms))
        return rayleigh

    def _step_floor(self) -> float:
        """The lowest E[ψ] a step may reach: π²/L² + min V less 1e-6 (no ψ with ψ(a) = ψ(b) = 0
        lies below it: a trial there exploits the quadrature), or the state beneath."""
        bound = self.potential.empty_box_level() + self.quad_v.min().item()
        box = bound - 1e-6 * abs(bound)
        return box if self._floor is None else max(box, self._floor)

    def _step(self, stepper: Any, closure: Callable[[], Any] | None, **kwargs: Any) -> Any:
        """The optimizer's step: direct (counted as LightningOptimizer.step counts it), or
        through Lightning's wrappers when a hook needs them."""
        if not self._direct:
            return stepper.step(closure=closure, **kwargs)
        stepper._on_before_step()
        result = stepper.optimizer.step(closure, **kwargs)
        stepper._on_after_step()
        return result

    def _check_finite(
        self, loss: torch.Tensor, grad_norm: torch.Tensor, step: int | None = None
    ) -> None:
        """A non-finite loss, gradient norm or energy ends the run as diverged, naming the step
        (``step``, else the global step).

        One check (one host sync) for all three: isfinite([loss, ‖∇‖, E]).all().
        """
        values = torch.stack((loss.detach(), grad_norm, self.energy.detach()))
        if not torch.isfinite(values).all():
            loss, grad_norm, energy = values.tolist()
            step = self.global_step if step is None else step
            raise DivergedError(
                f"non-finite loss, gradient or energy at step {step} "
                f"(loss={loss}, gradient norm={grad_norm}, E={energy})"
            )

    def _maybe_stop(self, rayleigh: float) -> None:
        """Stop the refining phase once E[ψ] fell by less than stop_tol (relative) over
        stop_window steps."""
        history = self._refine_history
        history.append(rayleigh)
        if self.stop_tol > 0.0 and len(history) == history.maxlen:
            if history[0] - rayleigh <= self.stop_tol * abs(rayleigh):
                self.trainer.should_stop = True

    def _log_terms(self, terms: dict[str, torch.Tensor], loss: torch.Tensor) -> None:
        """Every loss term and E, straight to the loggers at this global step (only on log steps:
        nothing is collected in between); E also to the progress bar."""
        metrics = {f"loss/{name}": value.item() for name, value in terms.items()}
        metrics["loss/total"] = loss.item()
        metrics["energy/parameter"] = self.energy.item()
        metrics["energy/rayleigh"] = metrics["loss/rayleigh"]
        if self.weighting.every:
            metrics.update({f"weights/{k}": v.item() for k, v in self.weighting.as_dict().items()})
        for logger in self.loggers:
            logger.log_metrics(metrics, step=self.global_step)
        energy = metrics["energy/rayleigh"]
        self.log("E", energy, prog_bar=True, logger=False, on_step=True, on_epoch=False)

    @property
    def _energy_learned(self) -> bool:
        """E is a parameter of the optimizers (learned through the residual's gradient)."""
        return self.potential.energy_trainable and self.energy_update == "gradient"

    def _check_tangent(self) -> None:
        """TangentRitz minimizes E[ψ] alone: no residual, no penalty, no learned E."""
        hint = "with optimizer=adam_ritz (it minimizes E[ψ] alone; else use optimizer=adam_lbfgs)"
        if self.with_residual:
            raise ConfigError(
                "loss.weights.residual", self.weights["residual"], f"must be 0 {hint}"
            )
        if len(self.lower) and self.orthogonality != "projection":
            raise ConfigError(
                "excited.orthogonality", self.orthogonality, f"must be projection {hint}"
            )
        if self._energy_learned:
            raise ConfigError("loss.energy_update", self.energy_update, f"must be rayleigh {hint}")

    def configure_optimizers(self) -> Any:
        energy = [self.energy] if self._energy_learned else []
        groups = [{"params": list(self.ansatz.parameters())}]
        if energy:  # its own group: own learning rate, no weight decay
            groups.append({"params": energy, "lr": self.energy_lr, "weight_decay": 0.0})
        adam = self.adam_factory(groups)
        optimizers = [adam]
        if self.refine_factory is not None:
            refine = self.refine_factory(list(self.ansatz.parameters()) + energy)
            if isinstance(refine, TangentRitz):
                self._check_tangent()
            optimizers.append(refine)
        if self.scheduler_factory is None:
            return optimizers
        return optimizers, [self.scheduler_factory(adam)]
