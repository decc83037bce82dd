"""Summary rows as text: the ``summary.csv`` body and the Markdown table."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from qwpinn.sweep.summary import SUMMARY_COLUMNS


def csv_text(rows: Sequence[dict[str, Any]]) -> str:
    """``summary.csv``: a header of :data:`SUMMARY_COLUMNS`, then one line per row (None empty)."""
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
