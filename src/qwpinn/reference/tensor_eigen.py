"""Lowest eigenpairs of A = Σ_k I ⊗ … ⊗ S_k ⊗ … ⊗ I + diag(v) (a Kronecker sum of dense 1D
matrices plus a diagonal) by block preconditioned conjugate gradients (LOBPCG), preconditioned
by the exact inverse of the Kronecker sum (fast diagonalization: S_k = Q_k Λ_k Q_kᵀ,
(Σ S_k + τ)⁻¹ = ⊗Q diag(1/(Σλ + τ)) ⊗Qᵀ)."""

from __future__ import annotations

import itertools

import numpy as np
from scipy.linalg import eigh

from qwpinn.errors import ConfigError

RESIDUAL = 1e-8  # ‖A y − θ y‖ / max(|θ|, 1) of unit vectors (θ's error ~ its square / gap)
STALL_STEPS = 5
STALL_RESIDUAL = 1e-5  # a stall counts as round-off only below this (above it: slow, go on)
ITERATIONS = 300
ORTHONORMAL_CUTOFF = 1e-16  # on squared singular values: directions below 1e-8 are dropped


def apply_axis(matrix: np.ndarray, block: np.ndarray, axis: int) -> np.ndarray:
    """``matrix`` applied along ``axis`` of ``block`` (the other axes untouched), as one
    batched product on the (before, n_axis, after) view."""
    shape = block.shape
    before, after = int(np.prod(shape[:axis])), int(np.prod(shape[axis + 1 :]))
    out = np.matmul(matrix, block.reshape(before, shape[axis], after))
    return out.reshape(*shape[:axis], matrix.shape[0], *shape[axis + 1 :])


class KroneckerSumProblem:
    """A = Σ_k S_k (along axis k) + diag(v) on arrays of shape ``dims`` (v ≥ 0 is assumed by
    the preconditioner's shift τ = mean v)."""

    def __init__(self, matrices: list[np.ndarray], v: np.ndarray) -> None:
        self.matrices = matrices
        self.dims = tuple(len(m) for m in matrices)
        self.v = v.reshape(self.dims)
        self.size = int(np.prod(self.dims))
        decomposed = [np.linalg.eigh(m) for m in matrices]
        self.lambdas = [values for values, _ in decomposed]
        self.vectors = [vectors for _, vectors in decomposed]
        total = np.zeros(())
        for values in self.lambdas:
            total = np.add.outer(total, values)
        self.inverse_sum = 1.0 / (total + float(self.v.mean()))

    def matmat(self, flat: np.ndarray) -> np.ndarray:
        """A Y for a block of columns Y (size, m)."""
        block = flat.reshape(*self.dims, -1)
        out = self.v[..., None] * block
        for axis, matrix in enumerate(self.matrices):
            out += apply_axis(matrix, block, axis)
        return out.reshape(self.size, -1)

    def precondition(self, flat: np.ndarray) -> np.ndarray:
        """(Σ_k S_k + τ)⁻¹ Y by fast diagonalization."""
        block = flat.reshape(*self.dims, -1)
        for axis, vectors in enumerate(self.vectors):
            block = apply_axis(vectors.T, block, axis)
        block = block * self.inverse_sum[..., None]
        for axis, vectors in enumerate(self.vectors):
            block = apply_axis(vectors, block, axis)
        return block.reshape(self.size, -1)

    def start(self, count: int) -> np.ndarray:
        """The ``count`` eigenvectors of Σ S_k with the lowest Σλ: products of 1D ones."""
        first = [range(min(count, len(values))) for values in self.lambdas]
        combos = sorted(
            itertools.product(*first),
            key=lambda c: sum(self.lambdas[k][i] for k, i in enumerate(c)),
        )[:count]
        columns = []
        for combo in combos:
            product = np.ones(())
            for vectors, i in zip(self.vectors, combo, strict=True):
                product = np.multiply.outer(product, vectors[:, i])
            columns.append(product.ravel())
        return np.stack(columns, axis=1)


def lowest_eigenpairs(problem: KroneckerSumProblem, count: int, wanted: int) -> np.ndarray:
    """Orthonormal columns (size, count) spanning the ``count`` lowest eigenvectors of A, by
    LOBPCG on an explicitly orthonormalized basis [X, T R, P] (A's stiff end, ~1e10, makes the
    raw Gram matrices singular). Stops when the ``wanted`` lowest residuals ‖A y − θ y‖ are below
    RESIDUAL · |θ|, or below STALL_RESIDUAL · |θ| and not halved in STALL_STEPS steps (round-off
    ~ eps·‖A‖ reached), or after ITERATIONS steps."""
    if count >= problem.size // 4:
        raise ConfigError("n_states", count, f"needs fewer than {problem.size // 4} states")
    x, ax, theta = _ritz(problem.start(count), problem)
    previous = None
    best: list[float] = []
    for _ in range(ITERATIONS):
        residual = ax - x * theta
        norms = np.linalg.norm(residual[:, :wanted], axis=0)
        worst = float(np.max(norms / np.maximum(np.abs(theta[:wanted]), 1.0)))
        best.append(worst)
        stalled = len(best) > STALL_STEPS and worst > 0.5 * min(best[:-STALL_STEPS])
        if worst < RESIDUAL or (stalled and worst < STALL_RESIDUAL):
            break
        blocks = [x, problem.precondition(residual)] + ([previous] if previous is not None else [])
        basis = _orthonormal(np.hstack(blocks))
        new_x, new_ax, theta = _ritz(basis, problem, count)
        previous = new_x - x @ (x.T @ new_x)
        x, ax = new_x, new_ax
    return x


def _orthonormal(block: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the columns' span (unit columns, then twice the eigenvectors of
    their Gram matrix); directions below ORTHONORMAL_CUTOFF of the largest are dropped."""
    basis = block / np.linalg.norm(block, axis=0)
    for _ in range(2):
        values, vectors = eigh(basis.T @ basis)
        keep = values > ORTHONORMAL_CUTOFF * values[-1]
        basis = basis @ (vectors[:, keep] / np.sqrt(values[keep]))
    return basis


def _ritz(
    basis: np.ndarray, problem: KroneckerSumProblem, count: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rayleigh–Ritz on an orthonormal basis: the ``count`` lowest Ritz vectors, A times them,
    and their Ritz values."""
    a_basis = problem.matmat(basis)
    small = basis.T @ a_basis
    values, mix = eigh(0.5 * (small + small.T))
    keep = slice(0, count if count is not None else basis.shape[1])
    return basis @ mix[:, keep], a_basis @ mix[:, keep], values[keep]
