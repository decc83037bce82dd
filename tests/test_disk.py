"""The disk well: Gauss–Legendre rules on elements that follow its circle, the C¹ radial ramp
at the circle, and the exact output layer on the untrained net against the reference."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from conftest import compose_config, configured, network, tangent_phase
from qwpinn import reference
from qwpinn.models.ansatz import DirichletAnsatz
from qwpinn.models.circle_features import CircleRamps
from qwpinn.numerics.derivatives import derivatives
from qwpinn.numerics.quadrature import problem_rules
from qwpinn.optim.linear_ritz import linear_ritz
from qwpinn.pipeline.build import build, build_module
from qwpinn.problems.classics import DiskWell

F64 = torch.float64


@pytest.mark.parametrize(("centre", "radius"), [([0.5, 0.5], 0.3), ([0.4, 0.55], 0.2)])
def test_mapped_rule_integrates_the_disk_and_its_complement(centre, radius):
    """Area of the box and of the disk, ∫ r² over the disk (πR⁴/2) and over the rest of the
    box, on the training and the check rule; no node shared, V constant on every cell."""
    disk = DiskWell([[0.0, 1.0], [0.0, 1.2]], centre, radius, 100.0, "trainable")
    rule, check = problem_rules(disk, 10)
    (cx, cy), side = centre, 1.2
    box_r2 = (((1 - cx) ** 3 + cx**3) * side + ((side - cy) ** 3 + cy**3)) / 3
    for q in (rule, check):
        r2 = np.sum((q.nodes - centre) ** 2, axis=1)
        inside = r2 < radius**2
        assert q.integrate(np.ones_like(r2)) == pytest.approx(side, rel=1e-13)
        assert q.integrate(inside) == pytest.approx(math.pi * radius**2, rel=1e-13)
        assert q.integrate(inside * r2) == pytest.approx(math.pi * radius**4 / 2, rel=1e-12)
        assert q.integrate(~inside * r2) == pytest.approx(box_r2 - math.pi * radius**4 / 2, 1e-12)
        values = disk(q.nodes)
        for cell in np.unique(q.cells):
            assert np.ptp(values[q.cells == cell]) == 0.0
    assert len(np.unique(rule.cells)) == 17 and rule.nodes.shape == (17 * 100, 2)
    distances = np.abs(rule.nodes[:, None, :] - check.nodes[None, :, :]).sum(axis=2)
    assert distances.min() > 1e-6


def test_circle_ramp_is_c1_with_a_jump_of_its_second_radial_derivative():
    """ρ = ((r − R)_+/L)²: 0 inside; value and gradient continuous across the circle, ∂²ρ/∂r²
    0 just inside and 2/L² just outside; finite at the centre; the monomials m of the offsets
    X (X, Y, X², XY, Y²) and ρm beside it."""
    centre, radius, length = [0.5, 0.5], 0.3, 2.0
    ramps = CircleRamps([(centre, radius)], length, 2)
    assert ramps.count == 11
    angle, h = 0.7, 1e-6
    direction = torch.tensor([math.cos(angle), math.sin(angle)], dtype=F64)
    radii = torch.tensor([radius - h, radius + h, radius - 0.1, radius + 0.1, 0.0], dtype=F64)
    x = torch.tensor(centre, dtype=F64) + radii[:, None] * direction
    value, grad, _ = derivatives(lambda p: ramps(p)[:, 5:6], x, 2, False)
    assert torch.isfinite(grad).all() and value[4] == 0.0 and value[2] == 0.0
    assert abs(value[0] - value[1]).item() < 1e-11
    assert (grad[0] - grad[1]).abs().max().item() < 1e-6
    hessian = torch.func.hessian(lambda p: ramps(p.reshape(1, 2))[0, 5])
    for point, expected in ((x[2], 0.0), (x[3], 2.0 / length**2)):
        radial = direction @ hessian(point) @ direction
        assert radial.item() == pytest.approx(expected, abs=1e-12)
    features = ramps(x)
    X, Y = ((x - torch.tensor(centre, dtype=F64)) / length).T
    monomials = torch.stack([X, Y, X * X, X * Y, Y * Y], dim=1)
    assert torch.allclose(features[:, :5], monomials, rtol=0, atol=1e-15)
    assert torch.allclose(features[:, 6:], features[:, 5:6] * monomials, rtol=0, atol=1e-15)


def test_ansatz_with_a_circle_vanishes_on_the_walls():
    torch.manual_seed(0)
    box, circle = [[0.0, 1.0], [0.0, 1.0]], ([0.5, 0.5], 0.3)
    net = network("mlp", width=8, depth=2, in_features=2, out_features=12)
    psi = DirichletAnsatz(net, box, [[], []], 0, False, [circle]).double()
    assert psi.outputs == 12
    inside = torch.rand(100, 2, dtype=F64)
    for k in range(2):
        for wall in (0.0, 1.0):
            on_wall = inside.clone()
            on_wall[:, k] = wall
            assert torch.all(psi(on_wall) == 0.0)


def test_exact_output_layer_gives_the_disk_ground_level_from_the_untrained_net(tmp_path):
    """One output-layer Ritz on the untrained default net of the default disk: E[ψ] on the
    check rule within 1e-6 of the circle-following spectral elements, and not below them."""
    cfg = compose_config(tmp_path, "potential=disk")
    potential = build("potential", cfg.potential)
    torch.manual_seed(0)
    state = build_module(cfg, potential, potential.default_energy_init()).state.double()
    state.materialize(with_energy=False)
    params = state.ansatz.linear_parameters()
    rcond = tangent_phase().linear_rcond
    energy = linear_ritz(state.nodal, state.jacobian, params, rcond, 0.0, state.check_nodal)
    exact = reference.solve(potential, 1).energies[0]
    assert -1e-9 < (energy - exact) / exact < 1e-6
    assert configured("disk").constant_on_cells
