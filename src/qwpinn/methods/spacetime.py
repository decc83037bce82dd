"""The residual PINN on (x, t) for iψ_t = −cψ_xx + (V(x, t) + g|ψ|²)ψ, walls (or periodicity)
and ψ0 in the trial function:

    ψ(x, t) = ψ0(x) + (t/T) · 4(x − a)(b − x)/L² · (N_0 + iN_1)(x̂, t̂),

x̂ = (2x − a − b)/L, t̂ = 2t/T − 1; periodic: ψ0(x) + (t/T)·(N_0 + iN_1)(e(x), t̂) with the
embedding e(x) of ``models.periodic``. Trained on mean |iψ_t + cψ_xx − (V + g|ψ|²)ψ|² at fixed
collocation points by Adam, then L-BFGS (the paper's approach carried to time; Raissi et al.'s
for the NLS).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from qwpinn.models.periodic import periodic_features

Parts = Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]]  # x → (Re ψ0, Im ψ0)
Vxt = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # V(x, t) at columns (N, 1)


class SpacetimeState(nn.Module):
    """The trial ψ(x, t) above: ``net`` maps (x̂, t̂) (N, 2), or (e(x), t̂) (N, 2·``harmonics``
    + 1) when ``harmonics`` is not None (periodic), to (N, 2); ``kinetic`` c, ``cubic`` g."""

    def __init__(
        self,
        net: nn.Module,
        box: tuple[float, float],
        t_end: float,
        initial: Parts,
        harmonics: int | None,
        kinetic: float,
        cubic: float,
    ) -> None:
        super().__init__()
        self.net, self.initial, self.harmonics = net, initial, harmonics
        self.a, self.b, self.t_end = float(box[0]), float(box[1]), float(t_end)
        self.kinetic, self.cubic = float(kinetic), float(cubic)

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Re ψ, Im ψ at columns x, t (N, 1)."""
        length = self.b - self.a
        clock = 2 * t / self.t_end - 1
        if self.harmonics is None:
            inputs = torch.cat([(2 * x - self.a - self.b) / length, clock], dim=1)
            envelope = 4 * (x - self.a) * (self.b - x) / length**2
        else:
            inputs = torch.cat([periodic_features(x, self.a, length, self.harmonics), clock], 1)
            envelope = torch.ones_like(x)
        out = self.net(inputs) * (t / self.t_end) * envelope
        u0, v0 = self.initial(x)
        return u0 + out[:, :1], v0 + out[:, 1:]

    def residual(self, x: torch.Tensor, t: torch.Tensor, v: Vxt) -> torch.Tensor:
        """(Re, Im) of iψ_t + cψ_xx − (V + g|ψ|²)ψ at the points: (N, 2); real part
        −v_t + c u_xx − V_eff u, imaginary part u_t + c v_xx − V_eff v."""
        x, t = x.detach().requires_grad_(True), t.detach().requires_grad_(True)
        u, w = self(x, t)
        u_x, u_t = _grad(u, x), _grad(u, t)
        w_x, w_t = _grad(w, x), _grad(w, t)
        u_xx, w_xx = _grad(u_x, x), _grad(w_x, x)
        pot = v(x, t) + self.cubic * (u.square() + w.square())
        c = self.kinetic
        return torch.cat([-w_t + c * u_xx - pot * u, u_t + c * w_xx - pot * w], dim=1)

    def values(self, x: np.ndarray, t: float) -> tuple[np.ndarray, np.ndarray]:
        """ψ and ψ' at the points x (M,) and time t: complex (M,) each."""
        xs = torch.as_tensor(np.asarray(x, dtype=float).reshape(-1, 1)).requires_grad_(True)
        ts = torch.full_like(xs, float(t))
        u, w = self(xs, ts)
        du, dw = _grad(u, xs), _grad(w, xs)
        psi = (u + 1j * w).detach().numpy().ravel()
        return psi, (du + 1j * dw).detach().numpy().ravel()


def train_spacetime(
    state: SpacetimeState,
    v: Vxt,
    points: tuple[torch.Tensor, torch.Tensor],
    adam_steps: int,
    lr: float,
    lbfgs_steps: int,
    max_time_s: float | None,
) -> list[float]:
    """Adam for ``adam_steps``, then L-BFGS (strong Wolfe) for ``lbfgs_steps`` iterations on
    the mean squared residual at the fixed ``points`` (x, t), both cut at ``max_time_s`` of
    wall time (split in proportion to the steps; None: no cut); the loss after each step."""
    history: list[float] = []
    start, total = time.perf_counter(), max(adam_steps + lbfgs_steps, 1)

    def in_time(share: int) -> bool:
        spent = time.perf_counter() - start
        return max_time_s is None or spent < max_time_s * share / total

    def loss() -> torch.Tensor:
        return state.residual(*points, v).square().sum(dim=1).mean()

    adam = torch.optim.Adam(state.net.parameters(), lr=lr)
    for _ in range(adam_steps):
        if not in_time(adam_steps):
            break
        adam.zero_grad()
        value = loss()
        value.backward()
        adam.step()
        history.append(value.item())
    lbfgs = torch.optim.LBFGS(
        state.net.parameters(), max_iter=1, history_size=50, line_search_fn="strong_wolfe"
    )

    def closure() -> torch.Tensor:
        lbfgs.zero_grad()
        value = loss()
        value.backward()
        return value

    for _ in range(lbfgs_steps):
        if not in_time(total):
            break
        history.append(float(lbfgs.step(closure).detach()))
    return history


def _grad(y: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    return torch.autograd.grad(y.sum(), x, create_graph=True)[0]
