"""What is solved: a box, V(x) and the kinetic coefficient c(x)."""

from qwpinn.problems.potentials import (
    Barrier,
    Expression,
    FiniteWell,
    InfiniteWell,
    PiecewiseConstant,
    Potential,
)

__all__ = ["Barrier", "Expression", "FiniteWell", "InfiniteWell", "PiecewiseConstant", "Potential"]
