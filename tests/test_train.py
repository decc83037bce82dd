"""End-to-end: real Hydra composition, real training runs, real files, real subprocesses."""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from exact import ground_state
from hydra.errors import ConfigCompositionException
from hydra.utils import instantiate
from omegaconf import OmegaConf
from omegaconf.errors import ConfigAttributeError

from conftest import CONF, ROOT, configured
from qwpinn import reference
from qwpinn.errors import ConfigError
from qwpinn.models.ansatz import DomainAnsatz
from qwpinn.pipeline.build import build, build_datamodule, build_module, steps_per_batch
from qwpinn.pipeline.run import run

POTENTIALS = sorted(p.stem for p in (CONF / "potential").glob("*.yaml"))
BOXES = {p: OmegaConf.load(CONF / "potential" / f"{p}.yaml").get("box") or [0] for p in POTENTIALS}
LINE_POTENTIALS = [  # 1D eigen options (their 2D/3D runs: tests/test_nd.py; V(x, t): evolve)
    p for p in POTENTIALS if p != "driven" and not OmegaConf.is_list(BOXES[p][0])
]
ARCHS = sorted(p.stem for p in (CONF / "arch").glob("*.yaml"))
SHORT = ("trainer.max_steps=40", "optimizer.adam_steps=30", "quadrature_nodes=24")


@pytest.mark.parametrize("potential", POTENTIALS)
@pytest.mark.parametrize("arch", ARCHS)
def test_every_potential_and_arch_composes_and_instantiates(make_config, potential, arch):
    cfg = make_config(f"potential={potential}", f"arch={arch}")
    problem = build("potential", cfg.potential)
    assert problem.name == potential
    net = build("arch", cfg.arch, in_features=problem.dim, out_features=1)
    data = build_datamodule(cfg, problem.domain.tolist(), seed=0)
    assert next(iter(data.train_dataloader())).shape == (
        cfg.data.steps_per_batch,
        cfg.data.n_points,
        problem.dim,
    )
    assert sum(p.numel() for p in net.parameters()) > 0
    trainer = instantiate(cfg.trainer, logger=False, callbacks=[])
    assert trainer.max_steps == cfg.trainer.max_steps


def expected_status(state: dict, scale_free: bool) -> str:
    """The README's status rule, restated from a state's own numbers."""
    if not state["norm"] > (0.0 if scale_free else 1e-3):
        return "collapsed"
    if state["nearest_level"] != state["n"] or state["nodes"] != state["n"] - 1:
        return "wrong_state"
    return "aliased" if state["quadrature_gap"] > 1e-6 else "ok"


@pytest.mark.parametrize("potential", LINE_POTENTIALS)
def test_short_run_writes_every_artefact(make_config, tmp_path, potential):
    """results.json (what run() returned), the figure, the checkpoint, TensorBoard events and
    the sampled ψ; the status follows from the state's numbers, and energy_ref is the ground
    state computed here independently (closed form, exact shooting or Chebyshev)."""
    cfg = make_config(f"potential={potential}", "seed=0", *SHORT)
    results = run(cfg, overrides=[f"potential={potential}", "seed=0"])
    out = Path(cfg.paths.output_dir)
    on_disk = json.loads((out / "results.json").read_text())
    assert on_disk == json.loads(json.dumps(results))
    state = on_disk["states"][0]
    scale_free = cfg.loss.weights.get("rayleigh", 0.0) > 0
    assert on_disk["status"] == state["status"] == expected_status(state, scale_free)
    assert on_disk["potential"] == potential and on_disk["seed"] == 0
    assert 0 < on_disk["steps"] <= 40 and on_disk["wall_time_s"] > 0  # a plateau may stop it early
    assert on_disk["config_key"] == f"potential={potential}"
    exact = ground_state(build("potential", cfg.potential))
    assert state["n"] == 1 and state["energy_ref"] == pytest.approx(exact, rel=1e-9)
    for key in ("energy", "energy_rel_error", "psi_l2_error"):
        assert math.isfinite(state[key])
    assert (out / "wavefunction.png").stat().st_size > 1000
    assert (out / "checkpoints" / "last.ckpt").exists()
    assert list((out / "tensorboard").glob("events.out.tfevents.*"))
    import numpy as np

    samples = np.load(out / "wavefunction.npz")
    assert samples["psi"].shape == samples["psi_ref"].shape == (1, samples["x"].shape[0])


