"""Safe formulas V(x, y, z) for −∇·(c∇ψ) + Vψ = Eψ: arithmetic on the coordinates, named
parameters and a few functions, parsed with ``ast`` (no eval)."""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from qwpinn.errors import ConfigError
from qwpinn.problems.box import AXES

FUNCTIONS = ("exp", "sin", "cos", "tan", "tanh", "sinh", "cosh", "sqrt", "abs", "log")
CONSTANTS = {"pi": math.pi, "e": math.e}
_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}


def compile_formula(
    formula: str,
    params: Mapping[str, float],
    dim: int = 1,
    key: str = "formula",
    extra: Sequence[str] = (),
) -> Callable[..., Any]:
    """V(x, ...) from `formula`, called with the d coordinate columns (numpy or torch).

    Only numbers, the names x, y, z (the first ``dim`` of them), the parameters, pi and e,
    + − × ÷ **, unary ± and the ``FUNCTIONS`` are accepted; anything else is one ConfigError
    line naming `key`. E.g. ``v0*(((x-0.5)/w)**2-1)**2`` or ``omega**2*(x**2 + y**2)``.
    ``extra`` names further variables, passed after the coordinates (``t`` for evolution).
    """
    variables = (*AXES[:dim], *extra)
    if not isinstance(formula, str) or not formula.strip():
        raise ConfigError(key, formula, f"must be a formula in {', '.join(variables)}")
    for name, value in params.items():
        if name in AXES or name in extra:
            said = f"{', '.join(AXES)} name coordinates" + "".join(f", {v} time" for v in extra)
            raise ConfigError(f"params.{name}", value, said)
    try:
        tree = ast.parse(formula.strip(), mode="eval")
    except SyntaxError as err:
        raise ConfigError(key, formula, f"is not a formula ({err.msg})") from None
    names = {**CONSTANTS, **{k: float(v) for k, v in params.items()}}
    body = _check(tree.body, formula, variables, names, key)

    def potential(*columns: Any) -> Any:
        """V at the coordinate columns; a constant formula still has their shape."""
        values = dict(zip(variables, columns, strict=True))
        return _evaluate(body, {**names, **values}) + 0.0 * columns[0]

    return potential


def _check(
    node: ast.AST, formula: str, variables: Sequence[str], names: Mapping[str, float], key: str
) -> ast.AST:
    """`node` if it is arithmetic on known names, else one ConfigError line naming `key`."""
    allowed = f"may use {', '.join([*variables, *sorted(names)])}, + - * / **, "
    allowed += ", ".join(FUNCTIONS)
    callees = {id(c.func) for c in ast.walk(node) if isinstance(c, ast.Call)}
    ok = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Call, ast.Load)
    ok += tuple(_BINARY) + tuple(_UNARY)
    for child in ast.walk(node):
        if not isinstance(child, ok) or (
            isinstance(child, ast.Constant) and not isinstance(child.value, (int, float))
        ):
            raise ConfigError(key, formula, allowed)
        if isinstance(child, ast.Call) and not (
            isinstance(child.func, ast.Name)
            and child.func.id in FUNCTIONS
            and len(child.args) == 1
            and not child.keywords
        ):
            raise ConfigError(key, formula, allowed)
        if isinstance(child, ast.Name) and id(child) not in callees:
            if child.id in AXES and child.id not in (*variables, *names):
                axes = [v for v in variables if v in AXES]
                box = f"the {len(axes)}D box has only {', '.join(axes)}"
                raise ConfigError(key, formula, f"uses {child.id} but {box}; {allowed}")
            if child.id not in (*variables, *names):
                raise ConfigError(key, formula, f"unknown name '{child.id}'; {allowed}")
    return node


def _evaluate(node: ast.AST, values: Mapping[str, Any]) -> Any:
    """The checked tree's value, every name looked up in `values` (coordinates, parameters)."""
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left, values), _evaluate(node.right, values)
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_evaluate(node.operand, values))
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    return _apply(node.func.id, _evaluate(node.args[0], values))


def _apply(name: str, value: Any) -> Any:
    """np.<name> for numbers and arrays, the tensor's own method for torch tensors."""
    if isinstance(value, (float, int, np.ndarray, np.generic)):
        return getattr(np, "absolute" if name == "abs" else name)(value)
    return getattr(value, name)()
