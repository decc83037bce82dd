"""Reference spectra of  -ψ'' + V(x) ψ = E ψ  on a box [a, b],  ψ(a) = ψ(b) = 0,  ∫ψ² dx = 1.

Two independent solvers:

* ``exact`` (piecewise-constant V): in each piece ψ is a combination of cos/sin (E > V),
  growing/decaying exponentials (E < V) or a line (E = V). The n-th level is the root of the
  Prüfer angle θ(b; E) = nπ, which is continuous and strictly increasing in E, so every level
  is bracketed without a guess and found by ``brentq`` to full double precision. ψ is the null
  vector of the matching conditions (found by SVD in a basis bounded by 1 in every piece), so
  deep barriers neither overflow nor amplify round-off.
* ``finite_difference`` (any V): the 3-point Laplacian on a mesh that is uniform within each
  piece of V (nodes at every jump), V averaged over each node's cell, energies recomputed as
  Rayleigh quotients from differences (exact to round-off for the discrete vector) and
  Richardson-extrapolated in h² over meshes whose cells are halved each time.

In d = 2, 3 ``solve`` returns an ``NDSpectrum`` (``nd_solve``, ``nd_spectrum``): exact sums of
the 1D levels for separable V (``separable``), tensor spectral elements graded toward the cuts
of V otherwise (``spectral_elements``, ``sem_axis``, ``sem_states``, ``tensor_eigen``, ``gll``),
elements that follow the circle for a disk well (``disk_mesh``, ``disk_elements``, checked by
``bessel``); each level with its measured accuracy and its degenerate group.

Modules: ``spectrum`` (``Spectrum``, ``solve``), ``exact``, ``finite_difference`` (energies),
``fd_states`` (ψ from the meshes), ``sampling`` (output grid, sign convention), ``checks``.
Pure numpy/scipy: neither torch, lightning nor hydra is imported.
"""

from __future__ import annotations

from qwpinn.reference.checks import Piece
from qwpinn.reference.exact import exact_energies
from qwpinn.reference.finite_difference import finite_difference_energies
from qwpinn.reference.nd_solve import ND_METHODS
from qwpinn.reference.nd_spectrum import NDSpectrum
from qwpinn.reference.spectrum import METHODS, Evaluator, Spectrum, solve

__all__ = [
    "METHODS",
    "ND_METHODS",
    "NDSpectrum",
    "Evaluator",
    "Piece",
    "Spectrum",
    "exact_energies",
    "finite_difference_energies",
    "solve",
]
