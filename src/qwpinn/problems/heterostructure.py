"""Semiconductor layer stacks in nm and meV: −d/dx (ħ²/2m*(x) dψ/dx) + V(x)ψ = Eψ.

V is each layer's conduction-band edge plus e·F·(x − x_c) for a uniform field F (x_c the
stack's centre), and c(x) = ħ²/(2m0) / (m*/m0) is the kinetic coefficient of the problem's
−(cψ')' (``mass_model='bdd'``: BenDaniel–Duke, ψ and cψ' continuous at every interface; or
``'constant'``: one mass everywhere). ψ = 0 at the outer faces of the first and last layer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from qwpinn.errors import ConfigError, finite_number, integer_at_least, one_of
from qwpinn.problems.materials import Material, material
from qwpinn.problems.potentials import PiecewiseConstant, step_at

HBAR2_OVER_2M0 = 38.0998  # ħ²/(2m0) in meV·nm² (0.0380998 eV·nm², CODATA 2018)
MEV_PER_NM_PER_KV_CM = 0.1  # e·F for F = 1 kV/cm = 1e-4 V/nm: 0.1 meV per nm
HC_MEV_UM = 1239.84198  # h·c in meV·µm: a photon of E meV has λ = hc/E µm
MASS_MODELS = ("bdd", "constant")


class Heterostructure(PiecewiseConstant):
    """A stack of layers ``[{material: GaAs, width: 10}, {width: 30, v: 167.1, mass: 0.0836}, ...]``
    (widths in nm, band edges v in meV, masses in m0) from x = 0; the stack is ``layers[0]``,
    the period ``layers[1:-1]`` ``repeat`` times, then ``layers[-1]`` (neighbours of one material
    join: [B25, B5, W10] × 4 + [B30] is a symmetric 4-well superlattice with 30 nm caps).
    ``field`` in kV/cm. Energies in meV, lengths in nm."""

    name, unit, length_unit = "heterostructure", "meV", "nm"

    def __init__(
        self,
        layers: Sequence[Mapping[str, Any]],
        repeat: int,
        materials: Mapping[str, Any],
        mass_model: str,
        mass: float | None,
        field: float,
        energy: str,
    ) -> None:
        stack = _stack(layers, integer_at_least("repeat", repeat))
        self.mass_model = one_of("mass_model", mass_model, MASS_MODELS)
        if self.mass_model == "constant":
            allowed = "must be a number > 0 (m*/m0) with mass_model=constant"
            self.mass = finite_number("mass", mass, allowed)
            if self.mass <= 0.0:
                raise ConfigError("mass", mass, allowed)
        elif mass is not None:
            raise ConfigError("mass", mass, "is used with mass_model=constant only: set it null")
        self.field = finite_number("field", field, "must be a finite number (kV/cm)")
        found = [(width, _layer_material(i, layer, materials)) for i, (width, layer) in stack]
        self.layers = _merged(found, self.mass_model)
        pieces = [[x0, x1, m.v] for x0, x1, m in self.layers]
        super().__init__([0.0, self.layers[-1][1]], pieces, energy, 0.0)
        if self.field:
            self.pieces = None  # V is linear in each layer: the reference is finite differences
        self.centre = 0.5 * self.layers[-1][1]
        self.masses = [self._mass_of(m) for _, _, m in self.layers]

    def _mass_of(self, layer: Material) -> float:
        return self.mass if self.mass_model == "constant" else layer.mass

    def v_of(self, x: Any) -> Any:
        """Band edge of the layer at x plus e·F·(x − x_c), in meV."""
        tilt = MEV_PER_NM_PER_KV_CM * self.field
        return super().v_of(x) + tilt * (x - self.centre)

    def c_of(self, x: Any) -> Any:
        """c = ħ²/(2m0) / (m*/m0) of the layer at x, in meV·nm²."""
        c = 0.0 * x + HBAR2_OVER_2M0 / self.masses[0]
        for (x0, _, _), before, after in zip(
            self.layers[1:], self.masses[:-1], self.masses[1:], strict=True
        ):
            c = c + HBAR2_OVER_2M0 * (1.0 / after - 1.0 / before) * step_at(x, x0)
        return c

    @property
    def c_min(self) -> float:
        return HBAR2_OVER_2M0 / max(self.masses)

    def mean(self) -> float:
        """(1/L) ∫ V dx: the band edges' mean (the field's tilt averages to 0 about x_c)."""
        return sum((x1 - x0) * m.v for x0, x1, m in self.layers) / self.length

    @staticmethod
    def wavelength_um(energy: float) -> float:
        """λ = hc/ΔE in µm of a photon of ``energy`` meV (an intersubband transition)."""
        return HC_MEV_UM / energy


def _stack(layers: Any, repeat: int) -> list[tuple[int, tuple[float, Mapping[str, Any]]]]:
    """(index in ``layers``, (width, layer)) of every layer of the stack, in order."""
    if isinstance(layers, (str, Mapping)) or not isinstance(layers, Sequence) or not layers:
        raise ConfigError("layers", layers, "must be a non-empty list of {material|v,mass, width}")
    checked = []
    for i, layer in enumerate(layers):
        if not isinstance(layer, Mapping) or "width" not in layer:
            raise ConfigError(
                f"layers[{i}]",
                layer,
                "must be {material: GaAs, width: 10} or {width: 10, v: 167.1, mass: 0.0836}",
            )
        width = finite_number(f"layers[{i}].width", layer["width"], "must be a number > 0 (nm)")
        if width <= 0.0:
            raise ConfigError(f"layers[{i}].width", layer["width"], "must be a number > 0 (nm)")
        checked.append((i, (width, layer)))
    return checked[:1] + checked[1:-1] * repeat + checked[-1:] if len(checked) > 1 else checked


def _layer_material(i: int, layer: Mapping[str, Any], table: Mapping[str, Any]) -> Material:
    """The layer's band edge and mass: from the table by ``material``, or its own v and mass."""
    keys = set(layer) - {"width"}
    if keys == {"material"}:
        try:
            return material(str(layer["material"]), table)
        except ConfigError as err:
            raise err.under(f"layers[{i}]") from None
    if keys == {"v", "mass"}:
        v = finite_number(f"layers[{i}].v", layer["v"], "must be a finite number (meV)")
        mass = finite_number(f"layers[{i}].mass", layer["mass"], "must be a number > 0 (m0)")
        if mass <= 0.0:
            raise ConfigError(f"layers[{i}].mass", layer["mass"], "must be a number > 0 (m0)")
        return Material(v, mass)
    raise ConfigError(f"layers[{i}]", dict(layer), "needs width and either material or v and mass")


def _merged(
    layers: Sequence[tuple[float, Material]], mass_model: str
) -> list[tuple[float, float, Material]]:
    """(x0, x1, material) from x = 0, neighbours with the same band edge (and, BenDaniel–Duke,
    the same mass) joined: V and c jump only between the pieces left."""
    out: list[tuple[float, float, Material]] = []
    x = 0.0
    for width, layer in layers:
        same = out and out[-1][2].v == layer.v
        if same and (mass_model == "constant" or out[-1][2].mass == layer.mass):
            out[-1] = (out[-1][0], x + width, layer)
        else:
            out.append((x, x + width, layer))
        x += width
    return out
