"""Objects from the composed config: the state, its loss and phases, data, ansatz, and
``build``, Hydra's instantiate with a bad value reported in one line."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from hydra.errors import InstantiationException
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf
from torch import nn

from qwpinn.errors import ConfigError, integer_at_least, one_of
from qwpinn.lightning.module import EigenModule
from qwpinn.methods.eigen import EigenState
from qwpinn.models.ansatz import DirichletAnsatz, DomainAnsatz
from qwpinn.models.localization import GaussianWeight, harmonic_weight, spread_hidden_biases
from qwpinn.models.monomials import OffsetMonomials
from qwpinn.numerics.grading import (
    axis_cuts,
    axis_maps,
    constant_barriers,
    domain_maps,
    kinetic_on,
    sharp_spans,
    wall_decays,
)
from qwpinn.numerics.quadrature import problem_rules
from qwpinn.optim.phases import GradientPhase, PlateauStop

ANSATZ_KINDS = ("dirichlet", "domain")


def build_module(
    cfg: DictConfig, potential: Any, energy_init: float, lower: Sequence[EigenState] = ()
) -> EigenModule:
    """The EigenModule of state len(lower) + 1 as the config describes it (untrained)."""
    n = len(lower) + 1
    state = EigenState(
        build_ansatz(cfg, potential, n),
        potential,
        problem_rules(potential, nodes_per_panel(cfg, potential.dim), cfg.quadrature_layers_nd),
        energy_init,
        lower,
        cfg.excited.orthogonality,
    )
    objective = build("loss", cfg.loss)
    cells = potential.dim > 1 and getattr(potential, "constant_on_cells", False)
    tol = cfg.optimizer.stop_tol_cells if cells else cfg.optimizer.stop_tol
    plateau = PlateauStop(tol, cfg.optimizer.stop_window)
    every = cfg.trainer.log_every_n_steps
    return EigenModule(state, objective, build_phases(cfg, potential), plateau, every)


def nodes_per_panel(cfg: DictConfig, dim: int) -> int:
    """Gauss–Legendre nodes per panel (and axis): ``quadrature_nodes`` in 1D,
    ``quadrature_nodes_nd[d − 2]`` in d = 2, 3 (a cell holds their d-th power)."""
    return int(cfg.quadrature_nodes if dim == 1 else cfg.quadrature_nodes_nd[dim - 2])


def build_phases(cfg: DictConfig, potential: Any) -> list[Any]:
    """The optimizer phases: Adam (with its schedule) for ``adam_steps`` steps when there are
    any, then ``optimizer.refine`` (a phase object) until the end."""
    first = GradientPhase(
        build("optimizer.adam", cfg.optimizer.adam),
        fixed_points=False,
        steps=adam_steps(cfg, potential) if cfg.optimizer.refine else None,
        scheduler=build("optimizer.scheduler", cfg.optimizer.scheduler)
        if cfg.optimizer.scheduler
        else None,
        energy_lr=cfg.optimizer.energy_lr,
    )
    if not cfg.optimizer.refine:
        return [first]
    refine = build("optimizer.refine", cfg.optimizer.refine)
    return [first, refine] if first.steps else [refine]


def adam_steps(cfg: DictConfig, potential: Any) -> int:
    """``optimizer.adam_steps_pieces`` (when set) for the domain ansatz on a V with sharp jumps
    (1D pieces, layers tilted by a field, or d-dim cells of constant V: a grid, a disk), or
    under the harmonic Gaussian of a smooth V in d > 1 (the exact output layer of the untrained
    net starts it), whose start is close enough for TangentRitz alone; else
    ``optimizer.adam_steps``."""
    pieces = cfg.optimizer.adam_steps_pieces
    cells = getattr(potential, "constant_on_cells", False)
    sharp = sharp_spans(potential) is not None or cells
    localized = potential.dim > 1 and not cells and cfg.ansatz.get("localize_nd", False)
    localized = localized and harmonic_weight(potential) is not None
    on_pieces = (sharp or localized) and cfg.ansatz.kind == "domain"
    return int(pieces if pieces is not None and on_pieces else cfg.optimizer.adam_steps)


def build_datamodule(cfg: DictConfig, box: Sequence[float], seed: int) -> Any:
    """The collocation-point DataModule of the ``data`` group (its ``rar`` callback apart)."""
    data = OmegaConf.masked_copy(cfg.data, [k for k in cfg.data if k != "rar"])
    return build("data", data, box=box, seed=seed, steps_per_batch=steps_per_batch(cfg))


def steps_per_batch(cfg: DictConfig) -> int:
    """Optimizer steps per Lightning batch: ``data.steps_per_batch`` lowered to the gcd with
    the log interval and every ``callbacks.*.every_n_*`` and ``data.rar.every_n_steps``
    interval, so logs, checkpoints, reference metrics and resampling fall on exactly the steps
    they would at one step per batch."""
    intervals = [int(cfg.trainer.log_every_n_steps)]
    for node in [*cfg.callbacks.values(), cfg.data.get("rar")]:
        if node:
            intervals += [int(v) for k, v in node.items() if k.startswith("every_n_") and v]
    return math.gcd(int(cfg.data.steps_per_batch), *intervals)


def build_ansatz(cfg: DictConfig, potential: Any, n: int) -> torch.nn.Module:
    """State n's trial ψ: one net on the box (``dirichlet``) or one per piece (``domain``); in
    d > 1 ``domain`` is the product ansatz with kink terms at every cut of V (C¹ across its
    faces, ∂²ψ free to jump there, as the domain ansatz is in 1D)."""
    kind = one_of("ansatz.kind", cfg.ansatz.kind, ANSATZ_KINDS)
    parity = parity_of(cfg.ansatz.parity, n, potential)
    if kind == "domain":
        if cfg.ansatz.kinks:
            raise ConfigError("ansatz.kinks", True, "must be false with ansatz=domain")
        smooth = not getattr(potential, "constant_on_cells", False)
        localize = potential.dim > 1 and smooth and cfg.ansatz.localize_nd
        weight = harmonic_weight(potential) if localize else None
        if potential.dim == 1:
            width = cfg.ansatz.width
            if width is not None:
                integer_at_least("ansatz.width", width)
        else:  # validate checked width_nd, width_localized_nd
            widths = cfg.ansatz.width_nd if weight is None else cfg.ansatz.width_localized_nd
            widths = cfg.ansatz.width_nd if widths is None else widths
            width = None if widths is None else widths[potential.dim - 2]
        sizes = {} if width is None else {"width": width}
        if potential.dim > 1:
            return _product_ansatz(cfg, potential, True, parity, sizes, weight)
        maps = domain_maps(potential)
        barriers = constant_barriers(potential, maps)
        decays = wall_decays(potential, maps)
        nets = [
            None
            if d and v is not None
            else build("arch", cfg.arch, in_features=1, out_features=1, **sizes)
            for d, v in zip(decays, barriers, strict=True)
        ]
        spans = [(m.left, m.right) for m in maps]
        kinetic = kinetic_on(potential, spans)
        return DomainAnsatz(nets, maps, parity, kinetic, n, barriers, decays)
    if potential.dim == 1 and len(set(kinetic_on(potential, potential.pieces or []))) > 1:
        raise ConfigError(
            "ansatz.kind",
            kind,
            "cannot follow the jump of ψ' where the mass steps: use ansatz=domain",
        )
    if any(m.scale is not None for maps in axis_maps(potential) for m in maps):
        raise ConfigError(
            "ansatz.kind", kind, "cannot follow ψ across a barrier this wide: use ansatz=domain"
        )
    return _product_ansatz(cfg, potential, bool(cfg.ansatz.kinks), parity, {})


def _product_ansatz(
    cfg: DictConfig,
    potential: Any,
    kinks: bool,
    parity: int,
    sizes: dict[str, Any],
    weight: GaussianWeight | None = None,
) -> Any:
    """One ``arch`` net (its ``sizes`` overridden) on the whole box under the wall envelope,
    with a ramp at every cut of every axis and a corner function where cuts of two axes cross
    when ``kinks`` (and at their mirror images with ``parity``), a radial ramp at the
    circle of a disk well. Under a harmonic ``weight``, or with none of those features on
    cells of constant V (V constant on the box), the monomials of the offsets up to degree
    ``ansatz.monomial_degree`` (``offset_monomials``) are features too and the net's hidden
    biases are spread: with zero biases its tanh features are odd about the box centre."""
    bounds = potential.bounds
    cuts = axis_cuts(potential) if kinks else [[] for _ in bounds]
    if parity:  # g(x) ± g(a+b−x) needs the mirrored kinks too
        cuts = [
            sorted({*c, *(a + b - k for k in c)}) for (a, b), c in zip(bounds, cuts, strict=True)
        ]
    disk = getattr(potential, "disk", None) if kinks else None
    circles = [] if disk is None else [(disk[0].tolist(), disk[1])]
    psi = DirichletAnsatz(nn.Identity(), bounds.tolist(), cuts, parity, kinks, circles, weight)
    cells = getattr(potential, "constant_on_cells", False)
    bare = kinks and cells and psi.outputs == 1  # one cell: nothing breaks the net's symmetry
    spread = weight is not None or bare
    if spread:
        psi.polynomials = offset_monomials(bounds, weight, cfg.ansatz.monomial_degree)
    psi.net = build("arch", cfg.arch, in_features=potential.dim, out_features=psi.outputs, **sizes)
    if spread:
        spread_hidden_biases(psi.net)
    return psi


def offset_monomials(bounds: np.ndarray, weight: GaussianWeight | None, degree: int) -> Any:
    """The monomials of degree 1 … ``degree`` of the offsets from G's centre m over its lengths
    ℓ_k (half the box side on an axis G does not confine), or from the box centre over half
    its sides (V constant on the whole box: no other feature breaks the net's symmetry)."""
    half = 0.5 * (bounds[:, 1] - bounds[:, 0])
    if weight is None:
        return OffsetMonomials([bounds.mean(axis=1).tolist()], [half.tolist()], degree, len(half))
    lengths = weight.lengths.numpy().ravel()
    scales = np.where(np.isinf(lengths), half, lengths)
    return OffsetMonomials(weight.centre.tolist(), [scales.tolist()], degree, len(half))


PARITIES = {None: 0, "even": 1, "odd": -1}


def parity_of(choice: str | None, n: int, potential: Any) -> int:
    """+1 (even), −1 (odd) or 0 for state n; ``alternate`` gives even, odd, even, ... (in d
    dims: under the inversion x → a + b − x through the box centre)."""
    one_of("ansatz.parity", choice, (*PARITIES, "alternate"))
    if choice == "alternate":
        choice = "even" if n % 2 else "odd"
    if choice is not None:
        lo, hi = potential.bounds[:, 0], potential.bounds[:, 1]
        x = lo + (hi - lo) * np.random.default_rng(0).random((997, potential.dim))  # off jumps
        if not np.allclose(potential(x), potential(lo + hi - x), rtol=1e-12, atol=1e-12):
            raise ConfigError(
                "ansatz.parity", choice, "needs a potential symmetric about the box centre"
            )
    return PARITIES[choice]


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


def with_reference(callback: Any, spectrum: Any) -> Any:
    """Partial callbacks (``_partial_: true``) are completed with the reference spectrum."""
    return callback(spectrum=spectrum) if isinstance(callback, functools.partial) else callback


def _short(node: Any) -> Any:
    data = OmegaConf.to_container(node, resolve=False) if OmegaConf.is_config(node) else node
    return {k: v for k, v in data.items() if k != "_target_"} if isinstance(data, dict) else data
