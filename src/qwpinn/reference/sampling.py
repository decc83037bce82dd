"""How ψ is sampled: the output grid (uniform points plus the jumps of V), the sign convention."""

from __future__ import annotations

import numpy as np

SIGN_THRESHOLD = 1e-6  # |ψ| > this · max|ψ| counts as "nonzero" for the sign convention


def first_lobe_sign(values: np.ndarray) -> float:
    """+1 if the first sample with |ψ| > 1e-6·max|ψ| is positive, else −1."""
    big = np.flatnonzero(np.abs(values) > SIGN_THRESHOLD * np.abs(values).max())
    return 1.0 if big.size == 0 or values[big[0]] > 0 else -1.0


def output_grid(box: tuple[float, float], points: int, breaks: list[float]) -> np.ndarray:
    """``points`` uniform points on ``box`` plus ``breaks`` (one within 1e-9·L replaces a point)."""
    x = np.linspace(box[0], box[1], points)
    tolerance = 1e-9 * (box[1] - box[0])
    extra = []
    for point in breaks:
        nearest = int(np.argmin(np.abs(x - point)))
        if abs(x[nearest] - point) <= tolerance and 0 < nearest < points - 1:
            x[nearest] = point
        else:
            extra.append(point)
    return np.union1d(x, extra)
