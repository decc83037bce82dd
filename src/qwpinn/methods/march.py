"""θ(t) from θ̇ = F(t, θ) over the output times by an adaptive explicit Runge–Kutta method
(scipy's Dormand–Prince RK45 or DOP853, local error ≤ atol + rtol·|θ|), time by time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.integrate import DOP853, RK45

from qwpinn.errors import DivergedError, one_of

INTEGRATORS = {"RK45": RK45, "DOP853": DOP853}


@dataclass
class MarchState:
    """Where the march stands: ``index`` of the last output time reached, θ there, the step
    size to try next (None: the integrator's own first guess) and the right-hand sides spent."""

    index: int
    theta: np.ndarray
    step: float | None
    evaluations: int = 0


def march(
    velocity: Callable[[float, np.ndarray], np.ndarray],
    times: np.ndarray,
    start: MarchState,
    integrator: str,
    rtol: float,
    atol: float,
    reached: Callable[[MarchState], None],
) -> MarchState:
    """Integrate from ``times[start.index]`` to the last time; ``reached`` is called with the
    state at each output time (checkpoints, logging), and a NaN θ raises DivergedError."""
    solver_class = INTEGRATORS[one_of("method.integrator", integrator, tuple(INTEGRATORS))]
    state = start
    for k in range(start.index, len(times) - 1):
        extra = (
            {} if state.step is None else {"first_step": min(state.step, times[k + 1] - times[k])}
        )
        solver = solver_class(
            velocity, times[k], state.theta, times[k + 1], rtol=rtol, atol=atol, **extra
        )
        while solver.status == "running":
            solver.step()
        if solver.status != "finished" or not np.all(np.isfinite(solver.y)):
            raise DivergedError(f"the time march failed at t = {solver.t:.6g}")
        step = solver.step_size if solver.step_size else state.step
        state = MarchState(k + 1, solver.y.copy(), step, state.evaluations + solver.nfev)
        reached(state)
    return state