def scalar_steps(run_dir: Path, tag: str) -> list[int]:
    """Global steps at which TensorBoard recorded `tag` in the run dir."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(run_dir / "tensorboard"))
    events.Reload()
    return [event.step for event in events.Scalars(tag)]


@pytest.mark.parametrize("stop_tol", [0.0, 1e-2])
def test_steps_per_batch_keep_steps_logs_checkpoints_and_the_energy(make_config, stop_tol):
    """Ten point sets per batch against one: the same steps (max_steps, Adam → L-BFGS switch and
    plateau stop inside a batch), log steps, checkpoint and bit-identical energy."""
    settings = (
        "trainer.max_steps=47",
        "optimizer.adam_steps=25",
        f"optimizer.stop_tol={stop_tol}",
        "optimizer.stop_window=3",
        "quadrature_nodes=24",
        "loss.weights.residual=1",  # the collocation points enter the loss
        "optimizer=adam_lbfgs",
        "optimizer.refine.optimizer.max_iter=5",  # cheaper L-BFGS steps, the same step count
        "trainer.log_every_n_steps=10",
        "callbacks.checkpoint.every_n_train_steps=20",
        "callbacks.reference_metrics.every_n_steps=20",
    )
    runs = {}
    for k in (1, 10):
        cfg = make_config(*settings, f"data.steps_per_batch={k}", output=f"k{k}")
        assert steps_per_batch(cfg) == k
        out = Path(cfg.paths.output_dir)
        runs[k] = run(cfg), out
    (one, out_one), (ten, out_ten) = runs[1], runs[10]
    assert ten["steps"] == one["steps"] and (one["steps"] == 47) == (stop_tol == 0.0)
    assert ten["states"][0]["energy"] == one["states"][0]["energy"]
    assert scalar_steps(out_ten, "loss/total") == list(range(10, one["steps"] + 1, 10))
    assert scalar_steps(out_ten, "ref/energy_rel_error") == scalar_steps(
        out_one, "ref/energy_rel_error"
    )
    saved = [
        torch.load(out / "checkpoints" / "last.ckpt", weights_only=False)["global_step"]
        for out in (out_one, out_ten)
    ]
    assert saved[0] == saved[1] == one["steps"] // 20 * 20


def test_steps_per_batch_divides_every_interval(make_config):
    cfg = make_config(
        "data.steps_per_batch=8",
        "trainer.log_every_n_steps=12",
        "callbacks.checkpoint.every_n_train_steps=20",
    )
    assert steps_per_batch(cfg) == 4  # gcd(8, 12, 20, reference every 100)


def test_fixed_energy_stays_at_pi_squared(make_config):
    cfg = make_config("potential=infinite_well", *SHORT)
    state = run(cfg)["states"][0]
    assert state["energy_parameter"] == pytest.approx(9.869604401089358, rel=1e-15)


@pytest.mark.slow
def test_paper_loss_collapses_and_the_default_does_not(make_config):
    """The paper's recipe with weight 1 and trainable E drifts to ψ ≡ 0; our default cannot."""
    e_start = 0.8 * 19.95481891118997
    naive = run(
        make_config(
            "ansatz=dirichlet",  # the paper's trial function: one net on the box
            "loss=paper",
            "optimizer=adam",
            f"energy_init={e_start}",
            "trainer.max_steps=300",
            output="naive",
        )
    )
    assert naive["status"] == "collapsed"
    assert naive["states"][0]["norm"] < 1e-3
    assert naive["states"][0]["energy_parameter"] == pytest.approx(e_start, rel=0.01)  # stuck
    default = run(make_config(f"energy_init={e_start}", "trainer.max_steps=320", output="ours"))
    assert default["status"] == "ok"
    assert default["states"][0]["norm"] > 1e-2  # a gauge for E[ψ], and far from ψ ≡ 0
    assert default["states"][0]["energy_rel_error"] < 1e-3


