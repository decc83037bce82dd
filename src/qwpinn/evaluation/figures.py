"""ψ of every trained state beside ψ_ref and V(x) on a uniform grid, and its figure."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from qwpinn.methods.energy import norm_squared


@torch.no_grad()
def sample_wavefunctions(top: Any, spectrum: Any, points: int) -> dict[str, np.ndarray]:
    """States 1..n (the module and its lower states): ψ_PINN normalized and sign-aligned to
    ψ_ref, ψ_ref and V on a uniform grid of the box; ``psi`` and ``psi_ref`` are (n, points)."""
    a, b = top.potential.box
    x = np.linspace(a, b, points)
    xt = torch.as_tensor(x, dtype=top.quad_x.dtype, device=top.quad_x.device).reshape(-1, 1)
    psi, ref = [], []
    for state in [*top.lower, top]:
        scale = norm_squared(state.psi(state.quad_x), state.quad_w).rsqrt()
        values = (state.psi(xt) * scale).cpu().numpy().ravel()
        exact = spectrum.psi_at(state.n, x)
        psi.append(values if np.dot(values, exact) >= 0 else -values)
        ref.append(exact)
    return {
        "x": x,
        "n": np.arange(1, len(psi) + 1),
        "psi": np.array(psi),
        "psi_ref": np.array(ref),
        "v": np.asarray(top.potential(x), dtype=float),
    }


def plot_wavefunctions(data: dict[str, np.ndarray], title: str) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6, 4))
    for k, (psi, ref) in enumerate(zip(data["psi"], data["psi_ref"], strict=True)):
        label = "reference" if k == 0 else None
        axis.plot(data["x"], ref, "k-", lw=2.5, alpha=0.35, label=label)
        axis.plot(data["x"], psi, f"C{k}--", lw=1.5, label=f"ψ_{data['n'][k]} PINN")
    axis.set_xlabel("x")
    axis.set_ylabel("ψ(x)")
    twin = axis.twinx()
    twin.fill_between(data["x"], data["v"], color="C7", alpha=0.15, step="mid")
    twin.set_ylabel("V(x)", color="C7")
    axis.legend(loc="upper right", fontsize=8)
    axis.set_title(title)
    figure.tight_layout()
    return figure
