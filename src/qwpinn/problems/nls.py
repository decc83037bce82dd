"""The cubic Schrödinger (NLS) pieces of the evolution problem: the sech pulse
ψ0 = A sech(x − x0) e^{i k0 x}, and the bright soliton of iψ_t + ½ψ_xx + |ψ|²ψ = 0,
ψ = sech(x) e^{it/2} (Raissi et al.'s benchmark starts from 2 sech x: a breathing 2-soliton)."""

from __future__ import annotations

from typing import Any

import numpy as np

from qwpinn.errors import finite_number


class SechPulse:
    """ψ0(x) = A sech(x − x0) e^{i k0 x}."""

    def __init__(self, amplitude: float, x0: float, k0: float) -> None:
        self.amplitude = finite_number("amplitude", amplitude)
        self.x0, self.k0 = finite_number("x0", x0), finite_number("k0", k0)

    def __call__(self, x: Any) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return self.amplitude / np.cosh(x - self.x0) * np.exp(1j * self.k0 * x)

    def parts(self, x: Any) -> tuple[Any, Any]:
        """(Re ψ0, Im ψ0) of a torch tensor x, differentiable."""
        envelope = self.amplitude / (x - self.x0).cosh()
        return envelope * (self.k0 * x).cos(), envelope * (self.k0 * x).sin()


def bright_soliton(x: Any, t: float) -> np.ndarray:
    """ψ(x, t) = sech(x) e^{it/2}: the exact solution of iψ_t + ½ψ_xx + |ψ|²ψ = 0 on the line."""
    return np.exp(0.5j * t) / np.cosh(np.asarray(x, dtype=float))
