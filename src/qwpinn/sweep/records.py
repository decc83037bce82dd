"""Records of a Hydra multirun: one per job and state, read from each job's ``results.json`` (or
its ``.hydra/overrides.yaml`` when the job crashed before writing results)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

RESULTS_FILE = "results.json"
OVERRIDES_FILE = Path(".hydra") / "overrides.yaml"
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


def config_key_from_overrides(overrides: Iterable[str]) -> str:
    """Join the overrides that are not the seed (``seed=``, ``+seed=``, ...) with spaces."""
    kept = [o for o in overrides if not str(o).lstrip("+~").startswith("seed=")]
    return " ".join(str(o) for o in kept) if kept else DEFAULTS_KEY


def seed_from_overrides(overrides: Iterable[str]) -> int | None:
    """The int given by a ``seed=`` override, or None when absent or not an integer."""
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


def as_float(value: Any) -> float | None:
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
    seed = data.get("seed", seed_from_overrides(overrides))
    base = {
        "config_key": str(key),
        "seed": seed,
        "status": status,
        "error": None if error is None else str(error),
        "wall_time_s": as_float(data.get("wall_time_s")),
        "path": rel,
        "energy_init": as_float(data.get("energy_init")),
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
            rec[field] = as_float(state.get(field))
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
