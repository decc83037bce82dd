"""Figures of an evolution: |ψ(x, t)|² over space and time with V(x, t_0), and ⟨x⟩(t) and the
pointwise error beside the reference; written as PNG and, given a logger, to TensorBoard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np


def write_figures(
    out: Path,
    x: np.ndarray,
    t: np.ndarray,
    psi: np.ndarray,
    psi_ref: np.ndarray,
    v: np.ndarray,
    metrics: dict[str, Any],
    logger: Any,
) -> None:
    """evolution.png (space–time |ψ|², V) and observables.png (⟨x⟩ and the error vs t)."""
    plt = _pyplot()
    figures = {
        "evolution": space_time_figure(x, t, psi, v),
        "observables": observables_figure(t, metrics, psi, psi_ref),
    }
    for name, fig in figures.items():
        fig.savefig(out / f"{name}.png", dpi=110)
        if logger is not None and hasattr(logger, "experiment"):
            logger.experiment.add_figure(f"evolution/{name}", fig)
        plt.close(fig)
    if logger is not None:
        logger.log_metrics(
            {f"final/{k}": metrics[k] for k in ("l2_error", "norm_drift", "energy_drift")}, step=0
        )
        logger.finalize("success")


def space_time_figure(x: np.ndarray, t: np.ndarray, psi: np.ndarray, v: np.ndarray) -> Any:
    fig, (ax, side) = _pyplot().subplots(
        1, 2, figsize=(9, 4), gridspec_kw={"width_ratios": [4, 1]}, sharey=False
    )
    mesh = ax.pcolormesh(x, t, np.abs(psi) ** 2, shading="auto", cmap="magma")
    fig.colorbar(mesh, ax=ax, label="|ψ|²")
    ax.set(xlabel="x", ylabel="t", title="|ψ(x, t)|²")
    side.plot(x, v[0], color="tab:blue")
    side.set(xlabel="x", ylabel="V(x, 0)", title="V")
    fig.tight_layout()
    return fig


def observables_figure(
    t: np.ndarray, metrics: dict[str, Any], psi: np.ndarray, psi_ref: np.ndarray
) -> Any:
    obs = metrics["observables"]
    fig, (left, right) = _pyplot().subplots(1, 2, figsize=(9, 3.5))
    left.plot(obs["t"], obs["mean_x"], label="method")
    left.plot(obs["t"], obs["mean_x_ref"], "--", label="reference")
    left.set(xlabel="t", ylabel="⟨x⟩", title="mean position")
    left.legend()
    error = np.abs(psi - psi_ref).max(axis=1)
    right.semilogy(t, np.maximum(error, 1e-300))
    right.set(xlabel="t", ylabel="max_x |ψ − ψ_ref|", title="pointwise error")
    fig.tight_layout()
    return fig


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt
