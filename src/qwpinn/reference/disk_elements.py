"""Spectral elements whose faces follow the circle of a disk well: V is constant on every
element, so ψ is smooth inside each and p-convergence is exponential. Each macro element of
``disk_mesh`` is split into m × m elements of degree p (GLL nodes, lumped mass); the sparse
pencil K u = E M u is solved by shift-invert Lanczos below the lowest level."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix, diags
from scipy.sparse.linalg import eigsh

from qwpinn.reference.disk_mesh import DiskMesh
from qwpinn.reference.gll import gll, lagrange_at
from qwpinn.reference.nd_spectrum import NDSpectrum, degenerate_groups, frozen, through_last_group

DEGREE = 10  # p of the reported solution; the accuracy is measured against p − 2
DEGREE_STEP = 2
KH = 8.0  # element side · √(|V jump| + level scale) at most
GUARD_LEVELS = 4  # Lanczos: the levels asked for plus these
CHUNK = 32768


def disk_spectrum(potential: Any, n_states: int) -> NDSpectrum:
    """The lowest levels at degree p on the circle-following mesh, each with its relative
    change from degree p − 2 as the measured accuracy."""
    centre, radius, inside, outside = potential.disk
    mesh = DiskMesh(potential.bounds, np.asarray(centre, dtype=float), float(radius))
    levels = (n_states + GUARD_LEVELS) * float(np.sum((math.pi / potential.lengths) ** 2))
    split = max(1, math.ceil(mesh.longest_side() * math.sqrt(abs(outside - inside) + levels) / KH))
    count = n_states + GUARD_LEVELS
    while True:
        fine = DiskElements(mesh, (inside, outside), DEGREE, split)
        energies, vectors = fine.lowest(count)
        total = through_last_group(energies, n_states)
        if total < count:
            break
        count *= 2
    coarse, _ = DiskElements(mesh, (inside, outside), DEGREE - DEGREE_STEP, split).lowest(count)
    energies = energies[:total]
    accuracy = np.abs(energies - coarse[:total]) / np.abs(energies)
    frozen(energies, accuracy)
    states = DiskStates(fine, vectors[:, :total])
    return NDSpectrum(
        energies, accuracy, degenerate_groups(energies), "spectral_element", 2, states
    )


class DiskElements:
    """The discretization at degree p: node coordinates, the element → node map, K and M."""

    def __init__(self, mesh: DiskMesh, values: tuple[float, float], p: int, split: int) -> None:
        self.mesh, self.p, self.split = mesh, p, split
        self.v_min = min(values)
        nodes, weights, derivative = gll(p)
        local = (np.arange(split)[:, None] + 0.5 * (nodes[None, :] + 1.0)) * (2.0 / split) - 1.0
        coordinates, potential = [], []
        for macro in mesh.macros:
            for i in range(split):
                for j in range(split):
                    xi, eta = np.meshgrid(local[i], local[j], indexing="ij")
                    coordinates.append(macro(xi.ravel(), eta.ravel()).reshape(p + 1, p + 1, 2))
                    potential.append(values[0] if macro.inside else values[1])
        self.coordinates = np.array(coordinates)  # (E, p+1, p+1, 2)
        scale = float(np.max(np.abs(mesh.bounds)))
        keys = np.rint(self.coordinates.reshape(-1, 2) / (1e-9 * scale)).astype(np.int64)
        unique, self.node_of = np.unique(keys, axis=0, return_inverse=True)
        self.node_of = self.node_of.reshape(len(coordinates), p + 1, p + 1)
        self.points = np.zeros((len(unique), 2))
        self.points[self.node_of.ravel()] = self.coordinates.reshape(-1, 2)
        self.stiffness, self.mass = self._assemble(np.array(potential), weights, derivative)

    def _assemble(
        self, potential: np.ndarray, weights: np.ndarray, derivative: np.ndarray
    ) -> tuple[Any, np.ndarray]:
        """K = Σ_e Σ_q w_q |J| ∇φ_i·∇φ_j + V_e w_q |J| δ_ij, M = Σ_e w_q |J| δ_ij (GLL)."""
        n = self.p + 1
        eye = np.eye(n)
        d_xi, d_eta = np.kron(derivative, eye), np.kron(eye, derivative)  # on (a, b) flattened
        rows, cols, values, mass = [], [], [], np.zeros(len(self.points))
        w2 = np.outer(weights, weights).ravel()
        for element, xy in enumerate(self.coordinates):
            flat = xy.reshape(-1, 2)
            x_xi, x_eta = d_xi @ flat, d_eta @ flat  # (n², 2) local-coordinate derivatives
            det = x_xi[:, 0] * x_eta[:, 1] - x_xi[:, 1] * x_eta[:, 0]
            grad_x = (x_eta[:, 1:2] * d_xi - x_xi[:, 1:2] * d_eta) / det[:, None]
            grad_y = (-x_eta[:, 0:1] * d_xi + x_xi[:, 0:1] * d_eta) / det[:, None]
            weight = w2 * det
            block = grad_x.T @ (weight[:, None] * grad_x) + grad_y.T @ (weight[:, None] * grad_y)
            block += np.diag(potential[element] * weight)
            index = self.node_of[element].ravel()
            rows.append(np.repeat(index, n * n))
            cols.append(np.tile(index, n * n))
            values.append(block.ravel())
            np.add.at(mass, index, weight)
        size = len(self.points)
        stiffness = coo_matrix(
            (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))), (size, size)
        ).tocsr()
        return stiffness, mass

    def lowest(self, count: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``count`` lowest E and their u (nodes, count), Σ M u² = 1, 0 on the walls."""
        (a1, b1), (a2, b2) = self.mesh.bounds
        tolerance = 1e-12 * float(np.max(np.abs(self.mesh.bounds)) + 1.0)
        x, y = self.points[:, 0], self.points[:, 1]
        wall = (
            (np.abs(x - a1) < tolerance)
            | (np.abs(x - b1) < tolerance)
            | (np.abs(y - a2) < tolerance)
            | (np.abs(y - b2) < tolerance)
        )
        free = np.flatnonzero(~wall)
        stiffness = self.stiffness[free][:, free]
        mass = diags(self.mass[free])
        below = self.v_min - 1.0  # K − σM is positive definite: every E > min V
        energies, vectors = eigsh(stiffness, k=count, M=mass, sigma=below, which="LM")
        order = np.argsort(energies)
        u = np.zeros((len(self.points), count))
        u[free] = vectors[:, order]
        return energies[order], u


