"""Composite Gauss–Legendre rules on the pieces of a box, in their own coordinates.

∫ f dx = Σ_pieces ∫_0^1 f(X(t)) X'(t) dt, each piece split into equal panels in t with n
Gauss–Legendre nodes per panel: exact to degree 2n − 1 in t on every panel.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qwpinn.numerics.grading import PieceMap


def mapped_rule(
    maps: Sequence[PieceMap], nodes: int, panels: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss–Legendre rule: ``panels`` equal panels in t on every piece (a graded one
    gets ``map.panels`` times as many), ``nodes`` per panel, ∫f dx = ∫ f(X(t)) X'(t) dt."""
    t, w = np.polynomial.legendre.leggauss(nodes)
    xs, ws = [], []
    for piece in maps:
        edges = np.linspace(0.0, 1.0, panels * piece.panels + 1)
        for lo, hi in zip(edges[:-1], edges[1:], strict=False):
            s = 0.5 * (hi - lo) * t + 0.5 * (hi + lo)
            xs.append(piece.x(s))
            ws.append(0.5 * (hi - lo) * w * piece.dx_dt(s))
    return np.concatenate(xs), np.concatenate(ws)


def gauss_legendre(
    box: Sequence[float], breakpoints: Sequence[float], nodes_per_piece: int, panels: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss–Legendre rule on box: `panels` equal panels per smooth piece of V."""
    cuts = [float(box[0]), *sorted(float(p) for p in breakpoints), float(box[1])]
    maps = [PieceMap(lo, hi) for lo, hi in zip(cuts[:-1], cuts[1:], strict=False)]
    return mapped_rule(maps, nodes_per_piece, panels)
