"""Gauss–Lobatto–Legendre (GLL) points of degree p on [−1, 1] and their Lagrange basis: the
nodes, quadrature weights and derivative matrix of a spectral element."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.polynomial import legendre


@lru_cache(maxsize=32)
def gll(p: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nodes t_i (−1, roots of P_p', 1), weights w_i = 2/(p(p+1)P_p(t_i)²) (exact to degree
    2p − 1) and D_ij = ℓ_j'(t_i), the derivative of the Lagrange basis at the nodes."""
    coefficients = np.zeros(p + 1)
    coefficients[p] = 1.0
    inner = legendre.legroots(legendre.legder(coefficients))
    nodes = np.concatenate([[-1.0], np.sort(inner.real), [1.0]])
    p_at = legendre.legval(nodes, coefficients)
    weights = 2.0 / (p * (p + 1) * p_at**2)
    difference = nodes[:, None] - nodes[None, :]
    np.fill_diagonal(difference, 1.0)
    ratio = p_at[:, None] / p_at[None, :] / difference
    np.fill_diagonal(ratio, 0.0)
    ratio[0, 0], ratio[-1, -1] = -p * (p + 1) / 4.0, p * (p + 1) / 4.0
    for array in (nodes, weights, ratio):
        array.setflags(write=False)
    return nodes, weights, ratio


def lagrange_at(nodes: np.ndarray, t: np.ndarray) -> np.ndarray:
    """ℓ_j(t) for every t (m,) and node j: (m, p + 1), by the barycentric formula."""
    difference = t[:, None] - nodes[None, :]
    exact = np.isclose(difference, 0.0, atol=1e-15, rtol=0.0)
    difference[exact] = 1.0
    others = nodes[:, None] - nodes[None, :]
    np.fill_diagonal(others, 1.0)
    barycentric = 1.0 / np.prod(others, axis=1)
    terms = barycentric / difference
    values = terms / terms.sum(axis=1, keepdims=True)
    hit = exact.any(axis=1)
    values[hit] = exact[hit].astype(float)
    return values
