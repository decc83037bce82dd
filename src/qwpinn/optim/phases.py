"""Optimizer phases: a run is a list of phases, each taking ``steps`` optimizer steps (None: the
last, until max_steps, the plateau stop or a step whose terms say ``converged``), each declaring
what its step needs.

``GradientPhase`` steps a torch optimizer on the loss through a closure (Adam, L-BFGS);
``TangentPhase`` steps ``TangentRitz`` on the nodal values of E[ψ] and their Jacobian.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import torch

from qwpinn.errors import ConfigError, DivergedError
from qwpinn.methods.eigen import EigenState
from qwpinn.methods.loss import EigenLoss
from qwpinn.optim.linear_ritz import LinearRitz, linear_ritz
from qwpinn.optim.tangent import TangentRitz, rules_agree


@dataclass
class StepInputs:
    """What one step is given: the state and its loss, the collocation points x (N, d), the
    optimizer handle (``step(closure, **kwargs)``, ``zero_grad()``), the backward pass to use,
    and the global step (for messages and the annealing schedule)."""

    state: EigenState
    loss: EigenLoss
    points: torch.Tensor
    optimizer: Any
    backward: Callable[[torch.Tensor], None]
    step: int


class Phase(Protocol):
    steps: int | None

    def check(self, loss: EigenLoss, state: EigenState) -> None: ...

    def optimizer(self, loss: EigenLoss, state: EigenState) -> torch.optim.Optimizer: ...

    def scheduler(self, optimizer: torch.optim.Optimizer) -> Any | None: ...

    def step(self, inputs: StepInputs) -> dict[str, torch.Tensor]: ...

    def state_dict(self) -> dict[str, Any]: ...

    def load_state_dict(self, state: dict[str, Any]) -> None: ...


def require_finite(values: dict[str, torch.Tensor], step: int) -> None:
    """A non-finite loss, gradient norm or energy ends the run as diverged, naming the step.
    One check (one host sync) for all of them."""
    stacked = torch.stack([v.detach().reshape(()) for v in values.values()])
    if not torch.isfinite(stacked).all():
        found = ", ".join(f"{k}={v}" for k, v in zip(values, stacked.tolist(), strict=True))
        raise DivergedError(f"non-finite loss, gradient or energy at step {step} ({found})")


class GradientPhase:
    """A torch optimizer on the weighted loss, E in its own group when it is learned;
    ``fixed_points``: the first point set of the phase is kept for all of it (L-BFGS needs
    one objective). Returns the loss terms of its (last) closure evaluation."""

    def __init__(
        self,
        optimizer: Callable[..., torch.optim.Optimizer],
        fixed_points: bool,
        steps: int | None = None,
        scheduler: Callable[..., Any] | None = None,
        energy_lr: float | None = None,
    ) -> None:
        self.factory, self.scheduler_factory = optimizer, scheduler
        self.steps = None if steps is None else int(steps)
        self.energy_lr, self.fixed_points = energy_lr, bool(fixed_points)
        self.points: torch.Tensor | None = None
        self.params: list[torch.Tensor] = []

    def check(self, loss: EigenLoss, state: EigenState) -> None:
        return None

    def optimizer(self, loss: EigenLoss, state: EigenState) -> torch.optim.Optimizer:
        self.params = list(state.ansatz.parameters())  # the step's gradient check reads them
        groups: list[dict[str, Any]] = [{"params": self.params}]
        if loss.learns_energy(state):  # own learning rate, no weight decay
            energy = {"params": [state.energy], "weight_decay": 0.0}
            groups.append(energy if self.energy_lr is None else {**energy, "lr": self.energy_lr})
        if self.fixed_points:  # L-BFGS takes one parameter group
            return self.factory([p for g in groups for p in g["params"]])
        return self.factory(groups)

    def scheduler(self, optimizer: torch.optim.Optimizer) -> Any | None:
        return None if self.scheduler_factory is None else self.scheduler_factory(optimizer)

    def step(self, inputs: StepInputs) -> dict[str, torch.Tensor]:
        points = inputs.points
        if self.fixed_points:
            self.points = points if self.points is None else self.points.to(points)
            points = self.points
        state, loss, latest = inputs.state, inputs.loss, {}
        params = self.params

        def closure() -> torch.Tensor:
            inputs.optimizer.zero_grad()
            terms = loss.terms(state, points)
            if not self.fixed_points and loss.weighting.due(inputs.step):
                loss.weighting.anneal(terms, params)
            total = loss.total(terms)
            inputs.backward(total)
            grads = [p.grad for p in params if p.grad is not None]
            norm = torch.nn.utils.get_total_norm(grads)
            require_finite({"loss": total, "gradient norm": norm, "E": state.energy}, inputs.step)
            latest.update(terms, total=total)
            return total

        inputs.optimizer.step(closure=closure)
        return {k: v.detach() for k, v in latest.items()}

    def state_dict(self) -> dict[str, Any]:
        return {"points": self.points}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.points = state.get("points")


class TangentPhase:
    """``TangentRitz`` on E[ψ] alone, with the floor and the check rule of the state; returns
    ``{"rayleigh": E[ψ], "checked": E[ψ] on the check rule}`` after the step. On 2D/3D cells
    of constant V (``constant_on_cells``: a grid, a disk) or under the Gaussian ``weight`` of a
    smooth V, with ``linear_rcond_nd`` (not None), each step first sets the parameters ψ is
    linear in (the ansatz's ``linear_parameters``) to their exact Ritz optimum
    (``linear_ritz``); where ``tangent_after_linear_nd`` ([2D, 3D]) is false that is the whole
    step (``LinearRitz``), and the state is ``converged`` after it."""

    def __init__(
        self,
        linear_rcond_nd: float | None,
        tangent_after_linear_nd: list[bool],
        steps: int | None = None,
        **ritz: Any,
    ) -> None:
        self.steps = None if steps is None else int(steps)
        self.linear_rcond = None if linear_rcond_nd is None else float(linear_rcond_nd)
        self.tangent_after_linear = [bool(b) for b in tangent_after_linear_nd]
        self.ritz = ritz
        self.linear: list[torch.Tensor] = []
        self.tangent = True

    def check(self, loss: EigenLoss, state: EigenState) -> None:
        """TangentRitz minimizes E[ψ] alone: no residual, no penalty, no learned E."""
        hint = "with optimizer=adam_ritz (it minimizes E[ψ] alone; else use optimizer=adam_lbfgs)"
        if loss.with_residual:
            raise ConfigError(
                "loss.weights.residual", loss.weights["residual"], f"must be 0 {hint}"
            )
        if len(state.lower) and state.orthogonality != "projection":
            raise ConfigError(
                "excited.orthogonality", state.orthogonality, f"must be projection {hint}"
            )
        if loss.learns_energy(state):
            raise ConfigError("loss.energy_update", loss.energy_update, f"must be rayleigh {hint}")

    def optimizer(self, loss: EigenLoss, state: EigenState) -> torch.optim.Optimizer:
        """TangentRitz over every parameter, or ``LinearRitz`` over the output layer alone;
        fixes for this state whether each step first solves that layer exactly and whether the
        tangent step follows it."""
        dim = state.rule.dim
        cells = getattr(state.potential, "constant_on_cells", False)
        on_cells = dim > 1 and (cells or getattr(state.ansatz, "weight", None) is not None)
        linear = getattr(state.ansatz, "linear_parameters", list)()
        self.linear = linear if self.linear_rcond is not None and on_cells else []
        self.tangent = not self.linear or self.tangent_after_linear[dim - 2]
        if not self.tangent:
            return LinearRitz(self.linear, self.linear_rcond)
        return TangentRitz(state.ansatz.parameters(), **self.ritz)

    def scheduler(self, optimizer: torch.optim.Optimizer) -> None:
        return None

    def step(self, inputs: StepInputs) -> dict[str, torch.Tensor]:
        state = inputs.state
        if self.linear and self.tangent:
            rcond, floor = self.linear_rcond, state.step_floor()
            linear_ritz(state.nodal, state.jacobian, self.linear, rcond, floor, state.check_nodal)
        rayleigh = inputs.optimizer.step(
            closure=state.nodal,
            jacobian=state.jacobian,
            floor=state.step_floor(),
            check=state.check_nodal,
        ).detach()
        require_finite({"E[ψ]": rayleigh}, inputs.step)
        checked = getattr(inputs.optimizer, "optimizer", inputs.optimizer).checked  # unwrapped
        rayleigh, checked = follow_level(state, rayleigh, checked)
        terms = {"rayleigh": rayleigh}
        if checked is not None:
            terms["checked"] = rayleigh.new_tensor(checked)  # on E[ψ]'s device: stacked with it
        if not self.tangent:  # the exact layer alone: a second step would repeat this one
            terms["converged"] = torch.tensor(True)
        return terms

    def state_dict(self) -> dict[str, Any]:
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        return None


def follow_level(
    state: EigenState, energy: torch.Tensor, checked: float | None
) -> tuple[torch.Tensor, float | None]:
    """The ansatz's ``follow_level`` where it ``follows`` (the decay rates of its constant wall
    pieces set from E[ψ] = ``energy``), kept where it lowers E[ψ] on the training rule, above
    the step floor, and not on the check rule (E[ψ] there ``checked``: ``rules_agree``);
    (E[ψ], E[ψ] on the check rule) after it."""
    if not getattr(state.ansatz, "follows", False) or checked is None:
        return energy, checked
    before = [p.detach().clone() for p in state.ansatz.parameters()]
    with torch.enable_grad():
        if not state.ansatz.follow_level(energy.item()):
            return energy, checked
        after = state.nodal().energy().detach()
        if torch.isfinite(after) and state.step_floor() <= after < energy:
            now = state.check_nodal().energy().item()
            if rules_agree(after.item(), now, (energy.item(), checked)):
                return after, now
    with torch.no_grad():
        for p, old in zip(state.ansatz.parameters(), before, strict=True):
            p.copy_(old)
    return energy, checked


class PlateauStop:
    """Stop once E[ψ] fell by less than ``tol`` (relative) over ``window`` steps (tol 0: never)."""

    def __init__(self, tol: float, window: int) -> None:
        self.tol, self.window = float(tol), max(1, int(window))
        self.history: list[float] = []

    def reached(self, energy: float) -> bool:
        self.history = [*self.history[-self.window :], energy]
        if self.tol <= 0.0 or len(self.history) <= self.window or not math.isfinite(energy):
            return False
        return self.history[0] - energy <= self.tol * abs(energy)
