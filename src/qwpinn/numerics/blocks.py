"""Jacobians of networks made of separate parts (one net per piece of the box) in fewer columns.

Rows ∂f_i/∂θ (R × P) of a domain ansatz are block sparse: a piece's net touches only the rows of
its own nodes. Grouping the parameter tensors by the rows they touch and replacing each group's
columns by the right singular vectors of its own block gives rows·B with B (P × r) orthonormal,
r ≤ Σ_groups min(rows, columns), whose span holds every row up to round-off: an SVD of R × r in
place of R × P.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

ROUND_OFF = 64  # a group keeps its directions above ROUND_OFF·eps·σ_max of its own block


def compress_columns(
    rows: torch.Tensor, sizes: Sequence[int]
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """(rows·B, B) for the column blocks ``sizes`` (one per parameter tensor), or (rows, None)
    when every block touches every row (nothing to gain)."""
    edges = torch.tensor([0, *sizes]).cumsum(0).tolist()
    groups: dict[bytes, tuple[torch.Tensor, list[int]]] = {}
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        touched = (rows[:, lo:hi] != 0).any(dim=1)
        key = touched.cpu().numpy().tobytes()
        groups.setdefault(key, (touched.nonzero().reshape(-1), []))[1].extend(range(lo, hi))
    if len(groups) == 1 and bool(next(iter(groups.values()))[0].numel() == rows.shape[0]):
        return rows, None
    parts, lifts = [], []
    for touched, columns in groups.values():
        if touched.numel() == 0:  # columns that move no row: no direction to keep
            continue
        cols = torch.tensor(columns, dtype=torch.long, device=rows.device)
        block = rows[touched][:, cols]
        if block.shape[1] > block.shape[0]:
            right, sigma, _ = torch.linalg.svd(block.T, full_matrices=False)
            tol = ROUND_OFF * torch.finfo(rows.dtype).eps * sigma[0]
            right = right[:, sigma > tol] if sigma[0] > 0 else right[:, :0]
        else:
            right = torch.eye(len(columns), dtype=rows.dtype, device=rows.device)
        part = rows.new_zeros(rows.shape[0], right.shape[1])
        part[touched] = block @ right
        lift = rows.new_zeros(rows.shape[1], right.shape[1])
        lift[cols] = right
        parts.append(part)
        lifts.append(lift)
    return torch.cat(parts, dim=1), torch.cat(lifts, dim=1)
