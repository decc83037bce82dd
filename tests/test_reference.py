"""Reference spectra: exact transfer-matrix roots vs Richardson finite differences vs formulas."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import brentq

from conftest import configured
from qwpinn import reference

FINITE_WELL = [19.95481891118997, 75.14471135580202, 148.36649715744034, 218.12794913942912]
BARRIER = [23.948884869418485, 40.07352002768155, 107.89078752023708, 160.17703338097814]

STEPS = configured(
    "piecewise", box=[0, 1], pieces=[[0, 0.2, 10], [0.2, 0.45, -20], [0.45, 0.7, 60], [0.7, 1, 5]]
)
ODD_STEPS = configured(  # jumps at no common grid spacing, box not [0, 1]
    "piecewise",
    box=[-0.3, 1.7],
    pieces=[[-0.3, 0.1234, 300], [0.1234, 0.5213, 0], [0.5213, 0.61, 500], [0.61, 1.7, 20]],
)
PIECEWISE = {
    "finite_well": configured("finite_well"),
    "barrier": configured("barrier"),
    "asymmetric_well": configured("finite_well", v0=50, well=[0.2, 0.6]),
    "four_steps": STEPS,
    "odd_steps": ODD_STEPS,
}


class Harmonic:
    """V = x² with no pieces: E_n = 2n − 1 (walls at ±8 shift E by far less than 1e-12)."""

    box = (-8.0, 8.0)

    def __call__(self, x):
        return x**2


def gauss(box, parts=200, order=30):
    """Composite Gauss–Legendre nodes and weights on the box."""
    nodes, weights = np.polynomial.legendre.leggauss(order)
    edges = np.linspace(box[0], box[1], parts + 1)
    half, mid = 0.5 * np.diff(edges)[:, None], 0.5 * (edges[:-1] + edges[1:])[:, None]
    return (mid + half * nodes).ravel(), (half * weights).ravel()


def relative(a, b):
    return np.max(np.abs(np.asarray(a) / np.asarray(b) - 1.0))


@pytest.mark.parametrize("box", [(0.0, 1.0), (-1.0, 2.0)])
def test_infinite_well_energies_and_states(box):
    a, length = box[0], box[1] - box[0]
    n = np.arange(1, 5)
    exact = (n * math.pi / length) ** 2
    well = configured("infinite_well", box=box)
    spectrum = reference.solve(well, n_states=4)
    assert spectrum.method == "exact"
    assert relative(spectrum.energies, exact) < 1e-12
    assert relative(reference.finite_difference_energies(well, 4), exact) < 1e-11
    assert relative(reference.solve(well, 4, method="finite_difference").energies, exact) < 1e-11
    psi = np.sqrt(2 / length) * np.sin(n[:, None] * math.pi * (spectrum.x - a) / length)
    assert spectrum.psi.shape == (4, 2001)
    assert np.max(np.abs(spectrum.psi - psi)) < 1e-8
    x = np.random.default_rng(0).uniform(*box, size=(7, 3))
    for level in n:
        expected = np.sqrt(2 / length) * np.sin(level * math.pi * (x - a) / length)
        assert np.max(np.abs(spectrum.psi_at(level, x) - expected)) < 1e-8


@pytest.mark.parametrize(
    ("potential", "table"),
    [(configured("finite_well"), FINITE_WELL), (configured("barrier"), BARRIER)],
)
def test_default_potentials_reproduce_table(potential, table):
    assert relative(reference.solve(potential, n_states=4).energies, table) < 1e-12
    assert relative(reference.exact_energies(potential.pieces, 4), table) < 1e-12


@pytest.mark.parametrize("name", PIECEWISE)
def test_exact_and_finite_differences_agree(name):
    potential = PIECEWISE[name]
    exact = reference.exact_energies(potential.pieces, 4)
    assert relative(reference.finite_difference_energies(potential, 4), exact) < 1e-11
    assert np.all(np.diff(exact) > 0)


def test_finite_differences_without_pieces():
    spectrum = reference.solve(Harmonic(), n_states=4)
    assert spectrum.method == "finite_difference"
    assert np.max(np.abs(spectrum.energies - [1.0, 3.0, 5.0, 7.0])) < 1e-11
    x, w = gauss(Harmonic.box)
    hermite = [np.ones_like(x), 2 * x, 4 * x**2 - 2, 8 * x**3 - 12 * x]
    for level, poly in enumerate(hermite, start=1):
        expected = poly * np.exp(-(x**2) / 2)
        expected *= (-1) ** (level - 1) / np.sqrt(np.sum(w * expected**2))  # + lobe at x = a
        assert np.max(np.abs(spectrum.psi_at(level, x) - expected)) < 1e-8


def test_explicit_meshes_converge_as_h_squared():
    one = reference.finite_difference_energies(configured("finite_well"), 2, sizes=[400])
    richardson = reference.finite_difference_energies(
        configured("finite_well"), 2, sizes=[200, 400]
    )
    error_400 = relative(one, FINITE_WELL[:2])
    assert 1e-6 < error_400 < 1e-3
    assert relative(richardson, FINITE_WELL[:2]) < 1e-3 * error_400


@pytest.mark.parametrize("method", ["exact", "finite_difference"])
@pytest.mark.parametrize("name", ["finite_well", "barrier", "four_steps", "odd_steps"])
def test_eigenfunctions_normalized_orthogonal_nodes_and_sign(name, method):
    potential = PIECEWISE[name]
    spectrum = reference.solve(potential, n_states=4, grid_points=1001, method=method)
    assert spectrum.method == method
    x, w = gauss(potential.box)
    values = np.array([spectrum.psi_at(n, x) for n in range(1, 5)])
    gram = (values * w) @ values.T
    assert np.max(np.abs(gram - np.eye(4))) < 1e-8
    # On the sampled grid itself: the trapezoid rule is O(h²) only where a jump of V splits a
    # grid cell unevenly (odd_steps); elsewhere ψψ' = 0 at the walls makes it far better.
    trapezoid = np.trapezoid(spectrum.psi**2, spectrum.x, axis=1)
    assert np.max(np.abs(trapezoid - 1)) < (1e-6 if name == "odd_steps" else 1e-8)
    assert spectrum.x[0] == potential.box[0] and spectrum.x[-1] == potential.box[1]
    assert set(potential.breakpoints) <= set(spectrum.x.tolist())
    assert len(spectrum.x) == 1001 + sum(
        not np.any(np.isclose(np.linspace(*potential.box, 1001), b, rtol=0, atol=1e-12))
        for b in potential.breakpoints
    )
    for n, psi in enumerate(spectrum.psi, start=1):
        assert psi[0] == 0 and psi[-1] == 0
        big = psi[np.abs(psi) > 1e-6 * np.abs(psi).max()]
        assert big[0] > 0
        assert np.count_nonzero(np.diff(np.sign(big)) != 0) == n - 1


def test_exact_and_finite_difference_states_agree():
    exact = reference.solve(ODD_STEPS, n_states=4)
    fd = reference.solve(ODD_STEPS, n_states=4, method="finite_difference")
    assert np.max(np.abs(exact.psi - fd.psi)) < 1e-6
    assert relative(fd.energies, exact.energies) < 1e-11


def test_deep_double_well_is_finite_and_orthonormal():
    """κd = 200: the two wells decouple to working precision; no overflow, no duplicate ψ."""
    wells = configured("piecewise", box=[0, 1], pieces=[[0, 0.4, 0], [0.4, 0.6, 1e6], [0.6, 1, 0]])
    spectrum = reference.solve(wells, n_states=4)

    # One well of width 0.4 against a wall of height 1e6 (κd = 200: the other well is out of
    # reach): sin(kx) inside matches e^{−κx} at x = 0.4, k·cot(0.4k) = −κ, with 0.4k in (π/2, π).
    def match(k):
        return k * math.cos(0.4 * k) + math.sqrt(1e6 - k * k) * math.sin(0.4 * k)

    k = brentq(match, math.pi / 2 / 0.4, math.pi / 0.4, xtol=1e-15, rtol=1e-15)
    single = k * k
    assert relative(spectrum.energies[:2], [single, single]) < 1e-13
    x, w = gauss(wells.box)
    values = np.array([spectrum.psi_at(n, x) for n in range(1, 5)])
    assert np.all(np.isfinite(spectrum.psi))
    assert np.max(np.abs((values * w) @ values.T - np.eye(4))) < 1e-10


def test_psi_at_outside_box_and_shape():
    spectrum = reference.solve(configured("finite_well"), n_states=2)
    x = np.array([[-0.5, 0.0], [1.0, 1.5]])
    assert spectrum.psi_at(2, x).shape == (2, 2)
    assert np.all(spectrum.psi_at(2, x) == 0.0)
    np.testing.assert_allclose(spectrum.psi_at(1, spectrum.x), spectrum.psi[0], atol=1e-15)
    with pytest.raises(ValueError):
        spectrum.psi[0, 0] = 1.0


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"method": "spectral"}, "method"),
        ({"method": None}, "method"),
        ({"n_states": 0}, "n_states"),
        ({"n_states": 2.0}, "n_states"),
        ({"n_states": True}, "n_states"),
        ({"grid_points": 1}, "grid_points"),
    ],
)
def test_invalid_arguments(kwargs, key):
    with pytest.raises(ValueError, match=key) as info:
        reference.solve(configured("finite_well"), **kwargs)
    assert "\n" not in str(info.value)


def test_invalid_method_lists_allowed_values():
    with pytest.raises(ValueError, match="auto, exact, finite_difference"):
        reference.solve(configured("finite_well"), method="spectral")
    with pytest.raises(ValueError, match="method"):
        reference.solve(Harmonic(), method="exact")
    spectrum = reference.solve(configured("finite_well"), n_states=2)
    with pytest.raises(ValueError, match=r"^n = 0: must be an integer ≥ 1$"):
        spectrum.psi_at(0, [0.5])
    with pytest.raises(ValueError, match=r"^n = 3: must be a level 1\.\.2 of this spectrum$"):
        spectrum.psi_at(3, [0.5])
    with pytest.raises(ValueError, match="pieces"):
        reference.exact_energies([(0, 0.5, 0), (0.6, 1, 0)], 1)
    with pytest.raises(ValueError, match="sizes"):
        reference.finite_difference_energies(configured("finite_well"), 1, sizes=[100, 150])


def config_potential(name: str):
    """The potential exactly as conf/potential/<name>.yaml builds it (box included)."""
    from conftest import compose_config
    from qwpinn.pipeline.build import build

    return build("potential", compose_config(Path("unused"), f"potential={name}").potential)


def closed_form(name: str, params: dict):
    """Whole-line levels E_n and eigenfunctions ψ_n (unnormalized) of the named classic."""
    from numpy.polynomial.hermite import hermval
    from scipy.special import lpmv

    c = params["c"]
    if name == "harmonic":  # E_n = ω(2n + 1), ψ_n = H_n(√ω(x − c)) e^{−ω(x−c)²/2}
        w = params["omega"]
        return [
            (
                w * (2 * n + 1),
                lambda x, n=n: (
                    hermval(math.sqrt(w) * (x - c), [0] * n + [1]) * np.exp(-w * (x - c) ** 2 / 2)
                ),
            )
            for n in range(4)
        ]
    lam, alpha = params["lam"], params["alpha"]  # E_n = −α²(λ − n)², ψ_n = P_λ^{λ−n}(tanh)
    return [
        (-((alpha * (lam - n)) ** 2), lambda x, n=n: lpmv(lam - n, lam, np.tanh(alpha * (x - c))))
        for n in range(int(lam))
    ]


@pytest.mark.parametrize("name", ["harmonic", "poschl_teller"])
def test_harmonic_and_poschl_teller_configs_have_their_closed_form_spectra(name):
    """The configs' levels are the whole-line closed forms raised by the box walls the config
    sets. A Dirichlet wall at x_w raises E_n by 2|ψ_n(x_w)ψ_n'(x_w)| to leading order (ψ_n
    normalized on the line): asserted to 2% of that shift (the next order is smaller by e^{−2κL})
    plus 1e-10·|E_n| for the reference solver. For Pöschl–Teller's level −4 on [−6, 6] the
    shift is 7.2e-9, far above that tolerance: a box other than the config's fails."""
    from scipy.integrate import quad

    potential = config_potential(name)
    levels = closed_form(name, potential.params)
    solved = reference.solve(potential, n_states=len(levels)).energies
    c, h = potential.params["c"], 1e-5
    for (line, psi), energy in zip(levels, solved, strict=True):
        norm = quad(lambda x, psi=psi: psi(x) ** 2, c - 40, c + 40, points=[c], limit=400)[0]
        shift = sum(
            2 * abs(psi(x) * (psi(x + h) - psi(x - h)) / (2 * h)) / norm for x in potential.box
        )
        assert abs(energy - line - shift) <= 0.02 * shift + 1e-10 * abs(energy)


