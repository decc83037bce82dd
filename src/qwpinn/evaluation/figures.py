"""ψ of every trained state beside ψ_ref and V(x) on a uniform grid, and its figures: ψ against
ψ_ref, and the band diagram (V with each level at its energy and |ψ|² drawn on it)."""

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
    psi, ref = aligned_states(top, spectrum, xt)
    energies = []
    for state in [*top.lower, top]:
        with torch.enable_grad():  # ∇ψ by autograd
            energies.append(float(state.check_nodal().energy().item()))
    return {
        "x": x,
        "n": np.arange(1, len(psi) + 1),
        "psi": np.array(psi),
        "psi_ref": np.array(ref),
        "energy": np.array(energies),
        "v": np.asarray(top.potential(x), dtype=float),
    }


@torch.no_grad()
def aligned_states(top: Any, spectrum: Any, at: torch.Tensor) -> tuple[list, list]:
    """ψ of states 1..n (the module and its lower states) at the points ``at`` (N, d),
    normalized on the training rule and signed to overlap ψ_ref ≥ 0, and ψ_ref there."""
    points = at.cpu().numpy()
    psi, ref = [], []
    for state in [*top.lower, top]:
        scale = norm_squared(state.psi(state.quad_x), state.quad_w).rsqrt()
        values = (state.psi(at) * scale).cpu().numpy().ravel()
        exact = spectrum.psi_at(state.n, points[:, 0] if points.shape[1] == 1 else points)
        psi.append(values if np.dot(values, exact) >= 0 else -values)
        ref.append(exact)
    return psi, ref


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


def plot_levels(data: dict[str, np.ndarray], unit: str, length_unit: str, title: str) -> Any:
    """V(x) with each trained level E_n as a line and |ψ_n|² offset to it, scaled to 40 % of
    the smallest level spacing (or of the energy range with one level)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x, energies = data["x"], data["energy"]
    spacing = np.diff(energies).min() if len(energies) > 1 else np.ptp(data["v"]) or 1.0
    figure, axis = plt.subplots(figsize=(6, 4.5))
    axis.plot(x, data["v"], "k-", lw=1.5, label="V(x)")
    for k, (psi, energy) in enumerate(zip(data["psi"], energies, strict=True)):
        density = psi**2 / max(float(np.max(psi**2)), 1e-300)
        axis.axhline(energy, color=f"C{k}", lw=0.6, ls=":")
        axis.plot(
            x,
            energy + 0.4 * abs(spacing) * density,
            f"C{k}-",
            lw=1.2,
            label=f"E_{data['n'][k]} = {energy:.6g}",
        )
    axis.set_xlabel(f"x ({length_unit})" if length_unit != "dimensionless" else "x")
    axis.set_ylabel(f"E ({unit})" if unit != "dimensionless" else "E")
    axis.legend(fontsize=7, loc="upper right")
    axis.set_title(title)
    figure.tight_layout()
    return figure
