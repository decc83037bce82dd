"""Tests of qwpinn.sweep on handwritten fake sweep directories (no training involved)."""

from __future__ import annotations

import csv
import json
import math
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hydra.core.utils import JobReturn, JobStatus
from hydra.utils import instantiate
from omegaconf import OmegaConf

from qwpinn import sweep
from qwpinn.sweep.callback import SummaryCallback
from qwpinn.sweep.records import collect
from qwpinn.sweep.report import write_summary
from qwpinn.sweep.summary import SUMMARY_COLUMNS, summarize

ROOT = Path(__file__).resolve().parents[1]
WELL = "potential=finite_well"
BARRIER = "potential=barrier energy_init=20"
E_WELL = 19.95481891118997
E_BARRIER = 23.948885


def _job(
    sweep_dir: Path,
    name: str,
    overrides: list[str],
    status: str | None = "ok",
    states: list[dict[str, Any]] | None = None,
    wall: float = 10.0,
    error: str | None = None,
    config_key: bool = True,
) -> Path:
    """Write a fake job dir; ``status=None`` leaves only .hydra/overrides.yaml (crashed job)."""
    job = sweep_dir / name
    (job / ".hydra").mkdir(parents=True)
    (job / ".hydra" / "overrides.yaml").write_text("".join(f"- {o}\n" for o in overrides))
    if status is None:
        return job
    seed = next(int(o.split("=")[1]) for o in overrides if o.startswith("seed="))
    data: dict[str, Any] = {
        "status": status,
        "potential": overrides[0].split("=")[1],
        "seed": seed,
        "steps": 1500,
        "wall_time_s": wall,
        "overrides": overrides,
        "states": states or [],
    }
    if config_key:
        data["config_key"] = sweep.config_key_from_overrides(overrides)
    if error is not None:
        data["error"] = error
    (job / "results.json").write_text(json.dumps(data))
    return job


def _state(n: int, e_ref: float, rel: float, psi: float) -> dict[str, Any]:
    return {
        "n": n,
        "energy": e_ref * (1 + rel),
        "energy_ref": e_ref,
        "energy_rel_error": rel,
        "psi_l2_error": psi,
    }


WELL_REL = [1e-9, 3e-9, 2e-9]
WELL_PSI = [1e-6, 4e-6, 2e-6]
WELL_WALL = [10.0, 12.0, 11.0, 1.0]
BARRIER_REL = [5e-8, 7e-8, 3e-2]  # the last one is the wrong_state run
BARRIER_PSI = [2e-5, 4e-5, 1.2]


@pytest.fixture
def sweep_dir(tmp_path: Path) -> Path:
    """Two configs: 3 ok + 1 failed; 2 ok + 1 missing + 1 wrong_state (one job nested)."""
    d = tmp_path / "multirun"
    for i, (rel, psi) in enumerate(zip(WELL_REL, WELL_PSI, strict=True)):
        _job(
            d, str(i), [WELL, f"seed={i}"], states=[_state(1, E_WELL, rel, psi)], wall=WELL_WALL[i]
        )
    _job(d, "3", [WELL, "seed=3"], status="failed", error="RuntimeError: boom", wall=1.0)
    barrier = BARRIER.split()
    _job(
        d, "4", [*barrier, "seed=0"], states=[_state(1, E_BARRIER, BARRIER_REL[0], BARRIER_PSI[0])]
    )
    state = _state(1, E_BARRIER, BARRIER_REL[1], BARRIER_PSI[1])
    _job(d, "5", [barrier[0], "seed=1", barrier[1]], states=[state], wall=30.0, config_key=False)
    _job(d, "6", [*barrier, "seed=2"], status=None)
    state = _state(1, E_BARRIER, BARRIER_REL[2], BARRIER_PSI[2])
    _job(d, "nested/10", [*barrier, "seed=3"], status="wrong_state", states=[state], wall=20.0)
    return d


def test_collect_records(sweep_dir: Path) -> None:
    records = collect(sweep_dir)
    assert [r["path"] for r in records] == ["0", "1", "2", "3", "4", "5", "6", "nested/10"]
    assert all(set(r) == set(sweep.RECORD_FIELDS) for r in records)
    by_path = {r["path"]: r for r in records}
    assert by_path["3"]["status"] == "failed"
    assert by_path["3"]["error"] == "RuntimeError: boom"
    assert by_path["3"]["n"] is None and by_path["3"]["energy_rel_error"] is None
    missing = by_path["6"]
    assert missing["status"] == "missing"
    assert missing["config_key"] == BARRIER and missing["seed"] == 2
    assert missing["wall_time_s"] is None
    # config_key rebuilt from the overrides when results.json lacks it (seed dropped, order kept)
    assert by_path["5"]["config_key"] == BARRIER
    assert by_path["1"]["seed"] == 1 and by_path["1"]["energy_rel_error"] == WELL_REL[1]
    assert by_path["1"]["energy_ref"] == E_WELL


def test_summarize_groups_counts_and_stats(sweep_dir: Path) -> None:
    rows = summarize(collect(sweep_dir))
    assert [(r["config_key"], r["n"]) for r in rows] == [(WELL, 1), (BARRIER, 1)]
    assert all(list(r) == list(SUMMARY_COLUMNS) for r in rows)
    well, barrier = rows

    assert (well["jobs"], well["ok"], well["n_stats"]) == (4, 3, 3)
    assert well["success_rate"] == pytest.approx(0.75)
    assert well["energy_rel_error_mean"] == pytest.approx(statistics.fmean(WELL_REL))
    assert well["energy_rel_error_std"] == pytest.approx(statistics.stdev(WELL_REL))
    assert well["energy_rel_error_max"] == pytest.approx(max(WELL_REL))
    assert well["psi_l2_error_mean"] == pytest.approx(statistics.fmean(WELL_PSI))
    assert well["psi_l2_error_max"] == pytest.approx(max(WELL_PSI))
    assert well["wall_time_s_median"] == pytest.approx(statistics.median(WELL_WALL))
    assert well["energy_ref"] == E_WELL
    assert well["statuses"] == "failed:1"

    # the wrong_state run counts against success but its numbers enter the statistics
    assert (barrier["jobs"], barrier["ok"], barrier["n_stats"]) == (4, 2, 3)
    assert barrier["success_rate"] == pytest.approx(0.5)
    assert barrier["energy_rel_error_mean"] == pytest.approx(statistics.fmean(BARRIER_REL))
    assert barrier["energy_rel_error_max"] == pytest.approx(3e-2)
    assert barrier["psi_l2_error_max"] == pytest.approx(1.2)
    assert barrier["wall_time_s_median"] == pytest.approx(20.0)
    assert barrier["statuses"] == "missing:1 wrong_state:1"


def test_summarize_multiple_states(tmp_path: Path) -> None:
    d = tmp_path / "sweep"
    for seed in (0, 1):
        states = [_state(1, 1.0, 1e-6 * (seed + 1), 1e-4), _state(2, 4.0, 1e-5, 2e-4 * (seed + 1))]
        _job(d, str(seed), ["potential=harmonic", f"seed={seed}"], states=states)
    _job(d, "2", ["potential=harmonic", "seed=2"], status="diverged")
    rows = summarize(collect(d))
    assert [(r["config_key"], r["n"], r["jobs"], r["ok"]) for r in rows] == [
        ("potential=harmonic", 1, 3, 2),
        ("potential=harmonic", 2, 3, 2),
    ]
    assert rows[0]["energy_rel_error_max"] == pytest.approx(2e-6)
    assert rows[1]["psi_l2_error_mean"] == pytest.approx(3e-4)
    assert rows[1]["energy_ref"] == 4.0


