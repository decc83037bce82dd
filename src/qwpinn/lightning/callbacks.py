"""Callbacks that compare the PINN with the reference spectrum and draw it.

They receive the reference ``Spectrum`` at construction (Hydra configs mark them
``_partial_: true``; ``train.run`` supplies ``spectrum=``). Training itself never reads it.
"""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import lightning as L
import numpy as np
import torch
from lightning.pytorch.callbacks import TQDMProgressBar

from qwpinn.errors import ConfigError, integer_at_least
from qwpinn.methods.energy import norm_squared, rayleigh_quotient, residual
from qwpinn.numerics.derivatives import derivatives

LOGGED = ("energy_rel_error", "psi_l2_error", "residual_rms", "energy_parameter_rel_error")


@torch.enable_grad()
def evaluate_state(module: Any, spectrum: Any, sharp: Any = None) -> dict[str, Any]:
    """Errors of the module's state n against reference level n, on its check quadrature (a
    finer rule than the one it trained on, no node shared: errors of the network's ψ itself).

    energy = E[ψ] (Rayleigh quotient), ψ L2 error = ‖±ψ/‖ψ‖ − ψ_ref‖ with the sign that
    aligns them, residual RMS = (∫ r² dx / L)^½ of the normalized ψ with E = E[ψ];
    ``quadrature_gap`` = |E[ψ]_training rule − E[ψ]| / |E[ψ]| (large: ψ exploits the gaps
    between the training nodes). With the ``sharp`` spectrum of a smoothed potential's w = 0
    twin, also the errors against it (``*_sharp``) and ``smoothing_bias`` = |E_ref − E_ref,sharp|
    / |E_ref,sharp|.
    """
    (x, w, v), n = module.check_nodes(), module.n
    psi, dpsi, d2psi = (t.detach() for t in derivatives(module.psi, x, 2, False))
    norm2 = norm_squared(psi, w)
    energy = rayleigh_quotient(psi, dpsi, v, w).item()
    q = module.nodal_values().detach()
    trained = q.energy().item()
    psi_hat = psi * norm2.rsqrt()
    r = residual(psi_hat, d2psi * norm2.rsqrt(), v, torch.as_tensor(energy, dtype=x.dtype))
    residual_rms = (norm_squared(r, w) / w.sum()).sqrt().item()
    energies = np.asarray(spectrum.energies)
    e_param = float(module.energy.detach().item())
    e_ref, e_error, l2 = _errors(spectrum, n, x, w, psi_hat, energy)
    state = {
        "n": n,
        "energy": energy,
        "energy_ref": e_ref,
        "energy_rel_error": e_error,
        "energy_parameter": e_param,
        "energy_parameter_rel_error": abs(e_param - e_ref) / abs(e_ref),
        "psi_l2_error": l2,
        "residual_rms": residual_rms,
        "quadrature_gap": abs(trained - energy) / abs(energy),
        "norm": norm2.item(),
        "nodes": _sign_changes(psi.cpu().numpy().ravel()),
        "nearest_level": int(np.argmin(np.abs(energies - energy))) + 1,
    }
    if sharp is not None:
        e_sharp, e_error, l2 = _errors(sharp, n, x, w, psi_hat, energy)
        state.update(
            energy_ref_sharp=e_sharp,
            energy_rel_error_sharp=e_error,
            psi_l2_error_sharp=l2,
            smoothing_bias=abs(e_ref - e_sharp) / abs(e_sharp),
        )
    return state


