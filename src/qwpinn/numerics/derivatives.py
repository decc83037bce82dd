"""Derivatives of a field ψ(x) at points x of shape (N, d), by autograd.

∇ψ = (∂ψ/∂x_1, ..., ∂ψ/∂x_d) is (N, d); Δψ = Σ_k ∂²ψ/∂x_k² is (N, 1). For d = 1 they are ψ'
and ψ''.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

Field = Callable[[torch.Tensor], torch.Tensor]


def derivatives(fn: Field, x: torch.Tensor, order: int, create_graph: bool) -> list[torch.Tensor]:
    """[ψ] + [∇ψ] (order ≥ 1) + [Δψ] (order 2) at x (N, d).

    Lower derivatives keep their graph (the next one and the loss need it); the highest keeps
    it only if ``create_graph`` (set False when the loss does not backpropagate through it).
    """
    if order not in (0, 1, 2):
        raise ValueError(f"order must be 0, 1 or 2, not {order}")
    x = x.detach().requires_grad_(True)
    psi = fn(x)
    if order == 0:
        return [psi]
    grad = gradient(psi, x, create_graph or order > 1)
    if order == 1:
        return [psi, grad]
    return [psi, grad, divergence(grad, x, create_graph)]


def gradient(psi: torch.Tensor, x: torch.Tensor, create_graph: bool) -> torch.Tensor:
    """∇ψ (N, d) of ψ (N, 1) computed from x (N, d); each row depends on its own point only."""
    (grad,) = torch.autograd.grad(psi.sum(), x, create_graph=create_graph, retain_graph=True)
    return grad


def divergence(field: torch.Tensor, x: torch.Tensor, create_graph: bool) -> torch.Tensor:
    """∇·F (N, 1) of a field F (N, d) of x: Σ_k ∂F_k/∂x_k, one backward pass per dimension."""
    columns = [
        torch.autograd.grad(field[:, k].sum(), x, create_graph=create_graph, retain_graph=True)[0][
            :, k : k + 1
        ]
        for k in range(field.shape[1])
    ]
    return torch.stack(columns).sum(dim=0)


def jacobian_rows(values: torch.Tensor, params: list[torch.Tensor]) -> torch.Tensor:
    """∂values_i/∂θ for flat ``values`` (rows × P), by one batched backward pass: its cost
    grows with rows × the size of the graph behind ``values``."""
    eye = torch.eye(values.shape[0], dtype=values.dtype, device=values.device)
    grads = torch.autograd.grad(values, params, eye, is_grads_batched=True, allow_unused=True)
    rows = values.shape[0]
    return torch.cat(
        [
            values.new_zeros(rows, p.numel()) if g is None else g.reshape(rows, -1)
            for g, p in zip(grads, params, strict=True)
        ],
        dim=1,
    )


def pointwise_jacobian(
    module: torch.nn.Module, params: list[torch.Tensor], x: torch.Tensor, chunk: int = 1024
) -> tuple[torch.Tensor, torch.Tensor]:
    """∂ψ(x_i)/∂θ (N × P) and ∂∇ψ(x_i)/∂θ (N·d × P, node-major) for a ``module`` whose value at
    a point depends on that point alone: one reverse pass per node and output (``torch.func``
    vmap of jacrev), not one per row of a chunk of nodes; θ: ``params``, in their order."""
    names = {id(p): n for n, p in module.named_parameters()}
    keys = [names[id(p)] for p in params]
    theta = {k: p.detach() for k, p in zip(keys, params, strict=True)}

    def value(weights: dict[str, torch.Tensor], point: torch.Tensor) -> torch.Tensor:
        return torch.func.functional_call(module, weights, (point.reshape(1, -1),)).reshape(())

    def rows(weights: dict[str, torch.Tensor], point: torch.Tensor) -> torch.Tensor:
        slope = torch.func.grad(value, argnums=1)(weights, point)
        return torch.cat([value(weights, point).reshape(1), slope])

    per_node = torch.func.vmap(torch.func.jacrev(rows), in_dims=(None, 0))
    blocks = []
    for part in x.detach().split(chunk):
        grads = per_node(theta, part)  # name -> (n, 1 + d, *shape)
        blocks.append(torch.cat([grads[k].reshape(*grads[k].shape[:2], -1) for k in keys], 2))
    full = torch.cat(blocks)  # (N, 1 + d, P)
    return full[:, 0], full[:, 1:].reshape(-1, full.shape[2])
