"""Loss weighting: fixed sums and the learning-rate-annealing update, against hand computation."""

from __future__ import annotations

import pytest
import torch

from qwpinn.errors import ConfigError
from qwpinn.methods.weighting import LossWeighting


def toy_terms():
    """Two terms of one parameter vector with very different gradient scales."""
    theta = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)
    terms = {"residual": (10.0 * theta).square().sum(), "normalization": theta.sum() ** 2}
    return theta, terms


def test_fixed_weights_sum_the_weighted_terms_only():
    weighting = LossWeighting({"residual": 2.0, "normalization": 0.5, "rayleigh": 0.0})
    _, terms = toy_terms()
    terms["rayleigh"] = torch.tensor(1e9)  # weight 0: never added
    expected = 2.0 * terms["residual"] + 0.5 * terms["normalization"]
    torch.testing.assert_close(weighting(terms), expected)
    assert not weighting.due(0) and not weighting.every


def test_annealing_moves_weights_towards_max_over_mean_gradient():
    annealing = {"main": "residual", "every_n_steps": 5, "alpha": 0.1}
    weighting = LossWeighting({"residual": 1.0, "normalization": 1.0}, annealing)
    theta, terms = toy_terms()
    weighting.anneal(terms, [theta])
    (g_main,) = torch.autograd.grad(terms["residual"], theta, retain_graph=True)
    (g_norm,) = torch.autograd.grad(terms["normalization"], theta, retain_graph=True)
    target = g_main.abs().max() / g_norm.abs().mean()
    weights = weighting.as_dict()
    torch.testing.assert_close(weights["normalization"], 0.9 * 1.0 + 0.1 * target)
    assert weights["residual"] == 1.0  # the main term keeps its weight
    assert weighting.due(10) and not weighting.due(11)
    assert "lambdas" in weighting.state_dict()  # checkpointed with the module


@pytest.mark.parametrize(
    ("annealing", "key"),
    [
        ({"main": "boundary", "every_n_steps": 1, "alpha": 0.1}, "annealing.main"),
        ({"main": "rayleigh", "every_n_steps": 1, "alpha": 0.1}, "annealing.main"),
        ({"main": "residual", "every_n_steps": 0, "alpha": 0.1}, "annealing.every_n_steps"),
        ({"main": "residual", "every_n_steps": 1, "alpha": 1.5}, "annealing.alpha"),
    ],
)
def test_bad_annealing_settings_name_the_key(annealing, key):
    with pytest.raises(ConfigError, match=f"^{key} = "):
        LossWeighting({"residual": 1.0, "normalization": 1.0}, annealing)