def _errors(
    spectrum: Any, n: int, x: torch.Tensor, w: torch.Tensor, psi_hat: torch.Tensor, energy: float
) -> tuple[float, float, float]:
    """E_ref of level n, |E − E_ref|/|E_ref| and the sign-aligned ‖ψ̂ − ψ_ref‖ on the quadrature."""
    ref = torch.as_tensor(spectrum.psi_at(n, x.detach().cpu().numpy().ravel()), dtype=x.dtype)
    ref = ref.to(x.device).reshape(-1, 1)
    sign = 1.0 if (w * psi_hat * ref).sum().item() >= 0 else -1.0
    l2 = norm_squared(sign * psi_hat - ref, w).sqrt().item()
    e_ref = float(np.asarray(spectrum.energies)[n - 1])
    return e_ref, abs(energy - e_ref) / abs(e_ref), l2


def _sign_changes(values: np.ndarray) -> int:
    """Interior nodes of ψ: sign changes between samples, ignoring the tails below 1e-3·max|ψ|
    (in a wide box the network's noise there would count as nodes)."""
    big = values[np.abs(values) > 1e-3 * np.abs(values).max()]
    return int(np.count_nonzero(np.diff(np.sign(big)) != 0))


class EnergyHistory:
    """Per-step energies of one state and their errors |E − E_ref|/E_ref against level n.

    ``energy`` is E[ψ] of the step's loss evaluation, ``energy_parameter`` the energy the
    model carries (equal to it with ``energy_update: rayleigh``; learned with ``gradient``).
    """

    COLUMNS = (
        "step",
        "time_s",
        "energy",
        "energy_rel_error",
        "energy_parameter",
        "energy_parameter_rel_error",
    )

    def __init__(self, energy_ref: float) -> None:
        self.energy_ref = float(energy_ref)
        self.steps: list[int] = []
        self.times: list[float] = []
        self.energies: list[float] = []
        self.parameters: list[float] = []

    @classmethod
    def read(cls, path: Path, energy_ref: float) -> EnergyHistory:
        """The history a run wrote to ``path`` (an ``energy_history.csv``)."""
        history = cls(energy_ref)
        with Path(path).open() as handle:
            for row in csv.DictReader(handle):
                history.record(
                    int(row["step"]),
                    float(row["time_s"]),
                    float(row["energy"]),
                    float(row["energy_parameter"]),
                )
        return history

    def record(self, step: int, time_s: float, energy: float, parameter: float) -> None:
        self.steps.append(step)
        self.times.append(time_s)
        self.energies.append(energy)
        self.parameters.append(parameter)

    def errors(self, column: str = "energy") -> np.ndarray:
        values = self.energies if column == "energy" else self.parameters
        return np.abs(np.asarray(values) - self.energy_ref) / abs(self.energy_ref)

    def time_to(
        self, thresholds: Sequence[float], column: str = "energy"
    ) -> dict[str, float | None]:
        """Seconds until the error stays below each threshold (None: not below at the end)."""
        return {
            f"{t:.0e}": time_to_stay_below(self.times, self.errors(column), t) for t in thresholds
        }

    def error_at(self, seconds: float, column: str = "energy") -> float:
        """The error of the last step recorded by ``seconds`` (NaN before the first step)."""
        last = int(np.searchsorted(np.asarray(self.times), seconds, side="right")) - 1
        return float(self.errors(column)[last]) if last >= 0 else math.nan

    def write(self, path: Path) -> None:
        """CSV with a header row ``COLUMNS``, one row per step."""
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = zip(
            self.steps,
            self.times,
            self.energies,
            self.errors("energy"),
            self.parameters,
            self.errors("parameter"),
            strict=True,
        )
        lines = [",".join(self.COLUMNS)]
        lines += [f"{s},{t:.6f},{e!r},{de:.6e},{p!r},{dp:.6e}" for s, t, e, de, p, dp in rows]
        path.write_text("\n".join(lines) + "\n")


def time_to_stay_below(
    times: Sequence[float], errors: Sequence[float], threshold: float
) -> float | None:
    """min t_k such that every error from step k on is < threshold; None if the last is not."""
    above = np.flatnonzero(~(np.asarray(errors) < threshold))  # NaN counts as above
    if not len(times) or (len(above) and above[-1] == len(times) - 1):
        return None
    return float(times[above[-1] + 1] if len(above) else times[0])


