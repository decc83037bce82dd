from __future__ import annotations

import copy
import functools

import lightning as L
import pytest
import torch
from torch import nn

from conftest import collocation, configured, network
from qwpinn.errors import ConfigError
from qwpinn.lightning.callbacks import StepProgressBar
from qwpinn.lightning.module import EigenModule
from qwpinn.methods.eigen import EigenState
from qwpinn.methods.loss import EigenLoss
from qwpinn.models.ansatz import DirichletAnsatz
from qwpinn.numerics.grading import linear_maps
from qwpinn.numerics.quadrature import Quadrature
from qwpinn.optim.phases import GradientPhase, PlateauStop

LBFGS = GradientPhase(functools.partial(torch.optim.LBFGS, max_iter=3), fixed_points=True)


def make_module(
    potential=None,
    energy_update="gradient",
    weights=None,
    refine=LBFGS,
    lower_states=(),
    orthogonality="projection",
    stop_tol=0.0,
):
    """Adam (3 steps, E in its own group at lr 0.5) then ``refine`` on the finite well."""
    potential = potential or configured("finite_well")
    maps = linear_maps([potential.box[0], *potential.breakpoints, potential.box[1]])
    torch.manual_seed(0)
    state = EigenState(
        DirichletAnsatz(network("mlp", width=8, depth=2), potential.box),
        potential,
        (Quadrature.on_maps(maps, 16), Quadrature.on_maps(maps, 33)),
        30.0,
        lower_states,
        orthogonality,
    )
    weights = weights or {"rayleigh": 1.0, "residual": 1.0, "normalization": 1.0}
    loss = EigenLoss(weights, normalize_psi=True, energy_update=energy_update, annealing=None)
    adam = functools.partial(torch.optim.Adam, lr=1e-3, weight_decay=1e-4)
    first = GradientPhase(adam, fixed_points=False, steps=3 if refine else None, energy_lr=0.5)
    phases = [first, copy.deepcopy(refine)] if refine else [first]
    return EigenModule(state, loss, phases, PlateauStop(stop_tol, 10), log_every_n_steps=50)


def fit(module, tmp_path, steps=5, precision="64-true", callbacks=(), steps_per_batch=1):
    trainer = L.Trainer(
        max_steps=steps,
        precision=precision,
        inference_mode=False,
        logger=False,
        enable_progress_bar=any(isinstance(c, StepProgressBar) for c in callbacks),
        enable_model_summary=False,
        default_root_dir=tmp_path,
        enable_checkpointing=False,
        callbacks=list(callbacks),
    )
    data = collocation(box=module.state.potential.box, n_points=32, steps_per_batch=steps_per_batch)
    trainer.fit(module, datamodule=data)
    return trainer


class CountOptimizerSteps(L.Callback):
    """Uses a step hook, so the module must go through Lightning's optimizer wrapper."""

    def __init__(self) -> None:
        self.calls = 0

    def on_before_optimizer_step(self, trainer, pl_module, optimizer) -> None:
        self.calls += 1


def test_every_optimizer_step_goes_through_lightning_and_stops_at_max_steps(tmp_path):
    """A step hook sees every optimizer step (Lightning's public optimizer step), and
    max_steps acts inside a batch of 3 point sets."""
    hook = CountOptimizerSteps()
    trainer = fit(make_module(refine=None), tmp_path, steps=7, callbacks=[hook], steps_per_batch=3)
    assert hook.calls == 7 and trainer.global_step == 7


def test_the_progress_bar_counts_optimizer_steps(tmp_path):
    bar = StepProgressBar(refresh_rate=4)
    trainer = fit(make_module(refine=None), tmp_path, steps=7, callbacks=[bar], steps_per_batch=3)
    assert bar.train_progress_bar.n == trainer.global_step == 7 == bar.train_progress_bar.total


def test_trainable_energy_is_a_parameter_with_its_own_group_and_gets_a_gradient():
    module = make_module()
    assert isinstance(module.state.energy, nn.Parameter)
    adam, _ = module.configure_optimizers()
    energy_group = adam.param_groups[1]
    assert energy_group["params"] == [module.state.energy]
    assert energy_group["weight_decay"] == 0.0 and energy_group["lr"] == 0.5
    assert adam.param_groups[0]["weight_decay"] == 1e-4
    terms = module.loss.terms(module.state, torch.rand(16, 1))
    module.loss.total(terms).backward()
    assert module.state.energy.grad is not None and module.state.energy.grad.abs() > 0


def test_fixed_energy_is_a_buffer_and_not_optimised():
    module = make_module(configured("infinite_well"))
    assert "state.energy" in dict(module.named_buffers())
    assert all(p is not module.state.energy for p in module.parameters())


def test_rayleigh_update_sets_the_energy_to_the_quotient(tmp_path):
    """After each step E is E[ψ] of the ψ that step's loss was evaluated at: after two steps,
    E[ψ] of a twin module stopped after one (same seed, same points)."""
    module = make_module(energy_update="rayleigh", weights={"rayleigh": 1.0})
    twin = make_module(energy_update="rayleigh", weights={"rayleigh": 1.0})
    fit(module, tmp_path, steps=2)
    fit(twin, tmp_path, steps=1)
    with torch.enable_grad():  # ψ' by autograd
        quotient = twin.loss.terms(twin.state, torch.rand(4, 1, dtype=torch.float64))["rayleigh"]
    assert module.state.energy.item() == pytest.approx(quotient.item(), rel=1e-12)
    assert (
        twin.state.energy.item() != 30.0 and module.state.energy.item() != twin.state.energy.item()
    )


@pytest.mark.parametrize("precision", ["32-true", "64-true"])
def test_energy_survives_a_checkpoint_round_trip(tmp_path, precision):
    module = make_module()
    trainer = fit(module, tmp_path, steps=5, precision=precision)  # Adam then L-BFGS steps
    assert module.state.energy.item() != 30.0
    expected = {"float32": torch.float32, "float64": torch.float64}
    assert module.state.energy.dtype == expected[f"float{precision[:2]}"]
    trainer.save_checkpoint(tmp_path / "last.ckpt")
    restored = make_module()
    state = torch.load(tmp_path / "last.ckpt", weights_only=False)["state_dict"]
    restored.load_state_dict(state)
    assert restored.state.energy.item() == pytest.approx(module.state.energy.item(), rel=1e-7)
    x = torch.rand(8, 1)
    assert torch.allclose(restored(x), module.to(torch.float32)(x), rtol=1e-5)


def test_fixed_energy_buffer_survives_a_checkpoint(tmp_path):
    module = make_module(configured("infinite_well"))
    module.state.energy.fill_(9.87)
    torch.save(module.state_dict(), tmp_path / "m.pt")
    restored = make_module(configured("infinite_well"))
    restored.load_state_dict(torch.load(tmp_path / "m.pt"))
    assert restored.state.energy.item() == pytest.approx(9.87)


def test_every_loss_term_is_finite_and_named():
    module = make_module()
    terms = module.loss.terms(module.state, torch.rand(16, 1))
    assert set(terms) == {"rayleigh", "residual", "normalization"}
    assert all(torch.isfinite(t) for t in terms.values())


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"weights": {"rayleigh": 1.0, "boundary": 1.0}}, "weights.boundary"),
        ({"weights": {"rayleigh": -1.0}}, "weights.rayleigh"),
        ({"weights": {"normalization": 1.0}}, "weights"),
        ({"energy_update": "exact"}, "energy_update"),
    ],
)
def test_bad_loss_settings_name_the_key(kwargs, key):
    with pytest.raises(ConfigError) as err:
        make_module(**kwargs)
    assert err.value.key == key
