"""README promises that no other test held: the wrong_state status, TensorBoard contents, the
missing-checkpoint error, the non-finite gradient guard and a fixed energy on the finite well."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from test_module import fit, make_module
from test_train import SHORT

from qwpinn.errors import ConfigError, DivergedError
from qwpinn.evaluation.metrics import state_status
from qwpinn.pipeline.run import run

GOOD = {"n": 2, "norm": 1.0, "nearest_level": 2, "nodes": 1, "quadrature_gap": 1e-12}


@pytest.mark.parametrize(
    ("change", "scale_free", "status"),
    [
        ({}, False, "ok"),
        ({"nearest_level": 3}, False, "wrong_state"),  # E[ψ] nearest another level
        ({"nodes": 0}, False, "wrong_state"),  # the node count of another level
        ({"norm": 1e-4}, False, "collapsed"),  # ψ ≈ 0
        ({"norm": 1e-4}, True, "ok"),  # with a Rayleigh term ∫ψ² is a gauge
        ({"norm": 0.0}, True, "collapsed"),
        ({"norm": float("nan")}, True, "collapsed"),
        ({"quadrature_gap": 2e-6}, False, "aliased"),
        ({"nodes": 0, "quadrature_gap": 2e-6}, False, "wrong_state"),  # the worse verdict
    ],
)
def test_each_status_follows_from_the_state(change, scale_free, status):
    """The status rule on hand-made states: each failure is named, in the README's order."""
    assert state_status({**GOOD, **change}, scale_free) == status


def test_an_odd_trial_function_for_the_ground_state_is_a_wrong_state(make_config):
    """ansatz.parity=odd forces ψ(c − x) = −ψ(c + x) on the symmetric finite well: ψ has a node
    at the centre whatever the training does, so state 1 cannot be the (even) ground state."""
    results = run(make_config("ansatz.parity=odd", *SHORT))
    state = results["states"][0]
    assert state["nodes"] >= 1 and state["status"] == "wrong_state"
    assert results["status"] == "wrong_state"


def test_tensorboard_holds_per_state_runs_final_metrics_hparams_and_the_figure(make_config):
    """With n_states=2: one TensorBoard run per state, each with the loss curves, the
    wavefunction figure and hparams whose final/* metrics are the run's results."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.plugins.hparams import plugin_data_pb2

    cfg = make_config("n_states=2", "seed=3", "trainer.log_every_n_steps=10", *SHORT)
    results = run(cfg)
    board = Path(cfg.paths.output_dir) / "tensorboard"
    assert sorted(p.name for p in board.iterdir()) == ["state_1", "state_2"]
    for state in results["states"]:
        events = EventAccumulator(str(board / f"state_{state['n']}"))
        events.Reload()
        tags = events.Tags()
        assert "loss/total" in tags["scalars"] and "wavefunction" in tags["images"]
        final = {t: events.Scalars(t)[-1].value for t in tags["scalars"] if t.startswith("final/")}
        assert final["final/energy_rel_error"] == pytest.approx(state["energy_rel_error"])
        assert final["final/psi_l2_error"] == pytest.approx(state["psi_l2_error"])
        content = events.PluginTagToContent("hparams")["_hparams_/session_start_info"]
        hparams = plugin_data_pb2.HParamsPluginData.FromString(content).session_start_info
        assert "seed" in hparams.hparams and hparams.hparams["seed"].number_value == 3
        assert hparams.hparams["potential._target_"].string_value.endswith("FiniteWell")


def test_a_missing_checkpoint_is_a_one_line_error(make_config, tmp_path):
    """ckpt_path naming no file stops the run before training, naming the key."""
    missing = tmp_path / "nosuch.ckpt"
    with pytest.raises(ConfigError) as err:
        run(make_config(f"ckpt_path={missing}", *SHORT))
    assert err.value.key == "ckpt_path"
    assert str(err.value) == f"ckpt_path = '{missing}': must be an existing checkpoint file"


def test_a_non_finite_gradient_stops_training_before_the_step(tmp_path):
    """A finite loss whose gradient is NaN raises DivergedError naming the step, and no
    parameter moved with that gradient."""
    module = make_module(refine=None)
    weight = next(module.state.ansatz.parameters())
    weight.register_hook(lambda g: torch.full_like(g, float("nan")))
    before = [p.detach().clone() for p in module.state.ansatz.parameters()]
    with pytest.raises(DivergedError, match=r"at step 0 \(loss=[0-9.e+-]+, gradient norm=nan"):
        fit(module, tmp_path, steps=3)
    after = list(module.state.ansatz.parameters())
    assert all(torch.equal(a, b.to(a.dtype)) for a, b in zip(before, after, strict=True))


def test_a_fixed_energy_on_the_finite_well_stays_at_its_initial_value(make_config):
    """potential.energy=fixed holds E at energy_init through a whole run (a trainable one moves
    it), while ψ is still trained toward the ground state."""
    fixed = run(make_config("potential.energy=fixed", "energy_init=25.0", *SHORT, output="f"))
    moved = run(make_config("potential.energy=trainable", "energy_init=25.0", *SHORT, output="t"))
    assert fixed["states"][0]["energy_parameter"] == 25.0
    assert moved["states"][0]["energy_parameter"] != 25.0
    assert fixed["states"][0]["energy_rel_error"] < 1e-2