def finite_well_levels(v0: float, half: float, side: float, count: int) -> list[float]:
    """Symmetric well of half width `half`, V = v0 on the `side` between it and each wall.
    Outside, u(y) vanishes at the wall (y = 0): sinh(κy)/κ below v0, sin(qy)/q above. Even
    states cos(k(x − c)) and odd states sin(k(x − c)) match it at the edge:
    k·sin(k·half)·u − cos(k·half)·u' = 0 (even), k·cos(k·half)·u + sin(k·half)·u' = 0 (odd),
    i.e. k·tan(k·half) = κ·coth(κ·side) and k·cot(k·half) = −κ·coth(κ·side) below v0."""

    def outside(k):
        q2 = k * k - v0
        if q2 < 0:
            kappa = math.sqrt(-q2)
            return math.sinh(kappa * side) / kappa, math.cosh(kappa * side)
        q = math.sqrt(q2)
        return (math.sin(q * side) / q if q else side), math.cos(q * side)

    def even(k):
        u, du = outside(k)
        return k * math.sin(k * half) * u - math.cos(k * half) * du

    def odd(k):
        u, du = outside(k)
        return k * math.cos(k * half) * u + math.sin(k * half) * du

    ks = []
    grid = np.linspace(1e-9, 4 * math.pi / half, 8001)  # well past the count-th level
    for f in (even, odd):
        values = [f(k) for k in grid]
        pairs = zip(grid[:-1], grid[1:], values[:-1], values[1:], strict=True)
        ks += [brentq(f, a, b, xtol=1e-15) for a, b, fa, fb in pairs if fa * fb < 0]
    return sorted(k * k for k in ks)[:count]


