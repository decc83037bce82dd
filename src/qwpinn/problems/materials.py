"""Layer materials from a table (conf/materials/): compounds by name, and ternary alloys
A_xB_(1−x)C written as e.g. ``Al0.2Ga0.8As`` or ``Ga0.8Al0.2As``, each a band edge (meV) and an
effective mass m*/m0, both linear in x."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from qwpinn.errors import ConfigError

_ELEMENT_FRACTION = re.compile(r"([A-Z][a-z]?)(\d*\.?\d+)")


@dataclass(frozen=True)
class Material:
    """A layer's conduction-band edge ``v`` (meV) and effective mass ``mass`` (units of m0)."""

    v: float
    mass: float


def material(name: str, table: Mapping[str, Any]) -> Material:
    """The material ``name`` in ``table`` (``compounds`` by name; an ``alloys`` entry
    {elements: [A, B], anion: C, v: [v0, v1], mass: [m0, m1]} gives A_xB_(1−x)C with
    v = v0 + v1·x and m* = m0 + m1·x); a ConfigError listing what the table has otherwise."""
    compounds = dict(table.get("compounds") or {})
    if name in compounds:
        entry = compounds[name]
        return Material(float(entry["v"]), float(entry["mass"]))
    for alloy in (table.get("alloys") or {}).values():
        x = alloy_fraction(name, alloy)
        if x is not None:
            v0, v1 = (float(v) for v in alloy["v"])
            m0, m1 = (float(m) for m in alloy["mass"])
            return Material(v0 + v1 * x, m0 + m1 * x)
    known = [*compounds, *(_pattern(a) for a in (table.get("alloys") or {}).values())]
    raise ConfigError(
        "material", name, f"is not in potential.materials ({', '.join(known)}); or give v and mass"
    )


def alloy_fraction(name: str, alloy: Mapping[str, Any]) -> float | None:
    """x of ``name`` as the alloy A_xB_(1−x)C (either order of A and B), None if it is not one;
    a ConfigError when the fractions do not add to 1."""
    first, second = alloy["elements"]
    anion = str(alloy["anion"])
    if not name.endswith(anion):
        return None
    parts = _ELEMENT_FRACTION.findall(name[: -len(anion)])
    if "".join(f"{e}{f}" for e, f in parts) != name[: -len(anion)] or len(parts) != 2:
        return None
    fractions = {element: float(fraction) for element, fraction in parts}
    if set(fractions) != {first, second}:
        return None
    if not math.isclose(fractions[first] + fractions[second], 1.0, abs_tol=1e-9):
        raise ConfigError("material", name, f"fractions of {first} and {second} must add to 1")
    if not 0.0 <= fractions[first] <= 1.0:
        raise ConfigError("material", name, f"the fraction of {first} must lie in [0, 1]")
    return fractions[first]


def _pattern(alloy: Mapping[str, Any]) -> str:
    first, second = alloy["elements"]
    return f"{first}<x>{second}<1-x>{alloy['anion']}"
