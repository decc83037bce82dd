"""A potential V(x, t) from a formula in x and t, for iψ_t = −ψ_xx + V(x, t)ψ on a 1D box."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from qwpinn.errors import ConfigError, finite_number, integer_at_least
from qwpinn.problems.base import Potential
from qwpinn.problems.expression import compile_formula

FINITE_CHECK = (1001, 11)  # x and t samples where the formula must be finite


class DrivenExpression(Potential):
    """V(x, t) from a formula in x and t with named parameters, e.g.
    ``v0*(x-0.5)**2*(1 + a*sin(omega*t))`` (no eval); as a static potential it is V(x, 0)."""

    name = "driven"
    time_dependent = True

    def __init__(
        self,
        box: Sequence[Any],
        formula: str,
        params: Mapping[str, float] | None,
        energy: str,
        panels: int,
        name: str,
    ) -> None:
        super().__init__(box, energy)
        if self.dim != 1:
            raise ConfigError("box", box, "must be [a, b]: V(x, t) is 1D")
        params = {k: finite_number(f"params.{k}", v) for k, v in dict(params or {}).items()}
        self.quadrature_panels = integer_at_least("panels", panels)
        self.formula, self.params, self.name = formula, params, str(name)
        self._v = compile_formula(formula, params, 1, extra=("t",))
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
