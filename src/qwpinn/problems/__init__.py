"""What is solved: −∇·(c∇ψ) + Vψ = Eψ in a box of dimension 1, 2 or 3, ψ = 0 on its walls."""

from qwpinn.problems.base import Potential
from qwpinn.problems.box import Box
from qwpinn.problems.classics import DiskWell, EmptyBox, Oscillator
from qwpinn.problems.grid import GridPotential
from qwpinn.problems.potentials import (
    Barrier,
    Expression,
    FiniteWell,
    InfiniteWell,
    PiecewiseConstant,
)

__all__ = [
    "Barrier",
    "Box",
    "DiskWell",
    "EmptyBox",
    "Expression",
    "FiniteWell",
    "GridPotential",
    "InfiniteWell",
    "Oscillator",
    "PiecewiseConstant",
    "Potential",
]
