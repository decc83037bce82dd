"""Verdict of an ablation sweep: which variant beats the default at equal wall time, per seed.

    python scripts/train.py -m experiment=ablation hydra/launcher=joblib hydra.launcher.n_jobs=2 \\
        hydra.sweep.dir=multirun/ablation
    python benchmarks/ablation.py multirun/ablation [--out docs/ablation] [--allow-dirty]

For each potential and variant (ground state): the median final dE/E and wall time; how many
seeds reach dE/E ≤ 1e-4 within 120 s; and how many seeds beat the default at equal wall time,
i.e. the variant's error (from its ``energy_history.csv``) at the default run's final training
time for the same seed is below the default's final error. Copies the sweep's own summary
(``summary.md``, ``summary.csv``, ``error_vs_time.png``) next to ``verdict.md`` in ``--out``.
Both tables carry the provenance line of this command; every job of the sweep must have run
at the same commit (``environment.git_commit`` in its ``results.json``), else nothing is written.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import provenance  # noqa: E402

from qwpinn.lightning.callbacks import EnergyHistory  # noqa: E402
from qwpinn.sweep.records import collect  # noqa: E402
from qwpinn.sweep.report import write_summary  # noqa: E402

TARGET, BUDGET = 1e-4, 120.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweep_dir", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "ablation")
    provenance.add_option(parser)
    args = parser.parse_args()
    header = provenance.stamp(args.allow_dirty)
    _same_commit(args.sweep_dir, header)
    write_summary(args.sweep_dir)  # the sweep's own summary and plot, rebuilt
    args.out.mkdir(parents=True, exist_ok=True)
    for name in ("summary.csv", "error_vs_time.png"):
        shutil.copy(args.sweep_dir / name, args.out / name)
    summary = (args.sweep_dir / "summary.md").read_text()
    provenance.write(args.out / "summary.md", summary, header)
    runs: dict[tuple[str, str], dict[int, dict]] = {}
    for record in collect(args.sweep_dir):
        if record["n"] not in (None, 1):
            continue
        variant = _variant(record["config_key"])
        path = args.sweep_dir / record["path"] / "energy_history.csv"
        if record["energy_ref"] is not None and path.is_file():
            record["history"] = EnergyHistory.read(path, record["energy_ref"])
        runs.setdefault((str(record["potential"]), variant), {})[record["seed"]] = record
    lines = [
        "Ground state, per potential and variant over seeds. "
        f"'reach': seeds with dE/E ≤ {TARGET:g} "
        f"within {BUDGET:g} s. 'beats default': seeds whose error at the default run's final "
        "training time (same seed, from energy_history.csv) is below the default's final error.",
        "",
        "| potential | variant | ok/jobs | dE/E median | wall median [s] | reach | "
        "dE/E at default's time (median) | beats default |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (potential, variant), seeds in sorted(runs.items(), key=_order):
        default = runs.get((potential, "default"), {})
        lines.append(_row(potential, variant, seeds, default))
    text = "\n".join(lines)
    print(text)
    provenance.write(args.out / "verdict.md", text, header)


def _same_commit(sweep_dir: Path, header: str) -> None:
    """Exit unless every job under ``sweep_dir`` ran at the commit ``header`` names."""
    commit = provenance.HEADER.match(header)["commit"].removesuffix("+dirty")
    found = {
        json.loads(path.read_text()).get("environment", {}).get("git_commit") or "unknown"
        for path in sweep_dir.rglob("results.json")
    }
    if not found or any(not c.startswith(commit) for c in found):
        sys.exit(f"error: the sweep's jobs ran at {sorted(found) or 'no commit'}, not at {commit}")


def _variant(config_key: str) -> str:
    for part in config_key.split():
        if part.startswith("variant="):
            return part.split("=", 1)[1]
    return "default"


def _order(item: tuple[tuple[str, str], dict]) -> tuple:
    (potential, variant), _ = item
    return (potential, variant != "default", variant != "domain", variant)


def _row(potential: str, variant: str, seeds: dict[int, dict], default: dict[int, dict]) -> str:
    records = list(seeds.values())
    errors = [r["energy_rel_error"] for r in records if r["energy_rel_error"] is not None]
    walls = [r["wall_time_s"] for r in records if r["wall_time_s"] is not None]
    ok = sum(r["status"] == "ok" for r in records)
    reach = sum(
        (r["energy_rel_error"] or math.inf) <= TARGET and (r["wall_time_s"] or math.inf) <= BUDGET
        for r in records
    )
    at_default, beats = [], 0
    for seed, record in seeds.items():
        base = default.get(seed)
        if variant == "default" or not base or "history" not in base or "history" not in record:
            continue
        error = record["history"].error_at(base["history"].times[-1])
        at_default.append(error)
        beats += error < base["energy_rel_error"]
    versus = "-" if variant == "default" else f"{beats}/{len(at_default)}"
    at_text = f"{median(at_default):.1e}" if at_default else "-"
    return (
        f"| {potential} | {variant} | {ok}/{len(records)} | "
        f"{median(errors):.1e} | {median(walls):.1f} | {reach}/{len(records)} | {at_text} | "
        f"{versus} |"
    )


if __name__ == "__main__":
    main()
