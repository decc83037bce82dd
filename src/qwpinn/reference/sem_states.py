"""Spectral-element states: the energy forms ∫ |∇u|² + V u², ∫ u² of nodal vectors (sums of
squares, free of the cancellation of uᵀ K u) and ψ at any points (N, d)."""

from __future__ import annotations

import numpy as np

from qwpinn.reference.gll import gll
from qwpinn.reference.sem_axis import Axis
from qwpinn.reference.tensor_eigen import apply_axis

CHUNK = 4096  # points per evaluation block of ElementStates


def energy_forms(
    axes: list[Axis], u: np.ndarray, v_inner: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """H_ab = Σ_k ∫ ∂_k u_a ∂_k u_b + Σ_nodes W V u_a u_b and M_ab = Σ_nodes W u_a u_b for the
    nodal vectors u (count, n_1, ..., n_d): GLL quadrature (exact for the gradient term)."""
    count = len(u)
    weights = [axis.w for axis in axes]
    stiffness = np.zeros((count, count))
    for k, axis in enumerate(axes):
        gradient = apply_axis(_derivative_matrix(axis), u, k + 1)
        scale = np.ones(())
        for j, w in enumerate(weights):
            scale = np.multiply.outer(scale, axis.element_weights.ravel() if j == k else w)
        rows = (gradient * np.sqrt(scale)).reshape(count, -1)
        stiffness += rows @ rows.T
    lumped = np.ones(())
    for w in weights:
        lumped = np.multiply.outer(lumped, w)
    rows = (u * np.sqrt(lumped)).reshape(count, -1)
    inner = u[(slice(None), *(axis.inner for axis in axes))].reshape(count, -1)
    inner_weight = lumped[tuple(axis.inner for axis in axes)].ravel()
    stiffness += (inner * inner_weight * v_inner.ravel()) @ inner.T
    return stiffness, rows @ rows.T


def _derivative_matrix(axis: Axis) -> np.ndarray:
    """u' at every element's own GLL points from the global nodal values: (E·(p + 1), n)."""
    p = axis.p
    derivative = gll(p)[2]
    half = 0.5 * np.diff(axis.edges)
    matrix = np.zeros((len(half) * (p + 1), len(axis.x)))
    for e, h in enumerate(half):
        matrix[e * (p + 1) : (e + 1) * (p + 1), e * p : e * p + p + 1] = derivative / h
    return matrix


class ElementStates:
    """ψ_n(x) = Σ u_n[i, j, ...] φ_i(x) φ_j(y) ...: each point's element, its Lagrange basis
    per axis; 0 outside the box. Each ψ is signed so that its largest nodal value is > 0."""

    def __init__(self, axes: list[Axis], u: np.ndarray) -> None:
        self.axes = axes
        flat = u.reshape(len(u), -1)
        signs = np.sign(flat[np.arange(len(u)), np.argmax(np.abs(flat), axis=1)])
        self.u = u * signs.reshape(-1, *(1,) * (u.ndim - 1))

    def __call__(self, n: int, points: np.ndarray) -> np.ndarray:
        out = np.zeros(len(points))
        for start in range(0, len(points), CHUNK):
            out[start : start + CHUNK] = self._block(self.u[n - 1], points[start : start + CHUNK])
        inside = np.all(
            [(points[:, k] > a.x[0]) & (points[:, k] < a.x[-1]) for k, a in enumerate(self.axes)],
            axis=0,
        )
        return np.where(inside, out, 0.0)

    def _block(self, u: np.ndarray, points: np.ndarray) -> np.ndarray:
        """Σ over each point's element of u times the product of the per-axis basis values."""
        indices, values = [], []
        for k, axis in enumerate(self.axes):
            first, basis = axis.basis_at(points[:, k])
            local = first[:, None] + np.arange(axis.p + 1)[None, :]
            shape = [len(points)] + [1] * len(self.axes)
            shape[k + 1] = axis.p + 1
            indices.append(local.reshape(shape))
            values.append(basis)
        gathered = u[tuple(indices)]  # (N, p+1, ..., p+1)
        for basis in reversed(values):
            gathered = np.einsum("n...i,ni->n...", gathered, basis)
        return gathered
