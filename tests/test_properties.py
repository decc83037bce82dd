"""Property tests over random valid (and invalid) inputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import configured, network
from qwpinn.errors import ConfigError
from qwpinn.models.ansatz import DirichletAnsatz
from qwpinn.reference import exact_energies, finite_difference_energies


@st.composite
def piecewise_potentials(draw):
    """1–6 pieces on a random box, each at least 5% of it wide, V in [-50, 200]."""
    a = draw(st.floats(-2.0, 2.0))
    length = draw(st.floats(0.5, 3.0))
    count = draw(st.integers(1, 6))
    cuts = sorted(draw(st.lists(st.floats(0.05, 0.95), min_size=count - 1, max_size=count - 1)))
    edges = [0.0, *cuts, 1.0]
    if any(hi - lo < 0.05 for lo, hi in zip(edges[:-1], edges[1:], strict=False)):
        edges = list(np.linspace(0.0, 1.0, count + 1))
    xs = [a + length * e for e in edges]
    values = draw(st.lists(st.floats(-50.0, 200.0), min_size=count, max_size=count))
    pieces = [[xs[i], xs[i + 1], values[i]] for i in range(count)]
    return configured("piecewise", box=[xs[0], xs[-1]], pieces=pieces)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(piecewise_potentials())
def test_exact_and_finite_difference_energies_agree(potential):
    exact = exact_energies(potential.pieces, 3)
    fd = finite_difference_energies(potential, 3)
    scale = np.maximum(np.abs(exact), (np.pi / potential.length) ** 2)
    assert np.all(np.abs(fd - exact) <= 1e-8 * scale)
    assert np.all(np.diff(exact) > 0)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(-5.0, 5.0),
    st.floats(0.1, 10.0),
    st.integers(1, 32),
    st.integers(1, 3),
    st.sampled_from(["tanh", "sin", "silu", "gelu"]),
    st.integers(0, 2**31 - 1),
)
def test_ansatz_vanishes_at_the_walls(a, length, width, depth, activation, seed):
    torch.manual_seed(seed)
    box = (a, a + length)
    psi = DirichletAnsatz(
        network("mlp", width=width, depth=depth, activation=activation), box
    ).double()
    walls = torch.tensor([[box[0]], [box[1]]], dtype=torch.float64)
    assert torch.all(psi(walls) == 0.0)


bad_numbers = st.sampled_from([float("nan"), float("inf"), -float("inf"), "x", None])
reversed_pairs = st.tuples(st.floats(0.5, 1.0), st.floats(0.0, 0.49)).map(list)
bad_pairs = st.one_of(
    bad_numbers,
    reversed_pairs,
    st.lists(bad_numbers, min_size=2, max_size=2),
    st.lists(st.floats(0.1, 0.9), min_size=3, max_size=3),
)
outside = st.one_of(
    st.tuples(st.floats(-1.0, -0.01), st.floats(0.1, 0.9)).map(list),
    st.tuples(st.floats(0.1, 0.9), st.floats(1.01, 2.0)).map(list),
)
INVALID = {  # key -> values that must be refused (defaults elsewhere)
    "box": bad_pairs,
    "v0": bad_numbers,
    "energy": st.one_of(
        bad_numbers, st.text(max_size=8).filter(lambda t: t not in ("trainable", "fixed"))
    ),
    "edges": st.one_of(bad_pairs, outside),
}


@settings(max_examples=200, deadline=None)
@given(st.data(), st.sampled_from(["finite_well", "barrier"]), st.sampled_from(sorted(INVALID)))
def test_invalid_values_always_give_the_one_line_error(data, option, key):
    value = data.draw(INVALID[key])
    if key == "edges":
        key = "well" if option == "finite_well" else "barrier"
    with pytest.raises(ConfigError) as err:
        configured(option, **{key: value})
    message = str(err.value)
    assert "\n" not in message and message.startswith(f"{key} = ")


def test_examples_are_reproducible_and_no_database_is_written():
    """The profile conftest.py loads: the same examples on every run, no example database,
    and Hypothesis's own caches outside the checkout (after the tests above ran)."""
    from hypothesis.configuration import storage_directory

    from conftest import ROOT

    assert settings.default.derandomize is True
    assert settings.default.database is None
    assert not storage_directory(intent_to_write=False).path.is_relative_to(ROOT)
