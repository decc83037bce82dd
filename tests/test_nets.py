"""Architectures: shapes, the equations they implement, seeding, training to the reference."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from conftest import network
from qwpinn.errors import ConfigError
from qwpinn.numerics.derivatives import derivatives

NETS = {
    "mlp": lambda out: network("mlp", width=8, depth=2, out_features=out),
    "fourier": lambda out: network(
        "fourier", width=8, depth=2, features=4, sigma=2.0, nodes=640, out_features=out
    ),
    "modified_mlp": lambda out: network("modified_mlp", width=8, depth=3, out_features=out),
    "gaussian": lambda out: network("gaussian", gaussians=6, feature_dim=3, out_features=out),
}


@pytest.mark.parametrize("name", NETS)
def test_every_net_maps_points_to_outputs_with_trainable_smooth_derivatives(name):
    torch.manual_seed(0)
    net = NETS[name](2).double()
    x = torch.linspace(-1, 1, 17, dtype=torch.float64).reshape(-1, 1)
    assert net(x).shape == (17, 2)
    value, first, second = derivatives(lambda t: net(t)[:, :1], x, 2, create_graph=True)
    (value.square().sum() + second.square().sum()).backward()
    grads = [p.grad for p in net.parameters()]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    assert any(g.abs().sum() > 0 for g in grads)
    h = 1e-4  # ψ'' agrees with central differences of the net itself
    fd = (net(x + h)[:, :1] - 2 * net(x)[:, :1] + net(x - h)[:, :1]) / h**2
    torch.testing.assert_close(second.detach(), fd.detach(), rtol=1e-4, atol=1e-4)


def test_fourier_features_are_fixed_seeded_and_saved():
    torch.manual_seed(3)
    net = network("fourier", width=8, depth=1, features=5, sigma=2.0, nodes=640)
    torch.manual_seed(3)
    again = network("fourier", width=8, depth=1, features=5, sigma=2.0, nodes=640)
    assert torch.equal(net.frequencies, again.frequencies)
    assert "frequencies" in net.state_dict()
    assert not any(p is net.frequencies for p in net.parameters())
    x = torch.rand(7, 1)
    phase = 2 * math.pi * x @ net.frequencies.T
    expected = net.mlp(torch.cat([torch.cos(phase), torch.sin(phase)], dim=1))
    torch.testing.assert_close(net(x), expected)


def test_modified_mlp_gates_every_layer_between_its_two_encoders():
    torch.manual_seed(0)
    net = network("modified_mlp", width=6, depth=3).double()
    x = torch.rand(5, 1, dtype=torch.float64)
    u, v = torch.tanh(net.encoder_u(x)), torch.tanh(net.encoder_v(x))
    h = torch.tanh(net.first(x))
    for gate in net.gates:
        z = torch.tanh(gate(h))
        h = z * u + (1 - z) * v
    torch.testing.assert_close(net(x), net.out(h))
    assert len(net.gates) == 2


def test_gaussian_embedding_is_a_sum_of_trainable_gaussians():
    torch.manual_seed(0)
    net = network("gaussian", gaussians=4, feature_dim=2, sigma=0.3, nodes=256).double()
    x = torch.rand(6, 1, dtype=torch.float64) * 2 - 1
    sigma = 0.125 + torch.nn.functional.softplus(net.width_excess)[:, 0]  # σ_min = 32/256
    mu, f = net.centres[:, 0], net.features
    weights = torch.exp(-((x - mu) ** 2) / (2 * sigma**2))
    torch.testing.assert_close(net(x), net.mlp(weights @ f))
    torch.testing.assert_close(sigma, torch.full((4,), 0.3, dtype=torch.float64))
    assert {"centres", "width_excess", "features"} <= {n for n, _ in net.named_parameters()}


@pytest.mark.parametrize(
    ("make", "key"),
    [
        (lambda: network("fourier", sigma=0.0), "sigma"),
        (lambda: network("fourier", features=0), "features"),
        (lambda: network("gaussian", gaussians=0), "gaussians"),
        (lambda: network("gaussian", sigma=-1.0), "sigma"),
        (lambda: network("fourier", sigma=0.2, nodes=32), "sigma"),
        (lambda: network("gaussian", sigma=0.5, nodes=32), "sigma"),
        (lambda: network("modified_mlp", activation="relu"), "activation"),
        (lambda: network("mlp", width=True), "width"),
    ],
)
def test_bad_sizes_name_the_key(make, key):
    with pytest.raises(ConfigError, match=f"^{key} = "):
        make()


def _rayleigh_on(net: torch.nn.Module, nodes: int) -> float:
    """∫N'² / ∫N² over [−1, 1] on an n-node Gauss–Legendre rule."""
    t, w = np.polynomial.legendre.leggauss(nodes)
    x = torch.tensor(t).reshape(-1, 1)
    value, slope = derivatives(net, x, 1, create_graph=False)
    w = torch.tensor(w).reshape(-1, 1)
    return ((w * slope.square()).sum() / (w * value.square()).sum()).item()


@pytest.mark.parametrize("nodes", [16, 32, 64])
@pytest.mark.parametrize("option", ["fourier", "gaussian"])
def test_default_bands_are_resolved_by_the_rule_they_are_tied_to(option, nodes):
    """With its band tied to ``nodes``, the untrained net's ∫N'²/∫N² on that rule equals the
    400-node value to 1e-9 (measured ≤ 1e-12): the rule cannot be aliased from the start."""
    for seed in range(3):
        torch.manual_seed(seed)
        net = network(option, nodes=nodes).double()
        coarse, fine = _rayleigh_on(net, nodes), _rayleigh_on(net, 400)
        assert abs(coarse - fine) <= 1e-9 * fine


def test_gaussian_widths_never_fall_below_the_rules_bound():
    """However far training pushes a width parameter down, σᵢ stays at σ_min = 32/nodes."""
    net = network("gaussian", gaussians=3, nodes=64).double()
    with torch.no_grad():
        net.width_excess.fill_(-1e3)
    x = torch.linspace(-1, 1, 5, dtype=torch.float64).reshape(-1, 1)
    weights = torch.exp(-0.5 * (x - net.centres.T).square() / 0.5**2)
    torch.testing.assert_close(net(x), net.mlp(weights @ net.features))