class ReferenceMetrics(L.Callback):
    """Every ``every_n_steps`` steps and at the end: log reference errors of the state.

    Every step it also records the state's ``EnergyHistory`` (the module returns each step's
    E[ψ], energy parameter and end time; one host sync per batch; time from the start of
    training) and writes it to ``<output_dir>/energy_history.csv`` when
    training ends or fails; ``time_to()`` gives the seconds until the error stays below each
    of ``thresholds``.
    """

    def __init__(
        self,
        spectrum: Any,
        every_n_steps: int = 100,
        output_dir: str | None = None,
        thresholds: Sequence[float] = (1e-3, 1e-5, 1e-7, 1e-9),
    ) -> None:
        self.spectrum, self.every_n_steps = spectrum, max(1, int(every_n_steps))
        self.output_dir = None if output_dir is None else Path(output_dir)
        self.thresholds = tuple(float(t) for t in thresholds)
        self.history: EnergyHistory | None = None
        self._start = 0.0

    def on_train_start(self, trainer: L.Trainer, pl_module: Any) -> None:
        self.history = EnergyHistory(self.spectrum.energies[pl_module.n - 1])
        self._start = time.perf_counter()

    def on_train_batch_end(
        self, trainer: L.Trainer, pl_module: Any, outputs: Any, *args: Any
    ) -> None:
        rayleigh, energy = outputs["rayleigh"].tolist(), outputs["energy"].tolist()
        for step, at, e, parameter in zip(
            outputs["steps"], outputs["times"], rayleigh, energy, strict=True
        ):
            self.history.record(step, at - self._start, e, parameter)
        if trainer.global_step % self.every_n_steps == 0:
            self._log(trainer, pl_module)

    def on_train_end(self, trainer: L.Trainer, pl_module: Any) -> None:
        self._write_history()
        self._log(trainer, pl_module)

    def on_exception(self, trainer: L.Trainer, pl_module: Any, exception: BaseException) -> None:
        self._write_history()

    def time_to(self) -> dict[str, float | None]:
        return self.history.time_to(self.thresholds) if self.history else {}

    def _write_history(self) -> None:
        if self.history is not None and self.output_dir is not None:
            self.history.write(self.output_dir / "energy_history.csv")

    def _log(self, trainer: L.Trainer, pl_module: Any) -> None:
        if trainer.logger is None:
            return
        state = evaluate_state(pl_module, self.spectrum)
        metrics = {f"ref/{k}": state[k] for k in LOGGED if math.isfinite(state[k])}
        trainer.logger.log_metrics(metrics, step=trainer.global_step)


class StepProgressBar(TQDMProgressBar):
    """The TQDM bar in optimizer steps (a batch holds several): redrawn whenever the step count
    passes a multiple of ``refresh_rate`` and at the last step."""

    def on_train_batch_end(self, trainer: L.Trainer, pl_module: Any, *args: Any) -> None:
        bar, n, rate = self.train_progress_bar, trainer.global_step, self.refresh_rate
        if bar is None or bar.disable or not self.is_enabled:
            return
        if n // rate > bar.n // rate or n == bar.total:
            bar.n = n
            bar.set_postfix(self.get_metrics(trainer, pl_module))  # refreshes the bar too


class WavefunctionFigure(L.Callback):
    """At the end: every trained state against ψ_ref with V(x) — PNG, TensorBoard, NPZ."""

    def __init__(self, spectrum: Any, output_dir: str, points: int = 1001) -> None:
        self.spectrum, self.output_dir, self.points = spectrum, Path(output_dir), points

    def on_train_end(self, trainer: L.Trainer, pl_module: Any) -> None:
        data = sample_wavefunctions(pl_module, self.spectrum, self.points)
        self.output_dir.mkdir(parents=True, exist_ok=True)
        np.savez(self.output_dir / "wavefunction.npz", **data)
        figure = plot_wavefunctions(data, pl_module.potential.name)
        figure.savefig(self.output_dir / "wavefunction.png", dpi=120)
        experiment = getattr(trainer.logger, "experiment", None)
        if hasattr(experiment, "add_figure"):
            experiment.add_figure("wavefunction", figure, global_step=trainer.global_step)
        import matplotlib.pyplot as plt

        plt.close(figure)