def test_finite_well_config_solves_its_transcendental_conditions():
    """conf/potential/finite_well.yaml's four lowest levels (two below v0, two above) are the
    roots of the matching conditions solved here, on the well and box the config sets."""
    well = config_potential("finite_well")
    (a, b), (w0, w1) = well.box, well.well
    assert math.isclose(w0 - a, b - w1)  # symmetric in its box: the conditions below hold
    levels = finite_well_levels(well.v0, (w1 - w0) / 2, w0 - a, 4)
    assert len(levels) == 4 and levels[1] < well.v0 < levels[2]
    assert relative(reference.solve(well, n_states=4).energies, levels) < 1e-11


def test_barrier_config_solves_its_transcendental_conditions():
    """conf/potential/barrier.yaml's two lowest levels: sin(kx) from each wall meets cosh or
    sinh of κ(x − c) in the barrier: k·cot(k·l) = −κ·tanh(κd) (even), = −κ·coth(κd) (odd)."""
    barrier = config_potential("barrier")
    (a, b), (b0, b1), v0 = barrier.box, barrier.barrier, barrier.v0
    assert math.isclose(b0 - a, b - b1)
    side, d = b0 - a, (b1 - b0) / 2

    def condition(parity):
        def f(k):
            kappa = math.sqrt(v0 - k * k)
            hyper = math.tanh(kappa * d) if parity == "even" else 1 / math.tanh(kappa * d)
            return k * math.cos(k * side) + kappa * hyper * math.sin(k * side)

        return f

    # both lowest levels have k·side in (π/2, π): the wall-to-barrier lobe is a half wave
    bracket = (math.pi / 2 / side, min(math.pi / side, math.sqrt(v0)) * (1 - 1e-12))
    levels = [brentq(condition(p), *bracket, xtol=1e-15) ** 2 for p in ("even", "odd")]
    assert relative(reference.solve(barrier, n_states=2).energies, levels) < 1e-11


def test_exact_roots_in_a_box_300_times_the_well_match_a_box_30_times_it():
    """Walls 300 well-widths out: the decaying solution underflows across the barrier (e^{-1340})
    and the Prüfer angle carries its direction alone; the levels are those of the box 30 times
    the well, where the walls move them by e^{-2κ·29.5} ≈ e^{-264}."""
    wide = reference.solve(configured("finite_well", box=[-300, 300], well=[-0.5, 0.5], v0=20.0), 2)
    narrow = reference.solve(configured("finite_well", box=[-30, 30], well=[-0.5, 0.5], v0=20.0), 2)
    assert np.allclose(wide.energies, narrow.energies, rtol=1e-13, atol=0.0)
