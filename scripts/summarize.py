"""Summarise a Hydra multirun sweep: write summary.csv and summary.md into it.

Usage: python scripts/summarize.py <sweep_dir>
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

try:
    from qwpinn.sweep.report import write_summary
except ImportError:  # running from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from qwpinn.sweep.report import write_summary


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, write the summary, return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweep_dir", type=Path, help="multirun directory holding the job dirs")
    args = parser.parse_args(argv)
    if not args.sweep_dir.is_dir():
        print(f"error: sweep directory not found: {args.sweep_dir}", file=sys.stderr)
        return 2
    write_summary(args.sweep_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
