"""qwpinn: physics-informed neural networks for the Schrödinger equation in quantum wells.

``qwpinn.solve("potential=finite_well", "n_states=4")`` runs the CLI's job from Python.
"""

from typing import Any


def solve(*overrides: str, **options: Any) -> Any:
    """``qwpinn.pipeline.solve.solve``: imported on first use, so that ``import qwpinn`` and
    its physics core load neither Lightning nor Hydra."""
    from qwpinn.pipeline.solve import solve as _solve

    return _solve(*overrides, **options)
