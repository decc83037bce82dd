"""|ψ|² maps of the trained states of a 2D problem (a slice through the centre of a 3D box),
beside |ψ_ref|², with the contour lines of V."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from qwpinn.evaluation.figures import aligned_states

MAP_POINTS = 101  # samples per axis of a map
CONTOURS = 4  # contour lines of V between its least and greatest value on the map


@torch.no_grad()
def sample_maps(top: Any, spectrum: Any, points: int = MAP_POINTS) -> dict[str, np.ndarray]:
    """States 1..n on a ``points`` × ``points`` grid of the (x, y) plane (3D: at z = the box
    centre): ψ normalized on the training rule and sign-aligned to ψ_ref; ``psi`` and
    ``psi_ref`` are (n, points, points), index [state, i_x, i_y]; ``v`` (points, points)."""
    bounds = top.potential.bounds
    x, y = (np.linspace(a, b, points) for a, b in bounds[:2])
    columns = [a.ravel() for a in np.meshgrid(x, y, indexing="ij")]
    z = np.array([0.5 * bounds[2].sum()]) if len(bounds) == 3 else np.array([])
    plane = np.stack(columns + [np.full(points * points, c) for c in z], axis=1)
    at = torch.as_tensor(plane, dtype=top.quad_x.dtype, device=top.quad_x.device)
    psi, ref = aligned_states(top, spectrum, at)
    shape = (len(psi), points, points)
    return {
        "x": x,
        "y": y,
        "z": z,
        "n": np.arange(1, len(psi) + 1),
        "psi": np.array(psi).reshape(shape),
        "psi_ref": np.array(ref).reshape(shape),
        "v": np.asarray(top.potential(plane), dtype=float).reshape(points, points),
    }


def plot_maps(data: dict[str, np.ndarray], title: str) -> Any:
    """One column per state: |ψ|² of the PINN (top) and of the reference (bottom), with the
    contour lines of V."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    count = len(data["n"])
    figure, axes = plt.subplots(2, count, figsize=(2.6 * count + 0.6, 5.2), squeeze=False)
    low, high = float(data["v"].min()), float(data["v"].max())
    levels = np.linspace(low, high, CONTOURS + 2)[1:-1] if high > low else None
    for k in range(count):
        for row, (key, label) in enumerate((("psi", "PINN"), ("psi_ref", "reference"))):
            axis = axes[row, k]
            axis.pcolormesh(data["x"], data["y"], data[key][k].T ** 2, shading="auto")
            if levels is not None:
                axis.contour(data["x"], data["y"], data["v"].T, levels, colors="w", linewidths=0.6)
            axis.set_title(f"|ψ_{data['n'][k]}|² {label}", fontsize=8)
            axis.set_aspect("equal")
            axis.tick_params(labelsize=6)
    where = f" at z = {data['z'][0]:g}" if len(data["z"]) else ""
    figure.suptitle(f"{title}{where}")
    figure.tight_layout()
    return figure
