"""LossWeighting: L = Σᵢ λᵢ Lᵢ over the named loss terms, fixed or by learning-rate annealing.

Annealing (Wang, Teng & Perdikaris 2021, "gradient pathologies"): every k steps
    λ̂ᵢ = max|∇θ L_main| / mean|∇θ Lᵢ|,   λᵢ ← (1 − α) λᵢ + α λ̂ᵢ
for every weighted term i other than the main one, whose weight stays as configured. The
weights are a buffer, so checkpoints keep them and a resumed run continues with them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import nn

from qwpinn.errors import ConfigError, integer_at_least, one_of

LOSS_TERMS = ("rayleigh", "residual", "normalization", "orthogonality")


class LossWeighting(nn.Module):
    """Weights λ of the terms in ``LOSS_TERMS`` order; ``annealing`` = None or
    ``{main, every_n_steps, alpha}``."""

    def __init__(
        self, weights: Mapping[str, float], annealing: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__()
        self.configured = _checked_weights(weights)
        values = [self.configured.get(name, 0.0) for name in LOSS_TERMS]
        self.register_buffer("lambdas", torch.tensor(values, dtype=torch.float64))
        self.main, self.every, self.alpha = None, 0, 0.0
        if annealing:
            self.main = one_of("annealing.main", annealing.get("main"), LOSS_TERMS)
            if not self.configured.get(self.main):
                raise ConfigError("annealing.main", self.main, "must be a weighted term")
            every = annealing.get("every_n_steps")
            self.every = integer_at_least("annealing.every_n_steps", every)
            alpha = annealing.get("alpha")
            if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha <= 1:
                raise ConfigError("annealing.alpha", alpha, "must be a number in (0, 1]")
            self.alpha = float(alpha)

    def forward(self, terms: Mapping[str, torch.Tensor]) -> torch.Tensor:
        """L = Σᵢ λᵢ Lᵢ over the terms present with λᵢ > 0."""
        total = 0.0
        for i, name in enumerate(LOSS_TERMS):
            if name in terms and self.configured.get(name):
                total = total + self.lambdas[i].to(terms[name].dtype) * terms[name]
        return total

    def due(self, step: int) -> bool:
        """Whether the annealed weights are recomputed at this step."""
        return self.every > 0 and step % self.every == 0

    def anneal(self, terms: Mapping[str, torch.Tensor], params: Sequence[torch.Tensor]) -> None:
        """One annealing update from the gradients of each term (graph kept for the loss)."""
        main = _gradients(terms[self.main], params)
        peak = torch.cat([g.abs().flatten() for g in main]).max()
        for i, name in enumerate(LOSS_TERMS):
            if name == self.main or name not in terms or not self.configured.get(name):
                continue
            mean = torch.cat([g.abs().flatten() for g in _gradients(terms[name], params)]).mean()
            if mean > 0:  # a term with no gradient (exactly satisfied) keeps its weight
                target = (peak / mean).to(self.lambdas.dtype)
                self.lambdas[i] = (1.0 - self.alpha) * self.lambdas[i] + self.alpha * target

    def as_dict(self) -> dict[str, torch.Tensor]:
        """The current weights of the weighted terms, by name (for logging)."""
        return {n: self.lambdas[i] for i, n in enumerate(LOSS_TERMS) if self.configured.get(n)}


def _gradients(term: torch.Tensor, params: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    grads = torch.autograd.grad(term, params, retain_graph=True, allow_unused=True)
    return [torch.zeros_like(p) if g is None else g for g, p in zip(grads, params, strict=True)]


def _checked_weights(weights: Mapping[str, float]) -> dict[str, float]:
    out = {}
    for name, value in dict(weights).items():
        if name not in LOSS_TERMS:
            allowed = f"unknown term; terms are {', '.join(LOSS_TERMS)}"
            raise ConfigError(f"weights.{name}", value, allowed)
        value = float(value)
        if not value >= 0.0 or value == float("inf"):
            raise ConfigError(f"weights.{name}", value, "must be a finite number >= 0")
        out[name] = value
    if not any(out.get(name) for name in ("rayleigh", "residual")):
        raise ConfigError("weights", weights, "rayleigh or residual must have a weight > 0")
    return out
