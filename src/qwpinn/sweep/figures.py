"""Figures of a sweep: final against initial energy, and error against wall time per configuration;
each saved as PNG and as a TensorBoard image (matplotlib and torch are imported when drawing)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qwpinn.sweep.records import DEFAULTS_KEY


def plot_energy_init(records: Sequence[dict[str, Any]], sweep_dir: Path) -> Path:
    """Final energy against initial energy, one marker per job and the reference levels.

    Written as ``init_sensitivity.png`` in the sweep dir and as a TensorBoard image under
    ``<sweep_dir>/tensorboard_summary`` (so ``tensorboard --logdir <sweep_dir>`` shows it).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6, 4.5))
    potentials: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        if r["energy_init"] is not None and r["energy"] is not None and r["n"] in (None, 1):
            potentials.setdefault(str(r["potential"]), []).append(r)
    for index, (name, group) in enumerate(sorted(potentials.items())):
        color = f"C{index % 10}"
        axis.scatter(
            [r["energy_init"] for r in group],
            [r["energy"] for r in group],
            color=color,
            label=name,
            s=18,
        )
        for ref in {r["energy_ref"] for r in group if r["energy_ref"] is not None}:
            axis.axhline(ref, color=color, lw=0.8, ls=":")
    axis.set_xlabel("initial energy E₀")
    axis.set_ylabel("final energy E[ψ]")
    axis.legend(fontsize=7)
    return _save_figure(figure, sweep_dir, "init_sensitivity")


def error_vs_time(records: Sequence[dict[str, Any]]) -> dict[str, dict[str, tuple[float, float]]]:
    """{potential: {label: (median wall time, median dE/E)}} over the ground-state records of
    each configuration; the label is the config key without its potential and without the
    overrides every configuration shares."""
    keys = [set(r["config_key"].split(" ")) for r in records]
    shared = set.intersection(*keys) if len(keys) > 1 else set()
    groups: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for r in records:
        if r["n"] in (None, 1) and r["energy_rel_error"] is not None and r["wall_time_s"]:
            parts = [
                o
                for o in r["config_key"].split(" ")
                if not o.startswith("potential=") and o not in shared
            ]
            label = " ".join(parts) or DEFAULTS_KEY
            groups.setdefault(str(r["potential"]), {}).setdefault(label, []).append(r)
    return {
        potential: {
            label: (
                statistics.median(r["wall_time_s"] for r in group),
                statistics.median(r["energy_rel_error"] for r in group),
            )
            for label, group in sorted(configs.items())
        }
        for potential, configs in sorted(groups.items())
    }


def plot_error_vs_time(records: Sequence[dict[str, Any]], sweep_dir: Path) -> Path:
    """:func:`error_vs_time` drawn on log axes, one panel per potential, points labelled.

    Written as ``error_vs_time.png`` in the sweep dir and as a TensorBoard image.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = error_vs_time(records)
    panels = max(1, len(points))
    figure, axes = plt.subplots(1, panels, figsize=(6 * panels, 5), squeeze=False)
    for axis, (potential, configs) in zip(axes[0], points.items(), strict=False):
        for index, (label, (time, error)) in enumerate(configs.items()):
            axis.scatter([time], [max(error, 1e-16)], color=f"C{index % 10}", s=24)
            axis.annotate(label, (time, max(error, 1e-16)), fontsize=6)
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_title(potential)
        axis.set_xlabel("median wall time per run [s]")
        axis.set_ylabel("median relative energy error")
    return _save_figure(figure, sweep_dir, "error_vs_time")


def swept_number(records: Sequence[dict[str, Any]]) -> str | None:
    """The one override key whose value varies across the records and is a number in all of
    them (``potential.field`` in a Stark sweep), or None."""
    values: dict[str, set[str]] = {}
    for r in records:
        for override in r["config_key"].split(" "):
            key, sep, value = override.lstrip("+").partition("=")
            if sep:
                values.setdefault(key, set()).add(value)
    varying = [k for k, v in values.items() if len(v) > 1 and all(_is_number(x) for x in v)]
    return varying[0] if len(varying) == 1 else None


def plot_levels_vs(records: Sequence[dict[str, Any]], key: str, sweep_dir: Path) -> Path:
    """Every state's trained E (markers) and reference E (lines) against the swept ``key``:
    ``levels_vs_<key>.png`` (e.g. the Stark shift E_n(F)) and a TensorBoard image."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    levels: dict[int, list[tuple[float, float, float]]] = {}
    for r in records:
        value = next(
            (
                o.split("=", 1)[1]
                for o in r["config_key"].split(" ")
                if o.lstrip("+").startswith(f"{key}=")
            ),
            None,
        )
        if value is not None and r["energy"] is not None and r["energy_ref"] is not None:
            levels.setdefault(int(r["n"] or 1), []).append(
                (float(value), r["energy"], r["energy_ref"])
            )
    figure, axis = plt.subplots(figsize=(6, 4.5))
    for n, points in sorted(levels.items()):
        points.sort()
        color = f"C{(n - 1) % 10}"
        axis.plot([p[0] for p in points], [p[2] for p in points], "-", color=color, lw=1)
        axis.plot(
            [p[0] for p in points], [p[1] for p in points], "o", color=color, ms=4, label=f"E_{n}"
        )
    axis.set_xlabel(key)
    axis.set_ylabel("E (markers: PINN, lines: reference)")
    axis.legend(fontsize=7)
    return _save_figure(figure, sweep_dir, f"levels_vs_{key.replace('.', '_')}")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _save_figure(figure: Any, sweep_dir: Path, name: str) -> Path:
    """``<sweep_dir>/<name>.png`` and the same image in ``<sweep_dir>/tensorboard_summary``."""
    import matplotlib.pyplot as plt

    figure.tight_layout()
    path = sweep_dir / f"{name}.png"
    figure.savefig(path, dpi=120)
    try:
        from torch.utils.tensorboard import SummaryWriter

        with SummaryWriter(str(sweep_dir / "tensorboard_summary")) as writer:
            writer.add_figure(name, figure)
    except ImportError:  # pragma: no cover - torch is a dependency of the package
        pass
    plt.close(figure)
    return path
