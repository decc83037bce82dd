"""Errors of a trained state against the independent reference, and the status rules."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from qwpinn.methods.energy import ALIASING, Nodal, norm_squared, residual
from qwpinn.numerics.derivatives import derivatives

LOGGED = ("energy_rel_error", "psi_l2_error", "residual_rms", "energy_parameter_rel_error")


@torch.enable_grad()
def evaluate_state(state: Any, spectrum: Any, sharp: Any = None) -> dict[str, Any]:
    """Errors of state n against reference level n, on its check quadrature (a
    finer rule than the one it trained on, no node shared: errors of the network's ψ itself).

    energy = E[ψ] (Rayleigh quotient), ψ L2 error = ‖±ψ/‖ψ‖ − ψ_ref‖ with the sign that
    aligns them, residual RMS = (∫ r² dx / L)^½ of the normalized ψ with E = E[ψ];
    ``quadrature_gap`` = |E[ψ]_training rule − E[ψ]| / |E[ψ]| (large: ψ exploits the gaps
    between the training nodes). With the ``sharp`` spectrum of a smoothed potential's w = 0
    twin, also the errors against it (``*_sharp``) and ``smoothing_bias`` = |E_ref − E_ref,sharp|
    / |E_ref,sharp|.
    """
    n, x, w, v, c = state.n, state.check_x, state.check_w, state.check_v, state.check_c
    psi, grad, lap = (torch.cat(t) for t in zip(*_chunked_derivatives(state.psi, x), strict=True))
    norm2 = norm_squared(psi, w)
    energy = Nodal(psi, grad, w, v, c).energy().item()
    trained = state.nodal().energy().item()
    psi_hat = psi * norm2.rsqrt()
    r = residual(psi_hat, lap * norm2.rsqrt(), v, torch.as_tensor(energy, dtype=x.dtype), c)
    residual_rms = (norm_squared(r, w) / w.sum()).sqrt().item()
    energies = np.asarray(spectrum.energies)
    e_param = float(state.energy.detach().item())
    group = degenerate_levels(spectrum, n)
    e_ref, e_error, l2 = _errors(spectrum, n, group, x, w, psi_hat, energy)
    result = {
        "n": n,
        "degeneracy": group,
        "energy": energy,
        "energy_ref": e_ref,
        "energy_rel_error": e_error,
        "energy_parameter": e_param,
        "energy_parameter_rel_error": abs(e_param - e_ref) / abs(e_ref),
        "psi_l2_error": l2,
        "residual_rms": residual_rms,
        "quadrature_gap": abs(trained - energy) / abs(energy),
        "norm": norm2.item(),
        "nodes": _sign_changes(psi.cpu().numpy().ravel()) if x.shape[1] == 1 else None,
        "nearest_level": int(np.argmin(np.abs(energies - energy))) + 1,
    }
    if sharp is not None:
        e_sharp, e_error, l2 = _errors(sharp, n, [n], x, w, psi_hat, energy)
        result.update(
            energy_ref_sharp=e_sharp,
            energy_rel_error_sharp=e_error,
            psi_l2_error_sharp=l2,
            smoothing_bias=abs(e_ref - e_sharp) / abs(e_sharp),
        )
    return result


def degenerate_levels(spectrum: Any, n: int) -> list[int]:
    """The levels (1-based) of level n's degenerate group in the reference: [n] when the
    spectrum names no degeneracy (1D levels are simple)."""
    groups = getattr(spectrum, "degeneracy", None)
    if groups is None:
        return [n]
    return sorted(int(k) + 1 for k in groups[n - 1])


def _errors(
    spectrum: Any,
    n: int,
    group: list[int],
    x: torch.Tensor,
    w: torch.Tensor,
    psi_hat: torch.Tensor,
    energy: float,
) -> tuple[float, float, float]:
    """E_ref of level n, |E − E_ref|/|E_ref| and the ψ error: the sign-aligned
    ‖ψ̂ − ψ_ref‖ of a simple level, ‖ψ̂ − Pψ̂/‖Pψ̂‖‖ (P: projection on the span of the group's
    ψ_ref) of a degenerate one, whose states are any orthonormal basis of that span."""
    points = x.detach().cpu().numpy()
    points = points.ravel() if points.shape[1] == 1 else points
    refs = [spectrum.psi_at(k, points) for k in group]
    refs = torch.as_tensor(np.stack(refs, axis=1), dtype=x.dtype).to(x.device)
    e_ref = float(np.asarray(spectrum.energies)[n - 1])
    if len(group) == 1:
        ref = refs.reshape(-1, 1)
        sign = 1.0 if (w * psi_hat * ref).sum().item() >= 0 else -1.0
        l2 = norm_squared(sign * psi_hat - ref, w).sqrt().item()
    else:
        gram = refs.T @ (w * refs)
        inside = refs @ torch.linalg.solve(gram, refs.T @ (w * psi_hat))
        l2 = norm_squared(psi_hat - inside * norm_squared(inside, w).rsqrt(), w).sqrt().item()
    return e_ref, abs(energy - e_ref) / abs(e_ref), l2


def _chunked_derivatives(psi: Any, x: torch.Tensor, chunk: int = 16384) -> Any:
    """ψ, ∇ψ, Δψ at x, a chunk of nodes at a time (a 3D check rule holds ~10⁵ nodes)."""
    for part in x.split(chunk):
        yield [t.detach() for t in derivatives(psi, part, 2, False)]


def _sign_changes(values: np.ndarray) -> int:
    """Interior nodes of ψ: sign changes between samples, ignoring the tails below 1e-3·max|ψ|
    (in a wide box the network's noise there would count as nodes)."""
    big = values[np.abs(values) > 1e-3 * np.abs(values).max()]
    return int(np.count_nonzero(np.diff(np.sign(big)) != 0))


def state_status(state: dict[str, Any], scale_free: bool) -> str:
    """'ok', 'collapsed' (ψ ≈ 0), 'wrong_state' (1D node count ≠ n − 1, or the nearest level
    outside level n's degenerate group) or
    'aliased' (E[ψ] on the training rule and on the check rule differ by over ALIASING).

    With a Rayleigh-quotient term (``scale_free``) ψ ≡ 0 is no minimum and ∫ψ² is a gauge
    (TangentRitz does not fix it), so only a non-finite or zero norm is a collapse there.
    """
    if not state["norm"] > (0.0 if scale_free else 1e-3):
        return "collapsed"
    levels = state.get("degeneracy") or [state["n"]]
    nodes = state["nodes"]  # counted in 1D only
    if state["nearest_level"] not in levels or nodes not in (None, state["n"] - 1):
        return "wrong_state"
    if state["quadrature_gap"] > ALIASING:
        return "aliased"
    return "ok"


def transitions(states: list[dict[str, Any]], potential: Any) -> list[dict[str, Any]]:
    """Every transition E_j − E_i (i < j) between trained states, against the reference, with
    the photon wavelength in µm where the potential has one (``wavelength_um``: meV units)."""
    out = []
    for i, lower in enumerate(states):
        for upper in states[i + 1 :]:
            value = upper["energy"] - lower["energy"]
            ref = upper["energy_ref"] - lower["energy_ref"]
            item = {
                "from": lower["n"],
                "to": upper["n"],
                "energy": value,
                "energy_ref": ref,
                "rel_error": abs(value - ref) / abs(ref) if ref else float("nan"),
            }
            if hasattr(potential, "wavelength_um"):
                item["wavelength_um"] = potential.wavelength_um(value)
            out.append(item)
    return out
