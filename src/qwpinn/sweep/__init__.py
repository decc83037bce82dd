"""Collect and summarise the ``results.json`` files of a Hydra multirun sweep.

A sweep directory holds one run directory per job (``<sweep_dir>/<job_num>/``, possibly nested).
Each finished job wrote ``results.json``; a job that crashed before that may leave only
``.hydra/overrides.yaml`` and is counted with status ``"missing"``.

This module deliberately imports neither torch nor lightning, so summarising is cheap.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import statistics
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from hydra.core.utils import JobReturn
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

RESULTS_FILE = "results.json"
OVERRIDES_FILE = Path(".hydra") / "overrides.yaml"
SUMMARY_CSV = "summary.csv"
SUMMARY_MD = "summary.md"
DEFAULTS_KEY = "(defaults)"

#: Keys of each record returned by :func:`collect`.
RECORD_FIELDS = (
    "config_key",
    "seed",
    "status",
    "error",
    "n",
    "energy",
    "energy_ref",
    "energy_rel_error",
    "psi_l2_error",
    "wall_time_s",
    "path",
    "potential",
    "energy_init",
    "nearest_level",
)

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


# --------------------------------------------------------------------------- collecting


def config_key_from_overrides(overrides: Iterable[str]) -> str:
    """Join the overrides that are not the seed (``seed=``, ``+seed=``, ...) with spaces."""
    kept = [o for o in overrides if not str(o).lstrip("+~").startswith("seed=")]
    return " ".join(str(o) for o in kept) if kept else DEFAULTS_KEY


def _seed_from_overrides(overrides: Iterable[str]) -> int | None:
    for o in overrides:
        key, _, value = str(o).lstrip("+~").partition("=")
        if key == "seed":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _read_overrides(job_dir: Path) -> list[str]:
    """Return the job's Hydra overrides, or ``[]`` if the file is absent or unreadable."""
    try:
        data = yaml.safe_load((job_dir / OVERRIDES_FILE).read_text())
    except (OSError, yaml.YAMLError):
        return []
    return [str(o) for o in data] if isinstance(data, list) else []


def _float(value: Any) -> float | None:
    """``value`` as a float, or None when absent or not a number (NaN/inf are kept)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _natural_key(path: str) -> list[Any]:
    """Sort key that puts job ``2`` before job ``10``."""
    return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", path)]


def _job_records(job_dir: Path, sweep_dir: Path) -> list[dict[str, Any]]:
    """Records of one job directory: one per state, or one with ``n=None`` if there are none."""
    rel = job_dir.relative_to(sweep_dir).as_posix()
    overrides = _read_overrides(job_dir)
    data: dict[str, Any] = {}
    results = job_dir / RESULTS_FILE
    if not results.is_file():
        status, error = "missing", None
    else:
        try:
            loaded = json.loads(results.read_text())
            if not isinstance(loaded, dict):
                raise ValueError("top level is not an object")
            data = loaded
            status, error = str(data.get("status", "unknown")), data.get("error")
        except (OSError, ValueError) as exc:  # JSONDecodeError is a ValueError
            status, error = "unreadable", f"{RESULTS_FILE}: {exc}"
    if isinstance(data.get("overrides"), list):
        overrides = [str(o) for o in data["overrides"]]
    key = data.get("config_key") or config_key_from_overrides(overrides)
    seed = data.get("seed", _seed_from_overrides(overrides))
    base = {
        "config_key": str(key),
        "seed": seed,
        "status": status,
        "error": None if error is None else str(error),
        "wall_time_s": _float(data.get("wall_time_s")),
        "path": rel,
        "energy_init": _float(data.get("energy_init")),
        "potential": data.get("potential"),
    }
    states = [s for s in data.get("states") or [] if isinstance(s, dict)]
    if not states:
        states = [{}]
    records = []
    for state in states:
        rec = dict.fromkeys(RECORD_FIELDS)
        rec.update(base)
        rec["n"] = state.get("n")
        rec["nearest_level"] = state.get("nearest_level")
        for field in ("energy", "energy_ref", "energy_rel_error", "psi_l2_error"):
            rec[field] = _float(state.get(field))
        records.append(rec)
    return records


def collect(sweep_dir: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read every job under ``sweep_dir`` (searched recursively) into flat records.

    A job is a directory holding ``results.json`` or ``.hydra/overrides.yaml``. Each record has
    the keys :data:`RECORD_FIELDS`; a job gives one record per entry of its ``states`` list (one
    record with ``n=None`` and no numbers when it has none, e.g. failed or missing jobs).
    ``path`` is the job directory relative to ``sweep_dir``. Records are in natural job order.
    Status is ``"missing"`` without ``results.json`` and ``"unreadable"`` if it is not valid JSON.
    """
    root = Path(sweep_dir)
    job_dirs = {p.parent for p in root.rglob(RESULTS_FILE) if p.is_file()}
    job_dirs |= {
        p.parent.parent for p in root.rglob(OVERRIDES_FILE.name) if p.parent.name == ".hydra"
    }
    records: list[dict[str, Any]] = []
    for job_dir in sorted(job_dirs, key=lambda d: _natural_key(d.relative_to(root).as_posix())):
        records.extend(_job_records(job_dir, root))
    return records


