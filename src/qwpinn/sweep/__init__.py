"""Collect and summarise the ``results.json`` files of a Hydra multirun sweep.

A sweep directory holds one run directory per job (``<sweep_dir>/<job_num>/``, possibly nested).
Each finished job wrote ``results.json``; a job that crashed before that may leave only
``.hydra/overrides.yaml`` and is counted with status ``"missing"``.

Modules: ``records`` (``collect``), ``summary`` (``summarize``), ``tables`` (CSV and Markdown),
``figures``, ``files`` (``write_text_atomic``), ``report`` (``write_summary``) and ``callback``
(``SummaryCallback``, the only one that imports Hydra). This package imports neither torch,
lightning nor hydra, so summarising is cheap; the callback is ``qwpinn.sweep.callback``.
"""

from __future__ import annotations

from qwpinn.sweep.figures import error_vs_time, plot_energy_init, plot_error_vs_time
from qwpinn.sweep.files import write_text_atomic
from qwpinn.sweep.records import (
    DEFAULTS_KEY,
    OVERRIDES_FILE,
    RECORD_FIELDS,
    RESULTS_FILE,
    collect,
    config_key_from_overrides,
)
from qwpinn.sweep.report import SUMMARY_CSV, SUMMARY_MD, write_summary
from qwpinn.sweep.summary import SUMMARY_COLUMNS, summarize
from qwpinn.sweep.tables import markdown_table

__all__ = [
    "DEFAULTS_KEY",
    "OVERRIDES_FILE",
    "RECORD_FIELDS",
    "RESULTS_FILE",
    "SUMMARY_COLUMNS",
    "SUMMARY_CSV",
    "SUMMARY_MD",
    "collect",
    "config_key_from_overrides",
    "error_vs_time",
    "markdown_table",
    "plot_energy_init",
    "plot_error_vs_time",
    "summarize",
    "write_summary",
    "write_text_atomic",
]