@torch.no_grad()
def sample_wavefunctions(module: Any, spectrum: Any, points: int) -> dict[str, np.ndarray]:
    """States 1..n (the module and its lower states): ψ_PINN normalized and sign-aligned to
    ψ_ref, ψ_ref and V on a uniform grid of the box; ``psi`` and ``psi_ref`` are (n, points)."""
    a, b = module.potential.box
    x = np.linspace(a, b, points)
    xt = torch.as_tensor(x, dtype=module.quad_x.dtype, device=module.quad_x.device).reshape(-1, 1)
    psi, ref = [], []
    for state in [*module.lower, module]:
        scale = norm_squared(state.psi(state.quad_x), state.quad_w).rsqrt()
        values = (state.psi(xt) * scale).cpu().numpy().ravel()
        exact = spectrum.psi_at(state.n, x)
        psi.append(values if np.dot(values, exact) >= 0 else -values)
        ref.append(exact)
    return {
        "x": x,
        "n": np.arange(1, len(psi) + 1),
        "psi": np.array(psi),
        "psi_ref": np.array(ref),
        "v": np.asarray(module.potential(x), dtype=float),
    }


def plot_wavefunctions(data: dict[str, np.ndarray], title: str) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6, 4))
    for k, (psi, ref) in enumerate(zip(data["psi"], data["psi_ref"], strict=True)):
        label = "reference" if k == 0 else None
        axis.plot(data["x"], ref, "k-", lw=2.5, alpha=0.35, label=label)
        axis.plot(data["x"], psi, f"C{k}--", lw=1.5, label=f"ψ_{data['n'][k]} PINN")
    axis.set_xlabel("x")
    axis.set_ylabel("ψ(x)")
    twin = axis.twinx()
    twin.fill_between(data["x"], data["v"], color="C7", alpha=0.15, step="mid")
    twin.set_ylabel("V(x)", color="C7")
    axis.legend(loc="upper right", fontsize=8)
    axis.set_title(title)
    figure.tight_layout()
    return figure


class ResidualAdaptiveResampling(L.Callback):
    """RAR (Lu et al. 2021): every ``every_n_steps`` steps of the Adam phase, evaluate |r| of the
    normalized ψ at ``candidates`` uniform points and add the ``add`` largest to the module's
    collocation points (``EigenPINN.add_points``): every later step uses them, and checkpoints
    keep them."""

    def __init__(self, every_n_steps: int = 50, candidates: int = 4096, add: int = 32) -> None:
        integer_at_least("every_n_steps", every_n_steps)
        integer_at_least("candidates", candidates)
        if integer_at_least("add", add) > candidates:
            raise ConfigError("add", add, f"must be at most candidates = {candidates}")
        self.every_n_steps, self.candidates, self.add = every_n_steps, candidates, add
        self.generator = torch.Generator()

    def on_fit_start(self, trainer: L.Trainer, pl_module: Any) -> None:
        self.generator.manual_seed(torch.initial_seed() % 2**63)

    def on_train_batch_end(self, trainer: L.Trainer, pl_module: Any, *args: Any) -> None:
        step = trainer.global_step
        if step % self.every_n_steps or step > pl_module.adam_steps:
            return
        a, b = pl_module.potential.box
        x = a + (b - a) * torch.rand(self.candidates, 1, generator=self.generator)
        worst = pl_module.residual_at(x).abs().flatten().topk(self.add).indices
        pl_module.add_points(x[worst])
