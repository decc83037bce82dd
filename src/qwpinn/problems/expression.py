"""Safe formulas for V(x): arithmetic on x, named parameters and a few functions — no eval.

A formula such as ``v0*(((x-0.5)/w)**2-1)**2`` is parsed with ``ast`` and only numbers,
names (``x`` and the given parameters), + − × ÷ **, unary ±, and the functions of
``FUNCTIONS`` are accepted; anything else is one ConfigError line. The compiled function
works on numpy arrays and torch tensors (tensor methods are used for tensors).
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from qwpinn.errors import ConfigError

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
    formula: str, params: Mapping[str, float], key: str = "formula"
) -> Callable[[Any], Any]:
    """V(x) from `formula`; every name must be x, a parameter, pi, e or a function."""
    if not isinstance(formula, str) or not formula.strip():
        raise ConfigError(key, formula, "must be a formula in x, e.g. '50*(x-0.5)**2'")
    try:
        tree = ast.parse(formula.strip(), mode="eval")
    except SyntaxError as err:
        raise ConfigError(key, formula, f"is not a formula ({err.msg})") from None
    names = {**CONSTANTS, **{k: float(v) for k, v in params.items()}}
    body = _check(tree.body, formula, names, key)

    def potential(x: Any) -> Any:
        return _evaluate(body, x, names) + 0.0 * x  # a constant formula still has x's shape

    return potential


def _check(node: ast.AST, formula: str, names: Mapping[str, float], key: str) -> ast.AST:
    allowed = f"may use x, {', '.join(sorted(names))}, + - * / **, {', '.join(FUNCTIONS)}"
    for child in ast.walk(node):
        if isinstance(child, ast.Constant) and not isinstance(child.value, (int, float)):
            raise ConfigError(key, formula, allowed)
        if isinstance(child, ast.Name) and child.id != "x" and child.id not in names:
            if child.id not in FUNCTIONS:
                raise ConfigError(key, formula, f"unknown name '{child.id}'; {allowed}")
        if isinstance(child, ast.Call) and not (
            isinstance(child.func, ast.Name)
            and child.func.id in FUNCTIONS
            and len(child.args) == 1
            and not child.keywords
        ):
            raise ConfigError(key, formula, allowed)
        ok = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Call, ast.Load)
        ok_ops = tuple(_BINARY) + tuple(_UNARY)
        if not isinstance(child, ok + ok_ops):
            raise ConfigError(key, formula, allowed)
    return node


def _evaluate(node: ast.AST, x: Any, names: Mapping[str, float]) -> Any:
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return x if node.id == "x" else names[node.id]
    if isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left, x, names), _evaluate(node.right, x, names)
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_evaluate(node.operand, x, names))
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    return _apply(node.func.id, _evaluate(node.args[0], x, names))


def _apply(name: str, value: Any) -> Any:
    """np.<name> for numbers and arrays, the tensor's own method for torch tensors."""
    if isinstance(value, (float, int, np.ndarray, np.generic)):
        return getattr(np, "absolute" if name == "abs" else name)(value)
    return getattr(value, name)()
