"""One axis of a tensor spectral-element mesh: elements (graded geometrically toward the cuts
where V jumps), GLL nodes, lumped weights and the stiffness ∫ φ_i' φ_j' of continuous Q_p."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from qwpinn.reference.gll import gll, lagrange_at


def element_edges(
    cuts: Sequence[float], graded: bool, layers: int, ratio: float, size: float
) -> np.ndarray:
    """Element edges from wall to wall: every cut is an edge, no element is longer than
    ``size``, and (``graded``) each side of an interior cut gets ``layers`` elements ending at
    distances d·ratio^j from it (d: to the interval's middle, or to its far wall)."""
    cuts = [float(c) for c in cuts]
    last = len(cuts) - 2
    edges = set(cuts)
    for i, (a, b) in enumerate(zip(cuts[:-1], cuts[1:], strict=True)):
        toward_a, toward_b = graded and i > 0, graded and i < last
        middle = 0.5 * (a + b)
        if toward_a and toward_b:
            parts = [(a, middle, a), (middle, b, b)]
        else:
            parts = [(a, b, a if toward_a else b if toward_b else None)]
        for start, stop, cut in parts:
            edges |= _graded(start, stop, cut, layers, ratio, size)
    return np.array(sorted(edges))


def _graded(
    a: float, b: float, cut: float | None, layers: int, ratio: float, size: float
) -> set[float]:
    """Edges inside [a, b]: ``layers`` geometric ones toward ``cut`` (a, b or None), then
    evenly spaced ones no farther apart than ``size``."""
    if cut is None:
        return _uniform(a, b, size)
    far = b if cut == a else a
    points = {cut + (far - cut) * ratio**j for j in range(1, layers + 1)}
    return points | {far} | _uniform(*sorted((cut + (far - cut) * ratio, far)), size)


def _uniform(a: float, b: float, size: float) -> set[float]:
    """The points splitting [a, b] into equal pieces no longer than ``size``, ends included."""
    count = max(1, math.ceil((b - a) / size - 1e-9))
    return set((a + (b - a) * np.arange(count + 1) / count).tolist())


class Axis:
    """Continuous Q_p on the elements between ``edges``: global nodes x (E·p + 1,), lumped GLL
    weights w (∫ f ≈ Σ w_i f(x_i)), stiffness S_ij = ∫ φ_i' φ_j' (exact), all walls included."""

    def __init__(self, edges: np.ndarray, p: int) -> None:
        self.edges, self.p = np.asarray(edges, dtype=float), p
        nodes, weights, derivative = gll(p)
        half = 0.5 * np.diff(self.edges)
        count = len(half)
        self.x = np.concatenate(
            [self.edges[:1]]
            + [
                (0.5 * (a + b) + h * nodes)[1:]
                for a, b, h in zip(edges[:-1], edges[1:], half, strict=True)
            ]
        )
        self.w = np.zeros(count * p + 1)
        self.stiffness = np.zeros((count * p + 1, count * p + 1))
        local = derivative.T @ (weights[:, None] * derivative)
        for e, h in enumerate(half):
            block = slice(e * p, e * p + p + 1)
            self.w[block] += h * weights
            self.stiffness[block, block] += local / h
        self.element_weights = half[:, None] * weights[None, :]  # (E, p + 1): each element's share

    @property
    def inner(self) -> slice:
        """The nodes off the walls (ψ = 0 on the walls)."""
        return slice(1, len(self.x) - 1)

    def basis_at(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For points t (m,): the first global node of each one's element (m,) and the p + 1
        Lagrange values there (m, p + 1)."""
        element = np.clip(np.searchsorted(self.edges, t, side="right") - 1, 0, len(self.edges) - 2)
        a, b = self.edges[element], self.edges[element + 1]
        reference = np.clip((2.0 * t - a - b) / (b - a), -1.0, 1.0)
        nodes = gll(self.p)[0]
        return element * self.p, lagrange_at(nodes, reference)

    def node_shares(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """V at a node, where V may jump, is the weighted mean over the elements touching it.
        Returns two shares (positions, weights), both (E·p + 1,): the element on each node's
        right (an edge node nudged into it) and on its left; their weights sum to w."""
        p, n = self.p, len(self.x)
        inward = 1e-9 * float(np.diff(self.edges).min())
        right, left = np.zeros(n), np.zeros(n)
        right[:-1] = self.element_weights[:, :p].ravel()
        left[p::p] = self.element_weights[:, p]
        at_right, at_left = self.x.copy(), self.x.copy()
        at_right[::p] += inward
        at_left[::p] -= inward
        return [(at_right, right), (at_left, left)]
