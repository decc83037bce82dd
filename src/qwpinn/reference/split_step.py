"""The periodic reference: split-step Fourier for iψ_t = −c ψ_xx + (V(x, t) + g|ψ|²)ψ on [a, b]
with ψ(a) = ψ(b), independent of any network.

ψ = Σ_k ĉ_k e^{ik(x − a)}, k = 2πn/L, |n| ≤ N/2 (``modes`` = N). One Strang step of Δt:
ψ ← e^{−iΔt/2 (V(t + Δt) + g|ψ|²)} F⁻¹ e^{−iΔt c k²} F e^{−iΔt/2 (V(t) + g|ψ|²)} ψ on the
grid x_j = a + jL/N (both potential steps exact: |ψ| is constant under them); symmetric, so
its error is even in Δt and Richardson extrapolation over Δt, Δt/2, Δt/4 gives order 6.
ĉ(0) is the projection of ψ0 (a trapezoid rule on ``OVERSAMPLING``·N points), so a ψ0 that is
not periodic (a jump of ψ' at the wrap) loses only its tail beyond N/2, reported as
``truncation``; ``accuracy`` is the change on the N modes against a run with 2N modes and
Δt/2 (the stepping, aliasing and projection errors of the modes carried).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from qwpinn.reference.evolution import ReferenceEvolution

OVERSAMPLING = 64  # points per mode of the trapezoid rule projecting ψ0


def split_step(evolution: Any, modes: int, steps: int) -> ReferenceEvolution:
    """ψ(x, t_k) on ``modes`` Fourier modes, ``steps`` Strang steps per output interval at the
    coarsest Δt, Richardson-extrapolated; accuracy from the run with 2·modes, 2·steps."""
    a, b = evolution.potential.box
    length = b - a
    check = getattr(evolution.potential, "check_finite", None)
    if check is not None:
        check(evolution.times)
    coefficients, truncation, norm = _extrapolated(evolution, modes, steps)
    finer, _, _ = _extrapolated(evolution, 2 * modes, 2 * steps)
    common = np.rint(np.fft.fftfreq(modes) * modes).astype(int) % (2 * modes)
    change = np.linalg.norm(coefficients - finer[:, common], axis=1).max()
    k = 2.0 * math.pi * np.fft.fftfreq(modes, length / modes)

    def basis(x: np.ndarray) -> np.ndarray:
        return np.exp(1j * np.outer(k, x - a))

    accuracy = float(change * math.sqrt(length) / norm)
    return ReferenceEvolution(
        evolution.times, coefficients, basis, "split_step", truncation, accuracy
    )


def _extrapolated(evolution: Any, modes: int, steps: int) -> tuple[np.ndarray, float, float]:
    """ĉ (Nt, modes) Richardson-extrapolated over steps, 2·steps, 4·steps; the truncation and
    ‖ψ0‖ of the projection."""
    c0, truncation, norm = project(evolution, modes)
    runs = [_strang(evolution, c0, steps * 2**j) for j in range(3)]
    first = [(4.0 * runs[j + 1] - runs[j]) / 3.0 for j in range(2)]
    return (16.0 * first[1] - first[0]) / 15.0, truncation, norm


def project(evolution: Any, modes: int) -> tuple[np.ndarray, float, float]:
    """ĉ_k = (1/L)∫ψ0 e^{−ik(x − a)} dx for the ``modes`` lowest k by the trapezoid rule on
    OVERSAMPLING·modes points (FFT order); ‖ψ0 − Σĉ_k e^{ik(x−a)}‖/‖ψ0‖ from the coefficients
    beyond them; ‖ψ0‖."""
    a, b = evolution.potential.box
    points = OVERSAMPLING * modes
    samples = evolution.initial(a + (b - a) * np.arange(points) / points)
    spectrum = np.fft.fft(samples) / points
    kept = np.rint(np.fft.fftfreq(modes) * modes).astype(int) % points
    total = float(np.sum(np.abs(spectrum) ** 2))
    tail = max(total - float(np.sum(np.abs(spectrum[kept]) ** 2)), 0.0)
    return spectrum[kept], math.sqrt(tail / total), math.sqrt((b - a) * total)


def _strang(evolution: Any, c0: np.ndarray, steps: int) -> np.ndarray:
    """ĉ at the output times (Nt, N) by ``steps`` Strang steps per output interval."""
    a, b = evolution.potential.box
    n = len(c0)
    x = a + (b - a) * np.arange(n) / n
    k = 2.0 * math.pi * np.fft.fftfreq(n, (b - a) / n)
    times = evolution.times
    dt = (times[1] - times[0]) / steps
    kinetic = np.exp(-1j * dt * evolution.kinetic * k**2)

    def kick(psi: np.ndarray, t: float) -> np.ndarray:
        return psi * np.exp(-0.5j * dt * evolution.v_eff(x, t, psi))

    psi, out = np.fft.ifft(c0 * n), [c0]
    for t0 in times[:-1]:
        for j in range(steps):
            t = t0 + j * dt
            psi = kick(np.fft.ifft(kinetic * np.fft.fft(kick(psi, t))), t + dt)
        out.append(np.fft.fft(psi) / n)
    return np.array(out)
