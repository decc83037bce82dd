"""run(cfg): seed, build everything from the Hydra config, fit, evaluate, write results.json."""

from __future__ import annotations

import contextlib
import functools
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
from hydra.errors import InstantiationException
from hydra.utils import instantiate
from lightning.pytorch.callbacks import ModelCheckpoint, ProgressBar
from omegaconf import DictConfig, OmegaConf

from qwpinn import reference
from qwpinn.errors import ConfigError, finite_number, integer_at_least, one_of
from qwpinn.lightning.callbacks import LOGGED, ReferenceMetrics, evaluate_state
from qwpinn.lightning.module import DivergedError, EigenPINN
from qwpinn.models.ansatz import DirichletAnsatz, DomainAnsatz
from qwpinn.numerics.grading import check_contrast, domain_maps, quadrature_maps
from qwpinn.numerics.quadrature import mapped_rule
from qwpinn.pipeline.config import validate
from qwpinn.sweep.files import write_text_atomic
from qwpinn.sweep.records import config_key_from_overrides

_NOISE = (".*LeafSpec.*", ".*no pre-optimization state was saved.*")
ANSATZ_KINDS = ("dirichlet", "domain")
ALIASING = 1e-6  # relative gap between E[ψ] on the training and the check rule
REFERENCE_LEVELS = 4  # levels solved for wrong-state detection (the ground state is level 1)


