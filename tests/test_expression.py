from __future__ import annotations

import numpy as np
import pytest
import torch

from conftest import configured
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


def test_x_y_z_are_the_columns_of_the_points():
    v = compile_formula("x + 10*y + 100*z", {}, dim=3)
    points = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.25]])
    np.testing.assert_array_equal(v(*points.T), [321.0, 29.0])
    assert compile_formula("3", {}, dim=2)(np.zeros(5), np.ones(5)).shape == (5,)


@pytest.mark.parametrize(
    ("formula", "dim", "allowed"),
    [("x*y", 1, "has only x;"), ("sin(y)", 1, "has only x;"), ("x + y + z", 2, "has only x, y;")],
)
def test_a_coordinate_beyond_the_box_is_refused_in_one_line(formula, dim, allowed):
    with pytest.raises(ConfigError) as err:
        compile_formula(formula, {"v0": 1.0}, dim=dim)
    message = str(err.value)
    assert err.value.key == "formula" and "\n" not in message
    assert message.startswith(f"formula = {formula!r}: uses ") and allowed in message


def test_an_expression_in_a_one_d_box_may_not_use_y():

    with pytest.raises(ConfigError, match=r"^formula = 'x\*\*2 \+ y\*\*2': uses y but the 1D box"):
        configured("expression", box=[0, 1], formula="x**2 + y**2")
    assert configured("expression", box=[[0, 1], [0, 1]], formula="x**2 + y**2").dim == 2


@pytest.mark.parametrize("name", ["x", "y", "z"])
def test_a_parameter_may_not_take_a_coordinate_name(name):
    with pytest.raises(ConfigError, match=rf"^params\.{name} = 1\.0: x, y, z name coordinates"):
        compile_formula("x", {name: 1.0})


@pytest.mark.parametrize("formula", ["exp", "x*sqrt", "exp(exp)"])
def test_a_function_name_is_not_a_value(formula):
    with pytest.raises(ConfigError, match=r"unknown name '(exp|sqrt)'"):
        compile_formula(formula, {})
