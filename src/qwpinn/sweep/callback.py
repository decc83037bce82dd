"""The Hydra callback of a multirun: a line per finished job, and the sweep summary at the end.

The only module of ``qwpinn.sweep`` that imports Hydra.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from hydra.core.utils import JobReturn
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from qwpinn.sweep.records import (
    RESULTS_FILE,
    as_float,
    config_key_from_overrides,
    seed_from_overrides,
)
from qwpinn.sweep.report import write_summary


def _job_line(config: DictConfig, job_return: JobReturn | None) -> str:
    """One-line report of a finished job, from its ``results.json`` when present."""
    num = OmegaConf.select(config, "hydra.job.num", default=None)
    out_dir = _run_dir(config)
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
    seed = data.get("seed", seed_from_overrides(overrides))
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
            value = as_float(s.get(field))
            if value is not None:
                parts.append(f"{label}={value:{fmt}}")
    wall = as_float(data.get("wall_time_s"))
    if wall is not None:
        parts.append(f"{wall:.1f}s")
    if data.get("error"):
        parts.append(str(data["error"]))
    return "  ".join(parts).splitlines()[0]


def _run_dir(config: DictConfig) -> Any:
    """Where the job wrote results.json: ``paths.output_dir`` (Hydra's run dir unless a
    ``paths.output_dir=`` override moved it)."""
    try:
        moved = OmegaConf.select(config, "paths.output_dir", default=None)
    except OmegaConfBaseException:  # the hydra resolver is gone outside the job's context
        moved = None
    return moved or OmegaConf.select(config, "hydra.runtime.output_dir", default=None)


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
              _target_: qwpinn.sweep.callback.SummaryCallback

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
