"""A sweep's summary: ``summary.csv``, ``summary.md`` and the figures, written into its folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from qwpinn.sweep.figures import (
    plot_energy_init,
    plot_error_vs_time,
    plot_levels_vs,
    swept_number,
)
from qwpinn.sweep.files import write_text_atomic
from qwpinn.sweep.records import collect
from qwpinn.sweep.summary import summarize
from qwpinn.sweep.tables import csv_text, markdown_table

SUMMARY_CSV = "summary.csv"
SUMMARY_MD = "summary.md"


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
    write_text_atomic(root / SUMMARY_CSV, csv_text(rows))
    write_text_atomic(root / SUMMARY_MD, table)
    if len({r["energy_init"] for r in records if r["energy_init"] is not None}) > 1:
        plot_energy_init(records, root)
    if len({r["config_key"] for r in records}) > 1:
        plot_error_vs_time(records, root)
    swept = swept_number(records) if records else None
    if swept is not None:
        plot_levels_vs(records, swept, root)
    if rows:
        print(table, end="", flush=True)
    else:
        print(f"qwpinn.sweep: no jobs found under {root}", flush=True)
    return rows
