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


def test_offset_monomials_under_the_weight_give_the_oscillators_first_excited_level(tmp_path):
    """The lowest odd state of the 2D oscillator (ω = 10, E = ω(2n_x + 1) + ω(2n_y + 1); walls
    at 6.3ℓ move it by ~e⁻⁴⁰) is its first excited level, 40 (ψ ∝ X·G, X·G among the
    features with the monomials of the offsets, ``ansatz.monomial_degree``): one output-layer
    Ritz on the untrained default net reaches it within 1e-9, from above."""
    energy, _ = exact_layer_on_untrained_net(tmp_path, "potential=oscillator", "ansatz.parity=odd")
    assert 0.0 <= (energy - 40.0) / 40.0 < 1e-9


def test_offset_monomials_are_the_products_of_the_scaled_offsets_with_finite_derivatives():
    """m_e = Π_k ((x_k − c_k)/s_k)^{e_k} for 1 ≤ |e| ≤ 2, X before Y; their gradient at the
    centre itself (X = 0, where X⁰'s derivative by pow is 0·∞) is finite and exact."""
    from qwpinn.models.monomials import OffsetMonomials

    monomials = OffsetMonomials([[0.5, -1.0]], [[2.0, 0.5]], 2, 2)
    x = torch.tensor([[0.5, -1.0], [1.5, 0.0]], dtype=torch.float64, requires_grad=True)
    values = monomials(x)
    X, Y = 0.5, 2.0  # the second point's offsets
    expected = torch.tensor([[0.0] * 5, [X, Y, X * X, X * Y, Y * Y]], dtype=torch.float64)
    assert torch.allclose(values, expected, rtol=0, atol=1e-15)
    (grad,) = torch.autograd.grad(values[0].sum(), x)
    assert torch.isfinite(grad).all()
    assert torch.allclose(grad[0], torch.tensor([1 / 2.0, 1 / 0.5], dtype=torch.float64))