def run(cfg: DictConfig, overrides: Sequence[str] = ()) -> dict[str, Any]:
    """Train one configuration; return (and write to ``paths.output_dir``) its results.

    ``overrides`` are the command-line overrides that define this run (recorded for sweeps).
    """
    out = Path(cfg.paths.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    finished = _finished_results(out) if cfg.get("resume", False) else None
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
            results.update(_train(cfg, out))
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


def _train(cfg: DictConfig, out: Path) -> dict[str, Any]:
    for message in _NOISE:
        warnings.filterwarnings("ignore", message=message)
    torch.set_num_threads(int(cfg.torch_threads))
    L.seed_everything(int(cfg.seed), workers=False, verbose=False)
    potential = build("potential", cfg.potential)
    try:
        check_contrast(potential)
    except ConfigError as err:
        raise err.under("potential") from None
    count = int(cfg.state or cfg.n_states)  # state=k trains 1..k: state k needs those below
    spectrum = reference.solve(potential, n_states=count + REFERENCE_LEVELS - 1)
    sharp = potential.sharp()  # a smoothed step also reports its error against the sharp one
    sharp_spectrum = None if sharp is potential else reference.solve(sharp, n_states=count)
    energy_init = potential.default_energy_init() if cfg.energy_init is None else cfg.energy_init
    energy_init = finite_number("energy_init", energy_init, "must be a finite number or null")
    results: dict[str, Any] = {
        "status": "ok",
        "potential": potential.name,
        "steps": 0,
        "energy_init": energy_init,
        "resumed_from": None,
        "states": [],
    }
    states: list[EigenPINN] = []
    for _ in range(count):
        module, state, steps, status, error, ckpt_path = _fit_state(
            cfg, out, potential, (spectrum, sharp_spectrum), energy_init, states, count == 1
        )
        scale_free = float(cfg.loss.weights.get("rayleigh", 0.0)) > 0.0
        status = _state_status(state, scale_free) if status == "ok" else status
        results["states"].append({**state, "steps": steps, "status": status})
        results["steps"] += steps
        results["resumed_from"] = results["resumed_from"] or ckpt_path
        if status != "ok" and results["status"] == "ok":
            results["status"] = status
        if error:
            results["error"] = error
            break
        states.append(module)
    if len(results["states"]) >= 2:  # tunnelling splitting of the lowest pair
        first, second = results["states"][:2]
        value, ref = second["energy"] - first["energy"], second["energy_ref"] - first["energy_ref"]
        results["splitting"] = {"value": value, "ref": ref, "rel_error": abs(value - ref) / ref}
    if cfg.state:  # only the chosen state is reported; the lower ones were its means
        results["states"] = results["states"][-1:]
    return results


def build_module(
    cfg: DictConfig, potential: Any, energy_init: float, lower: Sequence[EigenPINN] = ()
) -> EigenPINN:
    """The EigenPINN of state len(lower) + 1 as the config describes it (untrained)."""
    loss = OmegaConf.to_container(cfg.loss, resolve=True)
    return EigenPINN(
        build_ansatz(cfg, potential, len(lower) + 1),
        potential,
        quadrature=quadrature(potential, int(cfg.quadrature_nodes)),
        check_quadrature=quadrature(potential, 2 * int(cfg.quadrature_nodes) + 1),
        energy_init=energy_init,
        weights=loss["weights"],
        normalize_psi=loss["normalize_psi"],
        energy_update=loss["energy_update"],
        annealing=loss.get("annealing"),
        adam=build("optimizer.adam", cfg.optimizer.adam),
        refine=build("optimizer.refine", cfg.optimizer.refine) if cfg.optimizer.refine else None,
        scheduler=build("optimizer.scheduler", cfg.optimizer.scheduler)
        if cfg.optimizer.scheduler
        else None,
        energy_lr=cfg.optimizer.energy_lr,
        adam_steps=adam_steps(cfg, potential),
        stop_tol=cfg.optimizer.stop_tol,
        stop_window=cfg.optimizer.stop_window,
        log_every_n_steps=cfg.trainer.get("log_every_n_steps", 50),
        inject_nan_at_step=cfg.get("inject_nan_at_step"),
        lower_states=lower,
        orthogonality=cfg.excited.orthogonality,
    )


def adam_steps(cfg: DictConfig, potential: Any) -> int:
    """``optimizer.adam_steps_pieces`` (when set) for the domain ansatz on a piecewise-constant
    V, whose start is close enough for TangentRitz alone; else ``optimizer.adam_steps``."""
    pieces = cfg.optimizer.get("adam_steps_pieces")
    on_pieces = bool(potential.pieces) and cfg.ansatz.get("kind") == "domain"
    return int(pieces if pieces is not None and on_pieces else cfg.optimizer.adam_steps)


def quadrature(potential: Any, nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """The potential's composite Gauss–Legendre rule with ``nodes`` per panel (training:
    ``quadrature_nodes``; the check rule: 2·quadrature_nodes + 1, exact to twice the degree
    and sharing no node with it), on the panels of ``grading.quadrature_maps``."""
    return mapped_rule(quadrature_maps(potential), nodes, potential.quadrature_panels)


def build_datamodule(cfg: DictConfig, box: Sequence[float], seed: int) -> Any:
    """The collocation-point DataModule of the ``data`` group (its ``rar`` callback apart)."""
    data = OmegaConf.masked_copy(cfg.data, [k for k in cfg.data if k != "rar"])
    return build("data", data, box=box, seed=seed, steps_per_batch=steps_per_batch(cfg))


def steps_per_batch(cfg: DictConfig) -> int:
    """Optimizer steps per Lightning batch: ``data.steps_per_batch`` lowered to the gcd with
    the log interval and every ``callbacks.*.every_n_*`` and ``data.rar.every_n_steps``
    interval, so logs, checkpoints, reference metrics and resampling fall on exactly the steps
    they would at one step per batch."""
    intervals = [int(cfg.trainer.get("log_every_n_steps", 50))]
    for node in [*cfg.callbacks.values(), cfg.data.get("rar")]:
        if node:
            intervals += [int(v) for k, v in node.items() if k.startswith("every_n_") and v]
    return math.gcd(int(cfg.data.get("steps_per_batch", 1)), *intervals)


def build_ansatz(cfg: DictConfig, potential: Any, n: int) -> torch.nn.Module:
    """State n's trial ψ: one net on the box (``dirichlet``) or one per piece (``domain``)."""
    kind = one_of("ansatz.kind", cfg.ansatz.get("kind", "dirichlet"), ANSATZ_KINDS)
    parity = parity_of(cfg.ansatz.get("parity"), n, potential)
    if kind == "domain":
        if cfg.ansatz.kinks:
            raise ConfigError("ansatz.kinks", True, "must be false with ansatz=domain")
        width = cfg.ansatz.get("width")
        if width is not None:
            integer_at_least("ansatz.width", width)
        sizes = {} if width is None else {"width": width}
        maps = domain_maps(potential)
        nets = [build("arch", cfg.arch, out_features=1, **sizes) for _ in maps]
        return DomainAnsatz(nets, maps, parity)
    if any(m.scale is not None for m in quadrature_maps(potential)):
        raise ConfigError(
            "ansatz.kind", kind, "cannot follow ψ across a barrier this wide: use ansatz=domain"
        )
    kinks = potential.breakpoints if cfg.ansatz.kinks else ()
    if kinks and parity:  # g(x) ± g(a+b−x) needs the mirrored kinks too
        kinks = sorted({*kinks, *(potential.box[0] + potential.box[1] - k for k in kinks)})
    net = build("arch", cfg.arch, out_features=1 + len(kinks))
    return DirichletAnsatz(net, potential.box, kinks, parity)


def _fit_state(
    cfg: DictConfig,
    out: Path,
    potential: Any,
    spectra: tuple[Any, Any],
    energy_init: float,
    lower: list[EigenPINN],
    single: bool,
) -> tuple[EigenPINN, dict[str, Any], int, str, str | None, str | None]:
    """Train state len(lower) + 1 with the lower states frozen; return it, its reference
    errors (``evaluate_state`` against the problem's spectrum and, smoothed, the sharp one),
    its steps, status, error line and the checkpoint resumed."""
    n = len(lower) + 1
    spectrum, sharp_spectrum = spectra
    module = build_module(cfg, potential, energy_init, lower)
    callbacks = [
        _with_reference(build(f"callbacks.{k}", c), spectrum) for k, c in cfg.callbacks.items() if c
    ]
    if cfg.data.get("rar"):
        callbacks.append(build("data.rar", cfg.data.rar))
    if not cfg.trainer.get("enable_progress_bar", True):
        callbacks = [c for c in callbacks if not isinstance(c, ProgressBar)]
    logger = build("logger", cfg.logger) if cfg.get("logger") else False
    if not single:  # one checkpoint dir, energy history and TensorBoard run per state
        for callback in callbacks:
            if isinstance(callback, ModelCheckpoint) and callback.dirpath:
                callback.dirpath = str(Path(callback.dirpath) / f"state_{n}")
            if isinstance(callback, ReferenceMetrics) and callback.output_dir:
                callback.output_dir = callback.output_dir / f"state_{n}"
        if logger:
            logger = build("logger", cfg.logger, version=f"state_{n}")
    trainer = build("trainer", cfg.trainer, callbacks=callbacks, logger=logger)
    datamodule = build_datamodule(cfg, potential.box, seed=int(cfg.seed) + n - 1)

    status, error = "ok", None
    ckpt_path = _checkpoint_to_resume(cfg, out) if single else None
    if str(cfg.trainer.get("precision", "")).startswith("64"):
        module.double()  # Lightning loads a checkpoint before its own cast: load it unrounded
    try:
        trainer.fit(module, datamodule=datamodule, ckpt_path=ckpt_path)
    except DivergedError as err:
        status, error = "diverged", str(err)
    state = evaluate_state(module, spectrum, sharp_spectrum)
    for callback in callbacks:
        if isinstance(callback, ReferenceMetrics):
            state["time_to"] = callback.time_to()
    if logger:
        final = {f"final/{k}": state[k] for k in LOGGED if math.isfinite(state[k])}
        logger.log_hyperparams(_flat_hparams(cfg), final)
    return module, state, int(trainer.global_step), status, error, ckpt_path


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


PARITIES = {None: 0, "even": 1, "odd": -1}


def parity_of(choice: str | None, n: int, potential: Any) -> int:
    """+1 (even), −1 (odd) or 0 for state n; ``alternate`` gives even, odd, even, ..."""
    one_of("ansatz.parity", choice, (*PARITIES, "alternate"))
    if choice == "alternate":
        choice = "even" if n % 2 else "odd"
    if choice is not None:
        a, b = potential.box
        x = a + (b - a) * (np.arange(997) + 0.5) / 997  # off any jump of a symmetric step
        if not np.allclose(potential(x), potential(a + b - x), rtol=1e-12, atol=1e-12):
            raise ConfigError(
                "ansatz.parity", choice, "needs a potential symmetric about the box centre"
            )
    return PARITIES[choice]


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
    return str(own) if cfg.get("resume", False) and own.is_file() else None


def _state_status(state: dict[str, Any], scale_free: bool) -> str:
    """'ok', 'collapsed' (ψ ≈ 0), 'wrong_state' (node count or nearest level ≠ n) or
    'aliased' (E[ψ] on the training rule and on the check rule differ by over ALIASING).

    With a Rayleigh-quotient term (``scale_free``) ψ ≡ 0 is no minimum and ∫ψ² is a gauge
    (TangentRitz does not fix it), so only a non-finite or zero norm is a collapse there.
    """
    if not state["norm"] > (0.0 if scale_free else 1e-3):
        return "collapsed"
    if state["nearest_level"] != state["n"] or state["nodes"] != state["n"] - 1:
        return "wrong_state"
    if state["quadrature_gap"] > ALIASING:
        return "aliased"
    return "ok"


def build(key: str, node: DictConfig, **kwargs: Any) -> Any:
    """hydra.utils.instantiate, with a bad value reported as one ConfigError line under `key`."""
    try:
        return instantiate(node, **kwargs)
    except InstantiationException as err:
        cause = err.__cause__
        if isinstance(cause, ConfigError):
            raise cause.under(key) from None
        if isinstance(cause, (TypeError, ValueError)):
            raise ConfigError(key, _short(node), str(cause).splitlines()[0]) from None
        raise


def _with_reference(callback: Any, spectrum: Any) -> Any:
    """Partial callbacks (``_partial_: true``) are completed with the reference spectrum."""
    return callback(spectrum=spectrum) if isinstance(callback, functools.partial) else callback


def _short(node: Any) -> Any:
    data = OmegaConf.to_container(node, resolve=False) if OmegaConf.is_config(node) else node
    return {k: v for k, v in data.items() if k != "_target_"} if isinstance(data, dict) else data


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
