"""Gauss–Legendre rules on the elements of a disk well, whose faces follow its circle.

The box is cut into the macro elements of ``reference.disk_mesh`` (an inner square, four
curved quadrilaterals inside and four outside the circle, eight rectangles), each the
Gordon–Hall image x(ξ, η) of [−1, 1]², split into ``panels`` × ``panels`` squares of the
reference square. On each

    ∫_element f dx = ∫∫ f(x(ξ, η)) |det ∂x/∂(ξ, η)| dξ dη ≈ Σ_ij w_i w_j |det J| f(x(ξ_i, η_j)),

the tensor Gauss–Legendre rule: V is constant on every element and the trial function is
smooth inside it, so the rule converges spectrally where a tensor rule across the circle is
first order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from qwpinn.reference.disk_mesh import DiskMesh, Macro

COMPLEX_STEP = 1e-20  # ∂x/∂ξ = Im x(ξ + ih)/h: no cancellation, exact to round-off


def disk_rule(potential: Any, nodes: int, panels: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nodes (N, 2), weights (N,) and cells (N,): ``nodes`` Gauss–Legendre nodes per axis on
    each of ``panels``² squares of every macro element of the disk ``potential.disk`` in
    ``potential.bounds``, one cell per square."""
    centre, radius, _, _ = potential.disk
    mesh = DiskMesh(potential.bounds, np.asarray(centre, dtype=float), float(radius))
    t, w = np.polynomial.legendre.leggauss(nodes)
    edges = np.linspace(-1.0, 1.0, panels + 1)
    s = (0.5 * (edges[1:] - edges[:-1])[:, None] * (t + 1.0) + edges[:-1, None]).ravel()
    ws = np.tile(0.5 * (edges[1] - edges[0]) * w, panels)
    xi, eta = (a.ravel() for a in np.meshgrid(s, s, indexing="ij"))
    weight = np.outer(ws, ws).ravel()
    panel = np.arange(s.size) // nodes
    square = (panel[:, None] * panels + panel[None, :]).ravel()
    points, weights, cells = [], [], []
    for index, macro in enumerate(mesh.macros):
        points.append(macro(xi, eta))
        weights.append(weight * np.abs(jacobian_determinant(macro, xi, eta)))
        cells.append(index * panels**2 + square)
    return np.concatenate(points), np.concatenate(weights), np.concatenate(cells)


def jacobian_determinant(macro: Macro, xi: np.ndarray, eta: np.ndarray) -> np.ndarray:
    """det ∂x/∂(ξ, η) of a macro element's map at (ξ, η) (m,), by complex steps (the map is
    analytic: segments and arcs)."""
    step = 1j * COMPLEX_STEP
    d_xi = np.imag(macro(xi + step, eta.astype(complex))) / COMPLEX_STEP
    d_eta = np.imag(macro(xi.astype(complex), eta + step)) / COMPLEX_STEP
    return d_xi[:, 0] * d_eta[:, 1] - d_xi[:, 1] * d_eta[:, 0]
