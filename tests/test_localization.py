"""The harmonic Gaussian of a smooth V in 2D/3D (``models/localization.py``): its centre and
lengths from V alone, and the exact output layer of the untrained net under it against the
reference."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from conftest import configured, exact_layer_on_untrained_net
from qwpinn.models.localization import harmonic_weight


def test_the_weight_of_an_oscillator_is_its_ground_state_and_a_flat_v_gets_none():
    """V = Σ ω_k²(x_k − c_k)²: G centred on c with ℓ_k = 1/√ω_k, exp(−ω_k (x_k − c_k)²/2);
    none for the empty box (no curvature) nor for a double well (ψ not confined near m)."""
    potential = configured(
        "oscillator", box=[[-2.0, 2.0], [-1.0, 2.0]], omega=[10.0, 4.0], centre=[0.5, 0.25]
    )
    weight = harmonic_weight(potential)
    assert weight is not None
    np.testing.assert_allclose(weight.centre.numpy().ravel(), [0.5, 0.25], atol=1e-12)
    np.testing.assert_allclose(weight.precision.numpy().ravel(), [10.0, 4.0], rtol=1e-6)
    x = torch.tensor([[0.5, 0.25], [0.0, 1.0]], dtype=torch.float64)
    expected = math.exp(-0.5 * (10.0 * 0.25 + 4.0 * 0.5625))
    assert weight(x)[0].item() == pytest.approx(1.0)
    assert weight(x)[1].item() == pytest.approx(expected, rel=1e-6)
    assert harmonic_weight(configured("empty_box")) is None
    double = configured("expression", box=[[-2, 2], [-2, 2]], formula="20*(x**2-1)**2+5*y**2")
    assert harmonic_weight(double) is None


@pytest.mark.parametrize(("localize", "bound"), [(True, 1e-7), (False, None)])
def test_exact_output_layer_under_the_weight_gives_the_oscillator_ground_level(
    tmp_path, localize, bound
):
    """One output-layer Ritz on the untrained default net of the 2D oscillator (ω = 10, ψ0 of
    width 0.32 in a box of 4): within 1e-7 of the exact level under the harmonic Gaussian,
    and above it (E[ψ] is an upper bound); without the weight the layer is short by more than
    1e-2 (the net's tanh features on the box do not span the narrow Gaussian)."""
    energy, exact = exact_layer_on_untrained_net(
        tmp_path, "potential=oscillator", f"ansatz.localize_nd={localize}"
    )
    error = (energy - exact) / 20
    if bound is None:
        assert error > 1e-2
    else:
        assert 0.0 <= error < bound
