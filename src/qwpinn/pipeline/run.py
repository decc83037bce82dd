"""run(cfg): seed, build everything from the Hydra config, fit, evaluate, write results.json."""

from __future__ import annotations

import contextlib
import copy
import json
import math
import platform
import random
import subprocess
import time
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import lightning as L
import numpy as np
import torch
from lightning.pytorch.callbacks import ProgressBar
from omegaconf import DictConfig, OmegaConf, open_dict

from qwpinn import reference
from qwpinn.errors import ConfigError, DivergedError, finite_number
from qwpinn.evaluation.metrics import LOGGED, evaluate_state, state_status, transitions
from qwpinn.lightning.callbacks import NanInjection
from qwpinn.methods.eigen import EigenState
from qwpinn.numerics.grading import check_bound, check_contrast
from qwpinn.pipeline.build import build, build_datamodule, build_module, with_reference
from qwpinn.pipeline.config import validate
from qwpinn.pipeline.evolve import run_evolution
from qwpinn.sweep.files import write_text_atomic
from qwpinn.sweep.records import config_key_from_overrides

_NOISE = (".*LeafSpec.*", ".*no pre-optimization state was saved.*")
REFERENCE_LEVELS = 4  # levels solved for wrong-state detection (the ground state is level 1)


def run(
    cfg: DictConfig, overrides: Sequence[str] = (), trained: list[EigenState] | None = None
) -> dict[str, Any]:
    """Train one configuration; return (and write to ``paths.output_dir``) its results.

    ``overrides`` are the command-line overrides that define this run (recorded for sweeps);
    the trained states are appended to ``trained`` when it is given.
    """
    out = Path(cfg.paths.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    finished = _finished_results(out) if cfg.resume else None
    if finished is not None:
        return finished
    results: dict[str, Any] = {
        "status": "failed",
        "potential": str(cfg.potential.get("_target_", "?")).rsplit(".", 1)[-1],
        "seed": cfg.seed,
        "steps": 0,
        "wall_time_s": 0.0,
        "overrides": list(overrides),
        "config_key": config_key_from_overrides(overrides),
        "states": [],
        "environment": environment(),
    }
    start = time.perf_counter()
    try:
        validate(cfg)
        config_text = OmegaConf.to_yaml(cfg, resolve=True)
        write_text_atomic(out / "resolved_config.yaml", config_text)
        with _process_state_kept():  # the caller keeps its thread count and RNG streams
            results.update(_train(cfg, out, [] if trained is None else trained))
    except ConfigError as err:
        results["error"] = str(err)
        raise
    except Exception as err:
        results["error"] = f"{type(err).__name__}: {err}".splitlines()[0]
        raise
    finally:
        results["wall_time_s"] = round(time.perf_counter() - start, 3)
        write_text_atomic(out / "results.json", json.dumps(results, indent=2) + "\n")
    return results


@contextlib.contextmanager
def _process_state_kept() -> Iterator[None]:
    """Restore torch's thread count and the torch, CUDA, NumPy and Python RNG states that
    ``_train`` sets from the config, so that later work in the same process is unaffected."""
    threads = torch.get_num_threads()
    cuda = torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None
    rngs = torch.random.get_rng_state(), np.random.get_state(), random.getstate()
    try:
        yield
    finally:
        torch.set_num_threads(threads)
        torch.random.set_rng_state(rngs[0])
        np.random.set_state(rngs[1])
        random.setstate(rngs[2])
        if cuda is not None:
            torch.cuda.set_rng_state_all(cuda)


def _train(cfg: DictConfig, out: Path, states: list[EigenState]) -> dict[str, Any]:
    for message in _NOISE:
        warnings.filterwarnings("ignore", message=message)
    torch.set_num_threads(int(cfg.torch_threads))
    L.seed_everything(int(cfg.seed), workers=False, verbose=False)
    if cfg.task == "evolve":
        return run_evolution(cfg, out)
    potential = build("potential", cfg.potential)
    if getattr(potential, "time_dependent", False):
        raise ConfigError("potential", potential.name, "V(x, t) needs task=evolve")
    try:
        check_contrast(potential)
    except ConfigError as err:
        raise err.under("potential") from None
    count = int(cfg.state or cfg.n_states)  # state=k trains 1..k: state k needs those below
    spectrum = reference.solve(potential, n_states=count + REFERENCE_LEVELS - 1)
    check_bound(potential, spectrum.energies[:count])
    sharp = potential.sharp()  # a smoothed step also reports its error against the sharp one
    sharp_spectrum = None if sharp is potential else reference.solve(sharp, n_states=count)
    energy_init = potential.default_energy_init() if cfg.energy_init is None else cfg.energy_init
    energy_init = finite_number("energy_init", energy_init, "must be a finite number or null")
    results: dict[str, Any] = {
        "status": "ok",
        "task": "eigen",
        "potential": potential.name,
        "dim": potential.dim,
        "unit": potential.unit,
        "length_unit": potential.length_unit,
        "steps": 0,
        "energy_init": energy_init,
        "resumed_from": None,
        "states": [],
    }
    for _ in range(count):
        module, state, steps, status, error, ckpt_path = _fit_state(
            cfg, out, potential, (spectrum, sharp_spectrum), energy_init, states, count == 1
        )
        scale_free = float(cfg.loss.weights.get("rayleigh", 0.0)) > 0.0
        status = state_status(state, scale_free) if status == "ok" else status
        results["states"].append({**state, "steps": steps, "status": status})
        results["steps"] += steps
        results["resumed_from"] = results["resumed_from"] or ckpt_path
        if status != "ok" and results["status"] == "ok":
            results["status"] = status
        if error:
            results["error"] = error
            break
        states.append(module.state)
    if len(results["states"]) >= 2:
        results["transitions"] = transitions(results["states"], potential)
    if len(results["states"]) >= 2:  # tunnelling splitting of the lowest pair
        first, second = results["states"][:2]
        value, ref = second["energy"] - first["energy"], second["energy_ref"] - first["energy_ref"]
        results["splitting"] = {"value": value, "ref": ref, "rel_error": abs(value - ref) / ref}
    if cfg.state:  # only the chosen state is reported; the lower ones were its means
        results["states"] = results["states"][-1:]
    return results


def _fit_state(
    cfg: DictConfig,
    out: Path,
    potential: Any,
    spectra: tuple[Any, Any],
    energy_init: float,
    lower: list[EigenState],
    single: bool,
) -> tuple[Any, dict[str, Any], int, str, str | None, str | None]:
    """Train state len(lower) + 1 with the lower states frozen; return its module, its
    reference errors (``evaluate_state`` against the problem's spectrum and, smoothed, the
    sharp one), its steps, status, error line and the checkpoint resumed."""
    n = len(lower) + 1
    spectrum, sharp_spectrum = spectra
    module = build_module(cfg, potential, energy_init, lower)
    cfg = _for_state(cfg, out, n, single)  # one checkpoint dir, history and log run per state
    callbacks = [
        with_reference(build(f"callbacks.{k}", c), spectrum) for k, c in cfg.callbacks.items() if c
    ]
    if cfg.data.get("rar"):
        callbacks.append(build("data.rar", cfg.data.rar))
    if cfg.get("inject_nan_at_step") is not None:
        callbacks.append(NanInjection(cfg.inject_nan_at_step))
    if not cfg.trainer.enable_progress_bar:
        callbacks = [c for c in callbacks if not isinstance(c, ProgressBar)]
    logger = build("logger", cfg.logger) if cfg.get("logger") else False
    trainer = build("trainer", cfg.trainer, callbacks=callbacks, logger=logger)
    datamodule = build_datamodule(cfg, potential.bounds.tolist(), seed=int(cfg.seed) + n - 1)

    status, error = "ok", None
    ckpt_path = _checkpoint_to_resume(cfg, out) if single else None
    if str(cfg.trainer.precision).startswith("64"):
        module.double()  # Lightning loads a checkpoint before its own cast: load it unrounded
    try:
        trainer.fit(module, datamodule=datamodule, ckpt_path=ckpt_path)
    except DivergedError as err:
        status, error = "diverged", str(err)
    state = evaluate_state(module.state, spectrum, sharp_spectrum)
    for callback in callbacks:
        if hasattr(callback, "time_to"):
            state["time_to"] = callback.time_to()
    if logger:
        logged = {k: state[k] for k in LOGGED if math.isfinite(state[k])}
        logger.log_metrics({f"ref/{k}": v for k, v in logged.items()}, trainer.global_step)
        logger.log_hyperparams(_flat_hparams(cfg), {f"final/{k}": v for k, v in logged.items()})
    return module, state, int(trainer.global_step), status, error, ckpt_path


def _for_state(cfg: DictConfig, out: Path, n: int, single: bool) -> DictConfig:
    """The config with ``paths.state_dir`` = the run dir (one state) or ``state_<n>/`` in it,
    and the logger's version ``state_<n>``: callbacks and loggers name their files from it."""
    state_cfg = copy.deepcopy(cfg)
    with open_dict(state_cfg):
        state_cfg.paths.state_dir = str(out if single else out / f"state_{n}")
        if not single and state_cfg.get("logger"):
            state_cfg.logger.version = f"state_{n}"
    return state_cfg


def environment() -> dict[str, str | None]:
    """Versions of Python and the packages that decide a result, and the git commit."""
    from importlib.metadata import PackageNotFoundError, version

    packages = ("qwpinn", "torch", "lightning", "hydra-core", "omegaconf", "numpy", "scipy")
    found: dict[str, str | None] = {"python": platform.python_version()}
    for name in packages:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    try:
        root = Path(__file__).resolve().parents[2]
        found["git_commit"] = (
            subprocess.run(
                ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5
            ).stdout.strip()
            or None
        )
    except (OSError, subprocess.SubprocessError):
        found["git_commit"] = None
    return found


def _finished_results(out: Path) -> dict[str, Any] | None:
    """The results of a run dir that already finished with status ok (a re-launched sweep)."""
    try:
        previous = json.loads((out / "results.json").read_text())
    except (OSError, ValueError):
        return None
    return previous if previous.get("status") == "ok" else None


def _checkpoint_to_resume(cfg: DictConfig, out: Path) -> str | None:
    """``ckpt_path`` if given; else the run dir's own last.ckpt when ``resume`` is on."""
    if cfg.get("ckpt_path"):
        path = Path(cfg.ckpt_path)
        if not path.is_file():
            raise ConfigError("ckpt_path", cfg.ckpt_path, "must be an existing checkpoint file")
        return str(path)
    own = out / "checkpoints" / "last.ckpt"
    return str(own) if cfg.resume and own.is_file() else None


def _flat_hparams(cfg: DictConfig) -> dict[str, Any]:
    keep = {k: cfg[k] for k in ("potential", "arch", "loss", "optimizer", "data") if k in cfg}
    keep.update(seed=cfg.seed, energy_init=cfg.energy_init, quadrature_nodes=cfg.quadrature_nodes)
    flat = {}
    for key, value in _walk(OmegaConf.to_container(OmegaConf.create(keep), resolve=True)):
        flat[key] = value if isinstance(value, (int, float, str, bool)) else str(value)
    return flat


def _walk(data: Any, prefix: str = "") -> Any:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _walk(value, f"{prefix}{key}.")
    else:
        yield prefix.rstrip("."), data
