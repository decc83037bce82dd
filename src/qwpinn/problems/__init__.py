"""What is solved: −∇·(c∇ψ) + Vψ = Eψ in a box of dimension 1, 2 or 3, ψ = 0 on its walls."""

from qwpinn.problems.base import Potential
from qwpinn.problems.box import Box
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
    "Expression",
    "FiniteWell",
    "InfiniteWell",
    "PiecewiseConstant",
    "Potential",
]