def test_summary_levels_count_the_reference_level_each_job_ended_nearest(tmp_path: Path) -> None:
    """`levels`: per configuration and state, how many jobs ended nearest each reference level
    (the init_sensitivity experiment's answer); jobs without states do not count."""
    d = tmp_path / "sweep"
    for seed, level in enumerate([1, 2, 1, 3]):
        state = {**_state(1, E_WELL, 1e-3, 1e-2), "nearest_level": level}
        status = "ok" if level == 1 else "wrong_state"
        _job(d, str(seed), [WELL, f"seed={seed}"], status=status, states=[state])
    _job(d, "4", [WELL, "seed=4"], status="failed", error="ConfigError: x")
    (row,) = summarize(collect(d))
    assert row["levels"] == "E1:2 E2:1 E3:1"
    assert row["statuses"] == "failed:1 wrong_state:2"


def test_defaults_key_single_job_and_unreadable(tmp_path: Path) -> None:
    d = tmp_path / "sweep"
    _job(d, "0", ["seed=0"], states=[_state(1, 2.0, 1e-7, 1e-5)], config_key=False)
    bad = _job(d, "1", ["seed=1"], status=None)
    (bad / "results.json").write_text("{not json")
    records = collect(d)
    assert [r["config_key"] for r in records] == ["(defaults)", "(defaults)"]
    assert records[1]["status"] == "unreadable"
    (row,) = summarize(records)
    assert (row["jobs"], row["ok"], row["n_stats"]) == (2, 1, 1)
    assert row["energy_rel_error_std"] is None  # one value: no sample std


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def test_write_summary_files(sweep_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = write_summary(sweep_dir)
    assert len(rows) == 2
    header, csv_rows = _read_csv(sweep_dir / "summary.csv")
    assert header == list(SUMMARY_COLUMNS)
    assert [(r["config_key"], r["n"], r["jobs"], r["ok"]) for r in csv_rows] == [
        (WELL, "1", "4", "3"),
        (BARRIER, "1", "4", "2"),
    ]
    assert float(csv_rows[0]["energy_rel_error_max"]) == pytest.approx(3e-9)
    assert float(csv_rows[0]["success_rate"]) == pytest.approx(0.75)

    md = (sweep_dir / "summary.md").read_text()
    lines = md.strip().splitlines()
    assert len(lines) == 4 and lines[0].startswith("| config |")
    assert f"| {WELL} | 1 | 3/4 |" in lines[2]
    assert "3.00e-09" in lines[2] and "3.00e-02" in lines[3]
    assert capsys.readouterr().out == md
    assert not list(sweep_dir.glob("*.tmp")) and not list(sweep_dir.glob(".summary*"))

    # a second run overwrites (and does not pick up its own output as jobs)
    assert write_summary(sweep_dir) == rows


def test_write_summary_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert write_summary(tmp_path) == []
    header, csv_rows = _read_csv(tmp_path / "summary.csv")
    assert header == list(SUMMARY_COLUMNS) and csv_rows == []
    assert len((tmp_path / "summary.md").read_text().strip().splitlines()) == 2
    out = capsys.readouterr().out
    assert len(out.strip().splitlines()) == 1 and "no jobs" in out


def test_cli(sweep_dir: Path) -> None:
    script = str(ROOT / "scripts" / "summarize.py")
    proc = subprocess.run(
        [sys.executable, script, str(sweep_dir)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert (sweep_dir / "summary.csv").is_file() and (sweep_dir / "summary.md").is_file()
    assert WELL in proc.stdout

    proc = subprocess.run(
        [sys.executable, script, str(sweep_dir / "nope")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "nope" in proc.stderr


def test_callback_on_multirun_end(sweep_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cb = instantiate({"_target_": "qwpinn.sweep.callback.SummaryCallback"})
    assert isinstance(cb, SummaryCallback)
    cb.on_multirun_end(OmegaConf.create({"hydra": {"sweep": {"dir": str(sweep_dir)}}}))
    _, csv_rows = _read_csv(sweep_dir / "summary.csv")
    assert len(csv_rows) == 2
    assert WELL in capsys.readouterr().out


def test_callback_never_raises(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cb = SummaryCallback()
    cb.on_multirun_end(OmegaConf.create({"hydra": {"sweep": {"dir": str(tmp_path / "gone")}}}))
    cb.on_multirun_end(OmegaConf.create({}))
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("qwpinn.sweep: summary failed") for line in err)


def _job_cfg(job: Path, num: int, overrides: list[str]) -> Any:
    return OmegaConf.create(
        {
            "hydra": {
                "job": {"num": num},
                "runtime": {"output_dir": str(job)},
                "overrides": {"task": overrides},
            }
        }
    )


def test_callback_on_job_end(sweep_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cb = SummaryCallback()
    cb.on_job_end(
        _job_cfg(sweep_dir / "1", 1, [WELL, "seed=1"]), JobReturn(status=JobStatus.COMPLETED)
    )
    line = capsys.readouterr().out
    assert line.count("\n") == 1
    assert line.startswith(f"[job 1] {WELL} seed=1: ok  E=")
    assert "dE/E=3.0e-09" in line and "psi=4.0e-06" in line and line.rstrip().endswith("12.0s")

    cb.on_job_end(
        _job_cfg(sweep_dir / "3", 3, [WELL, "seed=3"]), JobReturn(status=JobStatus.FAILED)
    )
    line = capsys.readouterr().out
    assert line.startswith(f"[job 3] {WELL} seed=3: failed") and "RuntimeError: boom" in line

    moved = _job_cfg(sweep_dir / "elsewhere", 1, [WELL, "seed=1"])
    moved.paths = {"output_dir": str(sweep_dir / "1")}  # a paths.output_dir= override
    cb.on_job_end(moved, JobReturn(status=JobStatus.COMPLETED))
    assert capsys.readouterr().out.startswith(f"[job 1] {WELL} seed=1: ok  E=")

    ret = JobReturn(status=JobStatus.FAILED)
    ret.return_value = ValueError("bad\nsecond line")
    cb.on_job_end(_job_cfg(sweep_dir / "6", 6, [BARRIER, "seed=2"]), ret)
    line = capsys.readouterr().out
    assert line == f"[job 6] {BARRIER} seed=2: failed (no results.json)  ValueError: bad\n"

    cb.on_job_end(None, None)  # type: ignore[arg-type]  # must not raise
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1


def test_no_torch_import() -> None:
    code = (
        "import sys, qwpinn.sweep; "
        "sys.exit(int('torch' in sys.modules or 'lightning' in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_nan_values_are_ignored(tmp_path: Path) -> None:
    d = tmp_path / "sweep"
    _job(d, "0", ["seed=0"], status="diverged", states=[_state(1, 1.0, 1e-3, 1e-2)])
    (d / "0" / "results.json").write_text(
        (d / "0" / "results.json").read_text().replace("0.001", "NaN")
    )
    _job(d, "1", ["seed=1"], states=[_state(1, 1.0, 2e-6, 1e-4)])
    (row,) = summarize(collect(d))
    assert row["n_stats"] == 1 and row["energy_rel_error_mean"] == pytest.approx(2e-6)
    assert not math.isnan(row["energy_rel_error_max"])


def test_error_vs_time_takes_medians_per_configuration_and_potential(sweep_dir: Path) -> None:
    points = sweep.error_vs_time(collect(sweep_dir))
    assert set(points) == {"finite_well", "barrier"}
    time, error = points["finite_well"][sweep.DEFAULTS_KEY]  # the failed job has no error
    assert time == statistics.median(WELL_WALL[:3]) and error == statistics.median(WELL_REL)
    time, error = points["barrier"]["energy_init=20"]
    assert error == statistics.median(BARRIER_REL) and time == statistics.median([10, 30, 20])
    write_summary(sweep_dir)
    assert (sweep_dir / "error_vs_time.png").stat().st_size > 10_000
