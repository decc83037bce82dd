"""Summary statistics of a sweep: one row per configuration and state (success rate, error mean,
std and max, median wall time, levels reached, other statuses)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from typing import Any

#: Columns of ``summary.csv`` (and keys of each row returned by :func:`summarize`), in order.
SUMMARY_COLUMNS = (
    "config_key",
    "n",
    "jobs",
    "ok",
    "success_rate",
    "n_stats",
    "energy_mean",
    "energy_ref",
    "energy_rel_error_mean",
    "energy_rel_error_std",
    "energy_rel_error_max",
    "psi_l2_error_mean",
    "psi_l2_error_std",
    "psi_l2_error_max",
    "wall_time_s_median",
    "levels",
    "statuses",
)

_STAT_FIELDS = ("energy_rel_error", "psi_l2_error")


def _finite(values: Iterable[float | None]) -> list[float]:
    return [v for v in values if v is not None and math.isfinite(v)]


def _stats(values: list[float]) -> tuple[float | None, float | None, float | None]:
    """Mean, sample standard deviation (None for fewer than two values) and max."""
    if not values:
        return None, None, None
    std = statistics.stdev(values) if len(values) > 1 else None
    return statistics.fmean(values), std, max(values)


def summarize(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Aggregate :func:`collect` records into one row per ``(config_key, n)``.

    Keys of each row are :data:`SUMMARY_COLUMNS`. Choices:

    * ``jobs`` counts every job of the config, whatever its status; jobs without states
      (failed, missing) count towards every state ``n`` seen for that config, so
      ``success_rate = ok / jobs`` is per state. A config whose jobs have no states at all
      gets a single row with ``n=None``.
    * Error statistics (mean, sample std, max) cover every job whose value is finite, whatever
      its status: a ``wrong_state`` or ``diverged`` run that reported numbers is included, so a
      bad run is visible in the max rather than silently dropped. ``n_stats`` is the number of
      jobs with a finite ``energy_rel_error``. The std is None with fewer than two values.
    * ``wall_time_s_median`` is over all jobs of the group with a finite wall time.
    * ``statuses`` lists the non-``ok`` statuses with counts, e.g. ``"failed:1 missing:2"``.

    Rows are ordered by first appearance of the config in ``records`` and then by ``n``.
    """
    configs: dict[str, list[dict[str, Any]]] = {}
    for rec in records:
        configs.setdefault(rec["config_key"], []).append(rec)

    rows: list[dict[str, Any]] = []
    for key, recs in configs.items():
        ns = sorted({r["n"] for r in recs if r["n"] is not None}, key=lambda n: (str(type(n)), n))
        stateless = [r for r in recs if r["n"] is None]
        for n in ns or [None]:
            group = [r for r in recs if r["n"] == n] + (stateless if ns else [])
            rows.append(_summary_row(key, n, group))
    return rows


def _summary_row(key: str, n: Any, group: list[dict[str, Any]]) -> dict[str, Any]:
    jobs = len(group)
    ok = sum(r["status"] == "ok" for r in group)
    counts: dict[str, int] = {}
    for r in group:
        if r["status"] != "ok":
            counts[r["status"]] = counts.get(r["status"], 0) + 1
    row: dict[str, Any] = {
        "config_key": key,
        "n": n,
        "jobs": jobs,
        "ok": ok,
        "success_rate": ok / jobs if jobs else None,
        "n_stats": len(_finite(r["energy_rel_error"] for r in group)),
    }
    energies = _finite(r["energy"] for r in group)
    refs = _finite(r["energy_ref"] for r in group)
    row["energy_mean"] = statistics.fmean(energies) if energies else None
    row["energy_ref"] = refs[0] if refs else None
    for field in _STAT_FIELDS:
        mean, std, vmax = _stats(_finite(r[field] for r in group))
        row[f"{field}_mean"], row[f"{field}_std"], row[f"{field}_max"] = mean, std, vmax
    times = _finite(r["wall_time_s"] for r in group)
    row["wall_time_s_median"] = statistics.median(times) if times else None
    row["statuses"] = " ".join(f"{s}:{c}" for s, c in sorted(counts.items()))
    levels: dict[int, int] = {}
    for r in group:
        if isinstance(r.get("nearest_level"), int):
            levels[r["nearest_level"]] = levels.get(r["nearest_level"], 0) + 1
    row["levels"] = " ".join(f"E{level}:{c}" for level, c in sorted(levels.items()))
    return {col: row[col] for col in SUMMARY_COLUMNS}