def sweep_script(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, Path]:
    """A short multirun into tmp_path/sweep."""
    sweep = tmp_path / "sweep"
    settings = (  # a sweep's own outputs; per-job figures and logs are tested on single runs
        "trainer.enable_progress_bar=false",
        "callbacks.wavefunction_figure=null",
        "~logger",
        f"hydra.sweep.dir={sweep}",
    )
    return train_script("-m", *args, *SHORT, *settings, cwd=tmp_path), sweep


def train_script(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "train.py"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("potential.box=[1,0]", "potential.box"),
        ("potential.well=[-0.1,0.5]", "potential.well"),
        ("potential.well=[0.6,0.6]", "potential.well"),
        ("potential.v0=nan", "potential.v0"),
    ],
)
def test_bad_values_stop_with_one_line_naming_the_key(make_config, override, key):
    """In process: a ConfigError naming the key in one line, and a failed results.json."""
    cfg = make_config(override)
    with pytest.raises(ConfigError) as err:
        run(cfg)
    assert err.value.key == key and str(err.value).startswith(f"{key} = ")
    assert "\n" not in str(err.value)
    results = json.loads((Path(cfg.paths.output_dir) / "results.json").read_text())
    assert results["status"] == "failed" and results["error"] == str(err.value)


def test_a_bad_value_exits_the_cli_with_that_line_and_no_traceback(tmp_path):
    """From the command line the same error is the last stderr line and a non-zero exit (one
    process for the path every ConfigError takes, the keys above in process)."""
    done = train_script("potential.v0=nan", f"hydra.run.dir={tmp_path}", cwd=tmp_path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: potential.v0 = nan")
    assert json.loads((tmp_path / "results.json").read_text())["status"] == "failed"


@pytest.mark.slow
def test_multirun_writes_every_job_and_a_summary(tmp_path):
    done, sweep = sweep_script(tmp_path, "potential=finite_well,barrier", "seed=0,1")
    assert done.returncode == 0, done.stderr[-2000:]
    results = sorted(sweep.glob("*/results.json"))
    assert len(results) == 4
    for path in results:
        assert (path.parent / ".hydra" / "config.yaml").exists()
    with open(sweep / "summary.csv") as handle:
        rows = list(csv.DictReader(handle))
    keys = sorted(r["config_key"].split()[0] for r in rows)  # one row per potential, seeds pooled
    assert keys == ["potential=barrier", "potential=finite_well"]
    assert all(r["jobs"] == "2" for r in rows)
    assert "potential=barrier" in (sweep / "summary.md").read_text()


@pytest.mark.slow
def test_a_failing_job_does_not_stop_its_siblings_and_a_relaunch_reruns_only_it(tmp_path):
    """One of two jobs fails; the sweep goes on. The same command again into the same sweep
    folder keeps the finished job's results (skipped, file untouched) and reruns the failed one."""
    done, sweep = sweep_script(tmp_path, "potential=finite_well", "potential.v0=nan,100")
    assert done.returncode == 0, done.stderr[-2000:]
    failed, finished = sorted(sweep.glob("*/results.json"))
    statuses = [json.loads(p.read_text())["status"] for p in (failed, finished)]
    assert statuses[0] == "failed" and statuses[1] != "failed"
    with open(sweep / "summary.csv") as handle:
        assert len(list(csv.DictReader(handle))) == 2
    kept = finished.read_text(), finished.stat().st_mtime_ns
    retried = failed.stat().st_mtime_ns
    again, _ = sweep_script(tmp_path, "potential=finite_well", "potential.v0=nan,100")
    assert again.returncode == 0, again.stderr[-2000:]
    assert (finished.read_text(), finished.stat().st_mtime_ns) == kept
    assert failed.stat().st_mtime_ns > retried and "failed" in failed.read_text()
    assert sorted(sweep.glob("*/results.json")) == [failed, finished]  # no new job dirs


@pytest.mark.parametrize("arch", ARCHS)
def test_every_arch_reaches_the_finite_well_ground_state(make_config, arch):
    """Each architecture with its default hyper-parameters, the default ansatz and optimizer:
    ok and ≤ 1e-6 of the reference (measured ≤ 3e-11; the margin no CPU crosses)."""
    cfg = make_config(f"arch={arch}", "trainer.max_steps=300", "~logger")
    state = run(cfg)["states"][0]
    assert state["status"] == "ok" and state["energy_rel_error"] <= 1e-6


def test_lr_annealing_logs_its_weights_and_checkpoints_them(make_config):
    import torch
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    cfg = make_config(
        "loss=lr_annealing", "optimizer=adam_lbfgs", "trainer.log_every_n_steps=10", *SHORT
    )
    run(cfg)
    out = Path(cfg.paths.output_dir)
    files = [EventAccumulator(str(f)).Reload() for f in out.rglob("events.out.tfevents.*")]
    (events,) = [f for f in files if "weights/normalization" in f.Tags()["scalars"]]
    logged = [e.value for e in events.Scalars("weights/normalization")]
    assert len(logged) >= 3 and logged[-1] != logged[0]  # annealed, not the configured 1.0
    lambdas = torch.load(out / "checkpoints" / "last.ckpt", weights_only=False)["state_dict"]
    assert lambdas["weighting.lambdas"][2] == pytest.approx(logged[-1], rel=1e-6)


def test_residual_adaptive_resampling_adds_the_points_of_largest_residual(make_config):
    from types import SimpleNamespace

    import torch

    from qwpinn.lightning.callbacks import ResidualAdaptiveResampling

    cfg = make_config(
        "data=rar",
        "loss=ritz_residual",
        "optimizer=adam_lbfgs",
        "data.rar.every_n_steps=10",
        *SHORT,
    )
    run(cfg)
    checkpoint = torch.load(
        Path(cfg.paths.output_dir) / "checkpoints" / "last.ckpt", weights_only=False
    )
    assert checkpoint["qwpinn"]["added_points"].shape == (3 * 32, 1)  # steps 10, 20, 30
    # one round by hand: the added points are the candidates of largest |r|
    potential = build("potential", cfg.potential)
    module = build_module(cfg, potential, potential.default_energy_init()).double()
    module.state.materialize(with_energy=True)
    rar = ResidualAdaptiveResampling(every_n_steps=5, candidates=256, add=8)
    rar.on_fit_start(None, module)
    state = rar.generator.get_state()
    trainer = SimpleNamespace(global_step=5)
    rar.on_train_batch_end(trainer, module)
    rar.generator.set_state(state)
    x = torch.rand(256, 1, generator=rar.generator)
    r = module.state.residual_at(x).abs().flatten()
    assert torch.equal(module.added_points, x[r.topk(8).indices].double())
    assert r.topk(8).values.min() > r.median()
    trainer.global_step = 6  # not a multiple of every_n_steps: nothing added
    rar.on_train_batch_end(trainer, module)
    assert module.added_points.shape == (8, 1)


VARIANTS = sorted(p.stem for p in (CONF / "variant").glob("*.yaml"))


def test_the_ablation_sweeps_every_variant_on_both_discontinuous_wells():
    sweep = OmegaConf.load(CONF / "experiment" / "ablation.yaml").hydra.sweeper.params
    assert sorted(str(sweep.variant).split(",")) == VARIANTS
    assert str(sweep.potential).split(",") == ["finite_well", "barrier"]
    assert len(str(sweep.seed).split(",")) == 5


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_composes_to_what_its_name_says(make_config, variant):
    cfg = make_config("experiment=ablation", f"variant={variant}")
    default = make_config("experiment=ablation", "variant=default", output="default")
    assert default.ansatz.kind == "dirichlet"  # the ablation's baseline
    changed = {k for k in ("arch", "ansatz", "loss", "data") if cfg[k] != default[k]}
    expected = {
        "default": set(),
        "domain": {"ansatz"},
        "mlp": {"arch"},
        "fourier": {"arch"},
        "modified": {"arch"},
        "gaussian": {"arch"},
        "residual": {"loss", "data"},
    }.get(variant.split("_")[0], {"loss"})
    assert changed == expected
    build("arch", cfg.arch, in_features=1, out_features=1)


def test_domain_ansatz_reaches_the_reference_on_the_finite_well(make_config):
    """One net per piece of V, exact C¹ interfaces: a short run is already near the exact level."""
    cfg = make_config(
        "ansatz=domain", "trainer.max_steps=150", "optimizer.adam_steps=50", "~logger"
    )
    result = run(cfg)
    state = result["states"][0]
    assert result["status"] == "ok"
    assert state["energy_rel_error"] < 1e-5 and state["psi_l2_error"] < 1e-2
    ansatz = build_module(cfg, configured("finite_well"), 20.0).state.ansatz
    assert isinstance(ansatz, DomainAnsatz) and len(ansatz.nets) == 3


def test_a_well_in_a_box_1000_times_wider_reaches_both_levels(make_config):
    """Walls 1000 well-widths apart: the graded wall pieces carry the exact decay, so both bound
    levels of V0 = 5 on [-1, 1] reach the exact roots (measured ≤ 7e-12 over 5 seeds)."""
    cfg = make_config(
        "potential.box=[-1000,1000]",
        "potential.well=[-1,1]",
        "potential.v0=5",
        "n_states=2",
        "trainer.max_steps=200",
        "~logger",
    )
    result = run(cfg)
    assert result["status"] == "ok"
    assert max(s["energy_rel_error"] for s in result["states"]) < 1e-9


def test_domain_ansatz_trains_in_float32_and_resumes(make_config, tmp_path):
    """float32 reaches the ground level to its own precision (measured 2e-7; asserted 1e-5, so
    no BLAS or instruction set crosses it), and a run resumes from its checkpoint."""
    cfg = make_config("ansatz=domain", "trainer.precision=32-true", *SHORT)
    state = run(cfg)["states"][0]
    assert state["status"] == "ok" and state["energy_rel_error"] < 1e-5
    run(make_config("ansatz=domain", *SHORT, output="first"))
    ckpt = tmp_path / "first" / "checkpoints" / "last.ckpt"
    more = ("ansatz=domain", f"ckpt_path={ckpt}", "trainer.max_steps=50", "optimizer.stop_tol=0")
    more = (*more, *SHORT[1:])  # no plateau stop: the resumed run must reach step 50
    resumed = run(make_config(*more, output="more"))
    assert resumed["resumed_from"] == str(ckpt) and resumed["steps"] == 50


def test_smoothed_run_reports_its_bias_against_the_sharp_reference(make_config):
    cfg = make_config("potential=barrier", "potential.smoothing=0.01", *SHORT)
    state = run(cfg)["states"][0]
    smooth, sharp = (
        reference.solve(p, 1).energies[0]
        for p in (configured("barrier", smoothing=0.01), configured("barrier"))
    )
    assert state["energy_ref"] == pytest.approx(smooth, rel=1e-12)
    assert state["energy_ref_sharp"] == pytest.approx(sharp, rel=1e-12)
    assert state["smoothing_bias"] == pytest.approx(abs(smooth - sharp) / sharp, rel=1e-9)
    assert state["energy_rel_error_sharp"] == pytest.approx(
        abs(state["energy"] - sharp) / sharp, rel=1e-9
    )
    assert "smoothing_bias" not in run(make_config(*SHORT, output="sharp"))["states"][0]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["ansatz=domain", "ansatz.kinks=true"], "ansatz.kinks = True: must be false with"),
        (["ansatz=domain", "ansatz.width=0"], "ansatz.width = 0: must be an integer >= 1"),
        (["ansatz.kind=patches"], "ansatz.kind = 'patches': must be one of dirichlet, domain"),
        (["potential.smoothing=-0.1"], "potential.smoothing = -0.1: must be a finite number"),
    ],
)
def test_discontinuity_options_fail_in_one_line(make_config, overrides, message):
    with pytest.raises(ConfigError) as err:
        run(make_config(*overrides, *SHORT))
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_new_options_compose_with_their_schemas(make_config):
    cfg = make_config("ansatz=domain", "potential=piecewise", "potential.smoothing=0.005")
    assert cfg.ansatz.kind == "domain" and cfg.ansatz.width == 16
    assert cfg.potential.smoothing == 0.005
    with pytest.raises(ConfigCompositionException, match="'ansatz.widht'") as err:
        make_config("ansatz=domain", "ansatz.widht=8")
    assert isinstance(err.value.__cause__, ConfigAttributeError)  # the schema has no such key
    assert "not in 'DomainAnsatzConf'" in str(err.value.__cause__)