class DiskStates:
    """ψ_n at points (N, 2): each point's macro element and (ξ, η) there (Newton), its element
    of the m × m split and the Lagrange basis; each ψ signed so its largest nodal value is > 0."""

    def __init__(self, elements: DiskElements, u: np.ndarray) -> None:
        self.elements = elements
        signs = np.sign(u[np.argmax(np.abs(u), axis=0), np.arange(u.shape[1])])
        self.u = u * signs

    def __call__(self, n: int, points: np.ndarray) -> np.ndarray:
        out = np.zeros(len(points))
        for start in range(0, len(points), CHUNK):
            out[start : start + CHUNK] = self._block(
                self.u[:, n - 1], points[start : start + CHUNK]
            )
        (a1, b1), (a2, b2) = self.elements.mesh.bounds
        x, y = points[:, 0], points[:, 1]
        return np.where((x > a1) & (x < b1) & (y > a2) & (y < b2), out, 0.0)

    def _block(self, u: np.ndarray, points: np.ndarray) -> np.ndarray:
        elements, mesh = self.elements, self.elements.mesh
        split, p = elements.split, elements.p
        macro = mesh.locate(points)
        reference = np.zeros_like(points)
        for index in np.unique(macro):
            chosen = macro == index
            reference[chosen] = mesh.macros[index].inverse(points[chosen])
        scaled = 0.5 * (reference + 1.0) * split
        cell = np.clip(np.floor(scaled).astype(int), 0, split - 1)
        local = 2.0 * (scaled - cell) - 1.0
        element = (macro * split + cell[:, 0]) * split + cell[:, 1]
        nodes = gll(p)[0]
        along_xi, along_eta = lagrange_at(nodes, local[:, 0]), lagrange_at(nodes, local[:, 1])
        values = u[elements.node_of[element]]  # (N, p+1, p+1)
        return np.einsum("nab,na,nb->n", values, along_xi, along_eta)
