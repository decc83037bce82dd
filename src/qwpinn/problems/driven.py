"""A potential V(x, t) from a formula in x and t, for iψ_t = −ψ_xx + V(x, t)ψ on a 1D box."""

from __future__ import annotations

from typing import Any

import numpy as np

from qwpinn.errors import ConfigError
from qwpinn.problems.potentials import Expression

FINITE_CHECK = (1001, 11)  # x and t samples where the formula must be finite


class DrivenExpression(Expression):
    """V(x, t) from a formula in x and t with named parameters, e.g.
    ``v0*(x-0.5)**2*(1 + a*sin(omega*t))`` (no eval); as a static potential it is V(x, 0)."""

    name = "driven"
    time_dependent = True
    time_names = ("t",)

    def refuse_non_finite(self) -> None:
        """One ConfigError line unless the box is 1D and V is finite on it for t in [0, 1]."""
        if self.dim != 1:
            raise ConfigError("box", self.domain.tolist(), "must be [a, b]: V(x, t) is 1D")
        self.check_finite(np.linspace(0.0, 1.0, FINITE_CHECK[1]))

    def check_finite(self, times: Any) -> None:
        """One ConfigError line if V is not finite on the box at one of ``times``."""
        x = np.linspace(*self.box, FINITE_CHECK[0])
        for t in np.asarray(times, dtype=float):
            if not np.all(np.isfinite(self.v_at(x, t))):
                raise ConfigError("formula", self.formula, f"must be finite on the box at t={t:g}")

    def v_at(self, x: Any, t: float) -> Any:
        """V(x, t) at x values (numpy or torch), time t."""
        return self._v(x, 0.0 * x + t)

    def v_of(self, x: Any) -> Any:
        """V(x, 0)."""
        return self.v_at(x, 0.0)
