"""Lowest eigenpairs of A = Σ_k I ⊗ … ⊗ S_k ⊗ … ⊗ I + diag(v) (a Kronecker sum of dense 1D
matrices plus a diagonal) by LOBPCG, preconditioned by the exact inverse of the Kronecker sum
(fast diagonalization: S_k = Q_k Λ_k Q_kᵀ, (Σ S_k + τ)⁻¹ = ⊗Q diag(1/(Σλ + τ)) ⊗Qᵀ)."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
from scipy.sparse.linalg import LinearOperator, lobpcg

from qwpinn.errors import ConfigError

LOBPCG_TOLERANCE = 1e-7  # residual ‖A y − μ y‖ of unit vectors (μ errors ~ its square / gap)
LOBPCG_ITERATIONS = 400


def apply_axis(matrix: np.ndarray, block: np.ndarray, axis: int) -> np.ndarray:
    """``matrix`` applied along ``axis`` of ``block`` (the other axes untouched)."""
    return np.moveaxis(np.tensordot(matrix, block, axes=([1], [axis])), 0, axis)


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


def lowest_eigenpairs(problem: KroneckerSumProblem, count: int) -> np.ndarray:
    """Orthonormal columns (size, count) spanning the ``count`` lowest eigenvectors of A."""
    if count >= problem.size // 4:
        raise ConfigError("n_states", count, f"needs fewer than {problem.size // 4} states")
    operator = LinearOperator(
        (problem.size, problem.size), matvec=problem.matmat, matmat=problem.matmat, dtype=float
    )
    preconditioner = LinearOperator(
        (problem.size, problem.size),
        matvec=problem.precondition,
        matmat=problem.precondition,
        dtype=float,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence is measured by the caller (p-refinement)
        _, vectors = lobpcg(
            operator,
            problem.start(count),
            M=preconditioner,
            tol=LOBPCG_TOLERANCE,
            maxiter=LOBPCG_ITERATIONS,
            largest=False,
        )
    return np.linalg.qr(vectors)[0]
