"""Training in 2D and 3D: the product ansatz and its corner functions, the tensor-product rule,
and a separable box trained by ``qwpinn.solve`` against its exact sums, degenerate pair included."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

import qwpinn
from conftest import configured, exact_layer_on_untrained_net, network
from qwpinn import reference
from qwpinn.evaluation.maps import MAP_POINTS, plot_maps, sample_maps
from qwpinn.models.ansatz import DirichletAnsatz
from qwpinn.models.cut_features import corner
from qwpinn.numerics.derivatives import derivatives
from qwpinn.numerics.quadrature import problem_rules
from qwpinn.pipeline.run import run

F64 = torch.float64


@pytest.mark.parametrize(
    ("box", "cuts", "parity"),
    [
        ([[0.0, 1.0], [-1.0, 2.0]], [[0.25, 0.75], [0.5]], 0),
        ([[0.0, 1.0], [0.0, 1.0], [0.0, 2.0]], [[0.3], [0.4, 0.6], [1.0]], 1),
    ],
)
def test_product_ansatz_vanishes_on_every_wall(box, cuts, parity):
    torch.manual_seed(0)
    dim = len(box)
    pairs = sum(len(cuts[k]) * len(cuts[m]) for k in range(dim) for m in range(k + 1, dim))
    outputs = 1 + sum(map(len, cuts)) + 3 * pairs  # ramps; K, U_X, U_Y per crossing
    net = network("mlp", width=8, depth=2, in_features=dim, out_features=outputs)
    psi = DirichletAnsatz(net, box, cuts, parity, corners=True).double()
    assert psi.outputs == outputs
    bounds = torch.tensor(box, dtype=F64)
    inside = bounds[:, 0] + (bounds[:, 1] - bounds[:, 0]) * torch.rand(200, dim, dtype=F64)
    for k in range(dim):
        for wall in bounds[k]:
            on_wall = inside.clone()
            on_wall[:, k] = wall
            assert torch.all(psi(on_wall) == 0.0)
    assert psi(inside).abs().min() > 0.0
    if parity:
        mirrored = bounds[:, 0] + bounds[:, 1] - inside
        assert torch.allclose(psi(mirrored), psi(inside), rtol=0, atol=1e-14)


@pytest.mark.parametrize("term", [0, 1, 2])
def test_corner_functions_are_c1_with_the_laplacians_of_a_quadrant(term):
    """ΔK = (π/2)·sign(XY), ΔU_X = sign(XY)·X, ΔU_Y = sign(XY)·Y off the axes; each and its
    gradient continuous across them."""
    x = torch.tensor([[0.3, 0.2], [-0.3, 0.2], [-0.1, -0.4], [0.5, -0.25]], dtype=F64)
    _, _, lap = derivatives(lambda p: corner(p[:, :1], p[:, 1:])[term], x, 2, False)
    sign = torch.sign(x[:, :1] * x[:, 1:])
    expected = [(math.pi / 2) * sign, sign * x[:, :1], sign * x[:, 1:]][term]
    assert torch.allclose(lap, expected, rtol=0, atol=1e-12)
    h = 1e-7
    across = torch.tensor([[-h, 0.3], [h, 0.3], [0.0, 0.3], [0.2, -h], [0.2, h]], dtype=F64)
    value, grad = derivatives(lambda p: corner(p[:, :1], p[:, 1:])[term], across, 1, False)
    assert torch.isfinite(grad).all()
    assert abs(value[0] - value[1]).item() < 1e-6 and (grad[0] - grad[1]).abs().max() < 1e-5
    assert (grad[3] - grad[4]).abs().max() < 1e-5


@pytest.mark.parametrize("option", ["square_well", "cube_well"])
def test_product_rule_is_exact_for_polynomials_and_split_at_the_cuts(option):
    potential = configured(option)
    rule, check = problem_rules(potential, 4)
    dim = potential.dim
    assert rule.nodes.shape == (12**dim, dim) and check.nodes.shape == (27**dim, dim)
    assert len(np.unique(rule.cells)) == 3**dim
    interior = [0.25, 0.75]
    for nodes in (rule.nodes, check.nodes):  # no node on a cut, every cell within its cuts
        assert np.min(np.abs(nodes[..., None] - np.array(interior))) > 1e-3
    for cell in np.unique(rule.cells):  # a cell lies between consecutive cuts on every axis
        inside = rule.nodes[rule.cells == cell]
        for k in range(dim):
            edges = np.searchsorted([0.25, 0.75], inside[:, k])
            assert np.all(edges == edges[0])
    shared = {tuple(p) for p in np.round(rule.nodes, 12)} & {
        tuple(p) for p in np.round(check.nodes, 12)
    }
    assert not shared
    powers = np.array([7, 6, 5][:dim])  # degree 7 per axis: exact with 4 nodes per panel
    exact = np.prod(1.0 / (powers + 1))
    for r in (rule, check):
        assert r.integrate(np.prod(r.nodes**powers, axis=1)) == pytest.approx(exact, rel=1e-13)


def test_box_2d_trains_to_its_exact_levels_and_a_degenerate_pair_is_ok(tmp_path):
    """The unit square (V = 0): E = π²(n² + m²), from the exact output layer of the default
    net with the box-centred monomials (4.6e-11 at worst). States 2 and 3 are one level: each
    is some vector of its span, judged by the subspace error; neither is called wrong_state."""
    solution = qwpinn.solve("potential=empty_box", "n_states=3")
    exact = math.pi**2 * np.array([2.0, 5.0, 5.0])
    assert np.all(np.abs(solution.energies - exact) / exact < 1e-9)
    states = solution.results["states"]
    assert [s["status"] for s in states] == ["ok", "ok", "ok"]
    assert [s["degeneracy"] for s in states] == [[1], [2, 3], [2, 3]]
    t, w = np.polynomial.legendre.leggauss(40)
    t, w = 0.5 * (t + 1), 0.5 * w
    x, y = (a.ravel() for a in np.meshgrid(t, t, indexing="ij"))
    weights = np.outer(w, w).ravel()
    pair = np.stack(
        [
            2 * np.sin(np.pi * x) * np.sin(2 * np.pi * y),
            2 * np.sin(2 * np.pi * x) * np.sin(np.pi * y),
        ]
    )
    points = np.stack([x, y], axis=1)
    for n in (2, 3):
        psi = solution.psi(points, n)
        inside = (pair * weights) @ psi
        norm2 = np.sum(weights * psi**2)
        assert norm2 == pytest.approx(1.0, abs=1e-6)
        assert 1.0 - inside @ inside / norm2 < 1e-6  # ‖ψ − Pψ‖²/‖ψ‖², P: the exact pair's span
        assert states[n - 1]["psi_l2_error"] < 1e-3
    overlap = np.sum(weights * solution.psi(points, 2) * solution.psi(points, 3))
    assert abs(overlap) < 1e-6
    data = sample_maps(solution.states[-1], reference.solve(solution.states[0].potential, 3))
    assert data["psi"].shape == (3, MAP_POINTS, MAP_POINTS)
    assert np.abs(data["psi"][0] - data["psi_ref"][0]).max() < 1e-3
    plot_maps(data, "empty_box").savefig(tmp_path / "maps.png")
    assert (tmp_path / "maps.png").stat().st_size > 0


def test_a_2d_run_writes_its_maps_and_degeneracy(make_config):
    """The CLI's run on the square well: results.json with dim 2 and each state's degeneracy
    group, the |ψ|² maps (PNG, NPZ) and TensorBoard events."""
    cfg = make_config(
        "potential=square_well", "n_states=2", "trainer.max_steps=3", "quadrature_nodes_nd=[8,4]"
    )
    results = run(cfg)
    out = Path(cfg.paths.output_dir)
    on_disk = json.loads((out / "results.json").read_text())
    assert on_disk["dim"] == 2 and on_disk["potential"] == "square_well"
    assert [s["degeneracy"] for s in on_disk["states"]] == [[1], [2, 3]]
    assert [s["nodes"] for s in results["states"]] == [None, None]
    maps = np.load(out / "wavefunction.npz")
    assert maps["psi"].shape == maps["psi_ref"].shape == (2, MAP_POINTS, MAP_POINTS)
    assert (out / "wavefunction.png").stat().st_size > 1000
    assert list((out / "tensorboard").rglob("events.out.tfevents.*"))


def test_exact_output_layer_gives_the_square_well_ground_level_from_the_untrained_net(tmp_path):
    """One output-layer Ritz (``linear_ritz``) on the untrained default net of the square
    well: E[ψ] on the check rule within 1e-8 of the spectral-element level, and no lower
    (E[ψ] is an upper bound)."""
    energy, exact = exact_layer_on_untrained_net(tmp_path, "potential=square_well")
    assert 0.0 <= (energy - exact) / exact < 1e-8


def test_square_well_four_lowest_levels_by_the_exact_layer_in_one_step_each(make_config):
    """The default run on the square well, 4 states: each state is the exact output layer
    on the initial hidden layers (one step, then ``converged``); every level, the degenerate
    pair 2 = 3 included, within 1e-9 of the spectral-element reference on the check rule,
    and ``time_to`` judged on the check rule (the training rule's gap is ~1e-8 here)."""
    cfg = make_config("potential=square_well", "n_states=4")
    results = run(cfg)
    states = results["states"]
    assert [s["status"] for s in states] == ["ok"] * 4
    assert [s["steps"] for s in states] == [1] * 4
    assert max(s["energy_rel_error"] for s in states) < 1e-9
    assert all(s["time_to"]["1e-09"] is not None for s in states)
    history = Path(cfg.paths.output_dir) / "state_4" / "energy_history.csv"
    assert "energy_check" in history.read_text().splitlines()[0]
