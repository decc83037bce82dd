"""EnergyHistory: E[ψ] and its error at every step; the time until the error stays below a
threshold."""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np


class EnergyHistory:
    """Per-step energies of one state and their errors |E − E_ref|/E_ref against level n.

    ``energy`` is E[ψ] of the step's loss evaluation, ``energy_parameter`` the energy the
    model carries (equal to it with ``energy_update: rayleigh``; learned with ``gradient``),
    ``energy_check`` E[ψ] on the check rule where the step measured it (NaN elsewhere).
    """

    COLUMNS = (
        "step",
        "time_s",
        "energy",
        "energy_rel_error",
        "energy_parameter",
        "energy_parameter_rel_error",
        "energy_check",
        "energy_check_rel_error",
    )

    def __init__(self, energy_ref: float) -> None:
        self.energy_ref = float(energy_ref)
        self.steps: list[int] = []
        self.times: list[float] = []
        self.energies: list[float] = []
        self.parameters: list[float] = []
        self.checks: list[float] = []

    @classmethod
    def read(cls, path: Path, energy_ref: float) -> EnergyHistory:
        """The history a run wrote to ``path`` (an ``energy_history.csv``)."""
        history = cls(energy_ref)
        with Path(path).open() as handle:
            for row in csv.DictReader(handle):
                history.record(
                    int(row["step"]),
                    float(row["time_s"]),
                    float(row["energy"]),
                    float(row["energy_parameter"]),
                    float(row.get("energy_check") or math.nan),
                )
        return history

    def record(
        self, step: int, time_s: float, energy: float, parameter: float, check: float = math.nan
    ) -> None:
        self.steps.append(step)
        self.times.append(time_s)
        self.energies.append(energy)
        self.parameters.append(parameter)
        self.checks.append(check)

    def errors(self, column: str = "energy") -> np.ndarray:
        """|E − E_ref|/E_ref of ``column``: energy, parameter or check (NaN: not measured)."""
        values = {"energy": self.energies, "parameter": self.parameters, "check": self.checks}
        return np.abs(np.asarray(values[column]) - self.energy_ref) / abs(self.energy_ref)

    def verified(self) -> str:
        """The column a run's energy is judged by: the check rule's where any step measured it
        (a training rule can alias E[ψ] by more than the threshold), else E[ψ]."""
        return "check" if np.isfinite(np.asarray(self.checks, dtype=float)).any() else "energy"

    def time_to(
        self, thresholds: Sequence[float], column: str = "energy"
    ) -> dict[str, float | None]:
        """Seconds until the error stays below each threshold (None: not below at the end)."""
        return {
            f"{t:.0e}": time_to_stay_below(self.times, self.errors(column), t) for t in thresholds
        }

    def error_at(self, seconds: float, column: str = "energy") -> float:
        """The error of the last step recorded by ``seconds`` (NaN before the first step)."""
        last = int(np.searchsorted(np.asarray(self.times), seconds, side="right")) - 1
        return float(self.errors(column)[last]) if last >= 0 else math.nan

    def write(self, path: Path) -> None:
        """CSV with a header row ``COLUMNS``, one row per step."""
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = zip(
            self.steps,
            self.times,
            self.energies,
            self.errors("energy"),
            self.parameters,
            self.errors("parameter"),
            self.checks,
            self.errors("check"),
            strict=True,
        )
        lines = [",".join(self.COLUMNS)]
        lines += [
            f"{s},{t:.6f},{e!r},{de:.6e},{p!r},{dp:.6e},{c!r},{dc:.6e}"
            for s, t, e, de, p, dp, c, dc in rows
        ]
        path.write_text("\n".join(lines) + "\n")


def time_to_stay_below(
    times: Sequence[float], errors: Sequence[float], threshold: float
) -> float | None:
    """min t_k such that every error from step k on is < threshold; None if the last is not."""
    above = np.flatnonzero(~(np.asarray(errors) < threshold))  # NaN counts as above
    if not len(times) or (len(above) and above[-1] == len(times) - 1):
        return None
    return float(times[above[-1] + 1] if len(above) else times[0])