# --------------------------------------------------------------------------- summarising


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


# --------------------------------------------------------------------------- writing


def _csv_text(rows: Sequence[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(SUMMARY_COLUMNS)
    for row in rows:
        writer.writerow(["" if row[c] is None else row[c] for c in SUMMARY_COLUMNS])
    return buf.getvalue()


def _sci(value: float | None) -> str:
    return "-" if value is None else f"{value:.2e}"


def _fixed(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


_MD_HEADER = (
    "config",
    "n",
    "ok/jobs",
    "E mean",
    "E ref",
    "dE/E mean",
    "dE/E std",
    "dE/E max",
    "psi L2 mean",
    "psi L2 std",
    "psi L2 max",
    "time [s]",
    "levels",
    "other",
)


def markdown_table(rows: Sequence[dict[str, Any]]) -> str:
    """Markdown table of summary rows; errors in scientific notation (``1.23e-06``)."""
    lines = [
        "| " + " | ".join(_MD_HEADER) + " |",
        "|" + "|".join("---" for _ in _MD_HEADER) + "|",
    ]
    for r in rows:
        cells = [
            r["config_key"].replace("|", "\\|"),
            "-" if r["n"] is None else str(r["n"]),
            f"{r['ok']}/{r['jobs']}",
            _fixed(r["energy_mean"], 6),
            _fixed(r["energy_ref"], 6),
            _sci(r["energy_rel_error_mean"]),
            _sci(r["energy_rel_error_std"]),
            _sci(r["energy_rel_error_max"]),
            _sci(r["psi_l2_error_mean"]),
            _sci(r["psi_l2_error_std"]),
            _sci(r["psi_l2_error_max"]),
            _fixed(r["wall_time_s_median"], 1),
            r["levels"],
            r["statuses"],
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file next to ``path`` and move it into place."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_summary(sweep_dir: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Collect and summarise ``sweep_dir``; write ``summary.csv`` and ``summary.md`` into it.

    Both files are written atomically. The markdown table is printed to stdout (or a one-line
    note when no job was found, in which case the files hold only their header). Returns the
    rows of :func:`summarize`.
    """
    root = Path(sweep_dir)
    records = collect(root)
    rows = summarize(records)
    table = markdown_table(rows)
    write_text_atomic(root / SUMMARY_CSV, _csv_text(rows))
    write_text_atomic(root / SUMMARY_MD, table)
    if len({r["energy_init"] for r in records if r["energy_init"] is not None}) > 1:
        plot_energy_init(records, root)
    if len({r["config_key"] for r in records}) > 1:
        plot_error_vs_time(records, root)
    if rows:
        print(table, end="", flush=True)
    else:
        print(f"qwpinn.sweep: no jobs found under {root}", flush=True)
    return rows


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


# --------------------------------------------------------------------------- Hydra callback


def _job_line(config: DictConfig, job_return: JobReturn | None) -> str:
    """One-line report of a finished job, from its ``results.json`` when present."""
    num = OmegaConf.select(config, "hydra.job.num", default=None)
    out_dir = OmegaConf.select(config, "hydra.runtime.output_dir", default=None)
    overrides = OmegaConf.select(config, "hydra.overrides.task", default=None)
    overrides = list(overrides) if overrides is not None else []
    if not overrides and job_return is not None and job_return.overrides:
        overrides = list(job_return.overrides)
    data: dict[str, Any] = {}
    if out_dir is not None:
        try:
            loaded = json.loads((Path(str(out_dir)) / RESULTS_FILE).read_text())
            data = loaded if isinstance(loaded, dict) else {}
        except (OSError, ValueError):
            data = {}
    key = data.get("config_key") or config_key_from_overrides(overrides)
    seed = data.get("seed", _seed_from_overrides(overrides))
    prefix = f"[job {num if num is not None else '-'}] {key} seed={seed}:"
    if not data:
        status = "unknown"
        if job_return is not None:
            status = job_return.status.name.lower()
        line = f"{prefix} {status} (no {RESULTS_FILE})"
        exc = getattr(job_return, "_return_value", None)
        if isinstance(exc, BaseException):
            line += f"  {_one_line(exc)}"
        return line
    parts = [f"{prefix} {data.get('status', 'unknown')}"]
    states = [s for s in data.get("states") or [] if isinstance(s, dict)]
    if states:
        s = states[0]
        for label, field, fmt in (
            ("E", "energy", ".6f"),
            ("dE/E", "energy_rel_error", ".1e"),
            ("psi", "psi_l2_error", ".1e"),
        ):
            value = _float(s.get(field))
            if value is not None:
                parts.append(f"{label}={value:{fmt}}")
    wall = _float(data.get("wall_time_s"))
    if wall is not None:
        parts.append(f"{wall:.1f}s")
    if data.get("error"):
        parts.append(str(data["error"]))
    return "  ".join(parts).splitlines()[0]


def _one_line(exc: BaseException) -> str:
    """``Type: message`` of an exception, cut to its first line."""
    text = f"{type(exc).__name__}: {exc}"
    return text.splitlines()[0] if text.strip() else type(exc).__name__


class SummaryCallback(Callback):
    """Hydra callback: a line per finished job, and ``summary.csv``/``.md`` after a multirun.

    Register it in a primary config::

        hydra:
          callbacks:
            summary:
              _target_: qwpinn.sweep.SummaryCallback

    Neither hook ever raises: a failure prints one line to stderr.
    """

    def on_job_end(
        self, config: DictConfig, job_return: JobReturn | None = None, **kwargs: Any
    ) -> None:
        """Print one compact line about the job that just finished."""
        try:
            print(_job_line(config, job_return), flush=True)
        except Exception as exc:  # never mask the job's own result
            print(f"qwpinn.sweep: job report failed: {_one_line(exc)}", file=sys.stderr)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Write the summary of ``config.hydra.sweep.dir``."""
        try:
            sweep_dir = Path(str(config.hydra.sweep.dir))
            if not sweep_dir.is_absolute() and not sweep_dir.is_dir():
                cwd = OmegaConf.select(config, "hydra.runtime.cwd", default=None)
                if cwd is not None:
                    sweep_dir = Path(str(cwd)) / sweep_dir
            if not sweep_dir.is_dir():
                raise FileNotFoundError(f"sweep dir {sweep_dir} does not exist")
            write_summary(sweep_dir)
        except Exception as exc:  # a summary failure must not mask the sweep's results
            print(f"qwpinn.sweep: summary failed: {_one_line(exc)}", file=sys.stderr)
