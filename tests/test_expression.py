from __future__ import annotations

import numpy as np
import pytest
import torch

from qwpinn.errors import ConfigError
from qwpinn.problems.expression import compile_formula


def test_formula_with_parameters_and_functions_on_numpy_and_torch():
    v = compile_formula(
        "v0*(((x-c)/w)**2-1)**2 + exp(-x) - abs(x) + pi", {"v0": 2, "c": 0.5, "w": 0.25}
    )
    x = np.linspace(-1, 1, 7)
    expected = 2 * (((x - 0.5) / 0.25) ** 2 - 1) ** 2 + np.exp(-x) - np.abs(x) + np.pi
    np.testing.assert_allclose(v(x), expected, rtol=1e-15)
    xt = torch.tensor(x, requires_grad=True)
    np.testing.assert_allclose(v(xt).detach().numpy(), expected, rtol=1e-15)
    assert v(xt).requires_grad  # torch path keeps autograd


def test_a_constant_formula_has_the_shape_of_x():
    assert compile_formula("3", {})(np.zeros(4)).shape == (4,)


@pytest.mark.parametrize(
    "formula",
    [
        "__import__('os').system('true')",
        "x.real",
        "(lambda: 1)()",
        "[x]",
        "open('f')",
        "x if x else 1",
        "'text'",
        "y * x",
        "exp(x, 2)",
        "x +",
        "",
        "x == 1",
        "x[0]",
    ],
)
def test_anything_but_arithmetic_is_refused_in_one_line(formula):
    with pytest.raises(ConfigError) as err:
        compile_formula(formula, {"v0": 1.0})
    assert err.value.key == "formula" and "\n" not in str(err.value)
