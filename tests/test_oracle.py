"""The oracle is checked too, and never by itself: the NumPy implementation in float64 against an independent
high-precision reference — mpmath at 50 significant digits for the element-wise functions, softmax and
log-softmax, the norms on small groups, the losses and the positional angles; exact integer arithmetic for the
T5 buckets.

Every comparison is relative, with the budget of :func:`properties.tolerances.tolerance` for float64 and the
condition number of what is computed (for an element-wise ``f``: ``|x f'(x) / f(x)|``; for a sum: ``sum |terms| /
|sum terms|``), so a tail computed through a cancelling difference (``1 + erf(x)`` for very negative x) fails.
Inputs are fixed grids and draws from fixed seeds: nothing here is random from run to run.
"""
from __future__ import annotations

import math
import pathlib

import mpmath as mp
import numpy as np
import pytest

import impls.numpy as oracle
from properties.tolerances import flush_floor, tolerance

mp.mp.dps = 50

#: element-wise arguments from the tails to the middle (both signs), where each function is well conditioned
GRID = np.array(sorted({s * m for s in (-1.0, 1.0) for m in (1e-300, 1e-30, 1e-8, 1e-3, 0.1, 0.5, 1.0, 1.7, 3.0,
                                                                  5.5, 9.0, 15.0, 26.0, 37.0, 60.0, 200.0, 700.0)}))


def _relative_errors(got: np.ndarray, want: list, cond: np.ndarray) -> np.ndarray:
    """|got - want| / max(|want|, floor) over the float64 budget for each element's condition number; the floor
    is float64's smallest normal number, below which rounding is absolute (a true value of 1e-783 is 0.0)."""
    floor = mp.mpf(flush_floor("float64"))
    out = np.zeros(got.shape)
    for i, (g, w, c) in enumerate(zip(got.ravel(), want, cond.ravel())):
        out.flat[i] = float(abs(mp.mpf(float(g)) - w) / max(abs(w), floor)) / tolerance("float64", cond=1.0 + float(c))
    return out


def _assert_accurate(name, x, got, want, cond):
    ratios = _relative_errors(np.asarray(got, dtype=np.float64), want, np.asarray(cond, dtype=np.float64))
    worst = int(np.argmax(ratios))
    assert ratios.max() <= 1.0, (f"{name}: relative error {ratios.max():.3g}x the float64 budget at "
                                 f"x={np.ravel(x)[worst]!r}: oracle {np.ravel(got)[worst]!r}, "
                                 f"mpmath {mp.nstr(want[worst], 20)}")


def _phi(x):
    return mp.ncdf(x)


ELEMENTWISE = {
    "relu": lambda x: max(x, mp.mpf(0)),
    "sigmoid": lambda x: 1 / (1 + mp.exp(-x)),
    "tanh": mp.tanh,
    "silu": lambda x: x / (1 + mp.exp(-x)),
    "gelu": lambda x: x * _phi(x),
}


def _condition(f, x):
    """``|x f'(x) / f(x)|`` at ``x`` (0 where f is 0)."""
    fx = f(x)
    if fx == 0:
        return mp.mpf(0)
    return abs(x * mp.diff(f, x) / fx)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_functions_are_accurate_in_every_tail(name):
    f = ELEMENTWISE[name]
    xs = [mp.mpf(float(v)) for v in GRID]
    want = [f(v) for v in xs]
    cond = np.array([float(_condition(f, v)) if name != "relu" else 1.0 for v in xs])
    _assert_accurate(name, GRID, getattr(oracle, name)(GRID.copy()), want, cond)


def test_tanh_gelu_is_the_formula():
    c = mp.sqrt(2 / mp.pi)

    def f(x):
        return x / 2 * (1 + mp.tanh(c * (x + mp.mpf("0.044715") * x ** 3)))
    xs = GRID[np.abs(GRID) < 10]  # beyond, the cubic's own rounding sets the gate to exactly 0 or 1
    want = [f(mp.mpf(float(v))) for v in xs]
    cond = np.array([float(_condition(f, mp.mpf(float(v)))) for v in xs])
    _assert_accurate("gelu(approximate=True)", xs, oracle.gelu(xs.copy(), approximate=True), want, cond)


def _rows(seed, shape=(6, 7)):
    rng = np.random.default_rng(seed)
    return rng.normal(size=shape) * rng.choice([0.1, 3.0, 40.0], size=(shape[0], 1)) \
        + rng.choice([0.0, 1e3, -1e6], size=(shape[0], 1))


@pytest.mark.parametrize("seed", range(3))
def test_softmax_and_log_softmax(seed):
    x = _rows(seed)
    want_p, want_l, cond_p, cond_l = [], [], [], []
    for row in x:
        r = [mp.mpf(float(v)) for v in row]
        lse = mp.log(mp.fsum(mp.exp(v) for v in r))
        spread = max(r) - min(r)
        for v in r:
            want_l.append(v - lse)
            want_p.append(mp.exp(v - lse))
            cond_p.append(float(1 + spread))  # exp turns the argument's absolute error into a relative one
            cond_l.append(float((abs(v) + abs(lse)) / abs(v - lse)) if v != lse else 1.0)
    _assert_accurate("softmax", x, oracle.softmax(x.copy()), want_p, np.array(cond_p))
    _assert_accurate("log_softmax", x, oracle.log_softmax(x.copy()), want_l, np.array(cond_l))


@pytest.mark.parametrize("seed", range(3))
def test_norms_on_small_groups(seed):
    x = _rows(seed, shape=(5, 4))
    ln, rms = oracle.layer_norm(x.copy(), 1), oracle.rms_norm(x.copy(), 1)
    want_ln, want_rms, cond_ln, cond_rms = [], [], [], []
    for row in x:
        r = [mp.mpf(float(v)) for v in row]
        mean = mp.fsum(r) / len(r)
        var = mp.fsum((v - mean) ** 2 for v in r) / len(r)
        ms = mp.fsum(v * v for v in r) / len(r)
        for v in r:
            y = (v - mean) / mp.sqrt(var + mp.mpf("1e-5"))
            want_ln.append(y)
            # the centring cancels |mean| / std; each output then carries that relative to its own size
            cond_ln.append(float((1 + abs(mean) / mp.sqrt(var)) * (1 + 1 / max(abs(y), mp.mpf("1e-3")))))
            want_rms.append(v / mp.sqrt(ms + mp.mpf("1e-6")))
            cond_rms.append(2.0)
    _assert_accurate("layer_norm", x, ln, want_ln, np.array(cond_ln))
    _assert_accurate("rms_norm", x, rms, want_rms, np.array(cond_rms))


def _sum_condition(terms) -> float:
    total = mp.fsum(terms)
    return float(mp.fsum(abs(t) for t in terms) / abs(total)) if total != 0 else 1.0


@pytest.mark.parametrize("seed", range(3))
def test_losses(seed):
    rng = np.random.default_rng(100 + seed)
    logits = _rows(seed, shape=(4, 5))
    target = rng.integers(0, 5, size=4)
    ce = oracle.cross_entropy(logits.copy(), target, reduction="none")
    want, cond = [], []
    for row, t in zip(logits, target):
        r = [mp.mpf(float(v)) for v in row]
        lse = mp.log(mp.fsum(mp.exp(v) for v in r))
        want.append(lse - r[t])
        cond.append(float((abs(lse) + abs(r[t])) / abs(lse - r[t])))
    _assert_accurate("cross_entropy", logits, ce, want, np.array(cond))

    z = np.concatenate([GRID[np.abs(GRID) <= 200], [-30.0, 30.0]])
    y = rng.uniform(size=z.shape).round(1)
    bce = oracle.binary_cross_entropy_with_logits(z.copy(), y, reduction="none")
    want_b, cond_b = [], []
    for zi, yi in zip(z, y):
        zm, ym = mp.mpf(float(zi)), mp.mpf(float(yi))
        # -y log s(z) - (1 - y) log(1 - s(z)) = log(1 + e^z) - y z
        terms = [mp.log1p(mp.exp(zm)), -ym * zm]
        want_b.append(mp.fsum(terms))
        cond_b.append(_sum_condition(terms))
    _assert_accurate("binary_cross_entropy_with_logits", z, bce, want_b, np.array(cond_b))

    pred, tgt = rng.normal(size=9), rng.normal(size=9)
    want_m = mp.fsum((mp.mpf(float(a)) - mp.mpf(float(b))) ** 2 for a, b in zip(pred, tgt)) / 9
    _assert_accurate("mse_loss", pred, np.array([oracle.mse_loss(pred.copy(), tgt.copy())]), [want_m],
                     np.array([1.0]))

    log_p = oracle.log_softmax(_rows(seed + 7, shape=(3, 6)))
    log_q = oracle.log_softmax(_rows(seed + 8, shape=(3, 6)))
    kl = oracle.kl_divergence(log_p.copy(), log_q.copy())
    want_k, cond_k = [], []
    for lp, lq in zip(log_p, log_q):
        terms = [mp.exp(mp.mpf(float(a))) * (mp.mpf(float(a)) - mp.mpf(float(b))) for a, b in zip(lp, lq)]
        want_k.append(mp.fsum(terms))
        cond_k.append(_sum_condition(terms))
    _assert_accurate("kl_divergence", log_p, kl, want_k, np.array(cond_k))


def test_positional_angles():
    pe = oracle.sinusoidal_positions(64, 16)
    want, cond = [], []
    for k in range(64):
        for i in range(8):
            angle = mp.mpf(k) / mp.power(10000, mp.mpf(2 * i) / 16)
            for value in (mp.sin(angle), mp.cos(angle)):
                want.append(value)
                # an angle's absolute rounding (|angle| ulps) is relative to the value's own size
                cond.append(float((1 + abs(angle)) / max(abs(value), mp.mpf("1e-12"))))
    _assert_accurate("sinusoidal_positions", pe, pe.ravel(), want, np.array(cond))

    positions = np.array([0, 1, 7, 100, 4097])
    x = np.ones((5, 8))
    got = oracle.rope(x, positions)
    want_r, cond_r = [], []
    for m in positions:
        row, cond_row = [None] * 8, [None] * 8
        for i in range(4):
            t = mp.mpf(int(m)) * mp.power(10000, -mp.mpf(2 * i) / 8)
            row[i], row[i + 4] = mp.cos(t) - mp.sin(t), mp.sin(t) + mp.cos(t)
            for j in (i, i + 4):  # a * cos - b * sin cancels where the two terms are close
                cond_row[j] = float((1 + abs(t)) * 2 / max(abs(row[j]), mp.mpf("1e-12")))
        want_r.extend(row)
        cond_r.extend(cond_row)
    cond = np.array(cond_r)
    _assert_accurate("rope", x, got.ravel(), want_r, cond)


def _exact_bucket(rel: int, bidirectional: bool, num_buckets: int, max_distance: int) -> tuple[int, bool]:
    """T5's bucket by exact integer arithmetic, and whether it sits on a float32 rounding boundary.

    For ``n >= me`` the log bucket is ``me + k`` with the largest ``k`` such that
    ``log(n/me) / log(md/me) * R >= k`` (``R = buckets - me``), i.e. ``n**R * me**k >= md**k * me**R`` — all
    integers. The catalogue takes the logarithm in float32, as T5 does, so where the real-valued quotient is
    within float32's rounding of an integer the float32 result may legitimately land on either side."""
    buckets = num_buckets // 2 if bidirectional else num_buckets
    offset = buckets if bidirectional and rel > 0 else 0
    n = abs(rel) if bidirectional else max(-rel, 0)
    me = buckets // 2
    if n < me:
        return offset + n, False
    r = buckets - me
    k = 0
    while k + 1 <= r and n ** r * me ** (k + 1) >= max_distance ** (k + 1) * me ** r:
        k += 1
    quotient = mp.log(mp.mpf(n) / me) / mp.log(mp.mpf(max_distance) / me) * r
    boundary = abs(quotient - mp.nint(quotient)) < 1e-5 * max(1, abs(quotient))
    return offset + min(me + k, buckets - 1), bool(boundary)


@pytest.mark.parametrize("bidirectional,num_buckets,max_distance",
                         [(True, 32, 128), (False, 32, 128), (True, 16, 40), (False, 8, 1000), (True, 64, 512)])
def test_t5_buckets_by_exact_integer_arithmetic(bidirectional, num_buckets, max_distance):
    rel = np.arange(-3 * max_distance, 3 * max_distance + 1)
    got = oracle.t5_relative_position_bucket(rel, bidirectional=bidirectional, num_buckets=num_buckets,
                                             max_distance=max_distance)
    wrong = []
    for r, g in zip(rel, got):
        want, boundary = _exact_bucket(int(r), bidirectional, num_buckets, max_distance)
        if int(g) != want and not (boundary and abs(int(g) - want) == 1):
            wrong.append((int(r), int(g), want))
    assert not wrong, f"oracle buckets (rel, got, exact) differ off every float32 boundary: {wrong[:10]}"


def test_a_cancelling_tail_fails_this_check():
    """The budget has teeth: GELU through ``1 + erf(x / sqrt 2)`` (cancels for x << 0) fails it."""
    x = GRID[GRID < -5]
    naive = x * 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))
    want = [mp.mpf(float(v)) * _phi(mp.mpf(float(v))) for v in x]
    cond = np.array([float(_condition(ELEMENTWISE["gelu"], mp.mpf(float(v)))) for v in x])
    with pytest.raises(AssertionError, match="relative error"):
        _assert_accurate("naive gelu", x, naive, want, cond)


# --- a wrong oracle is blamed, not the implementations it grades ----------------------------------------------
def _softmax_oracle_check(monkeypatch, impl_target: str, oracle_target: str | None):
    from hypothesis import settings

    from properties import draw_state, loader
    from properties.registry import Check
    from properties.runner import run_check
    from tests.conftest import import_property_modules

    if oracle_target:
        path = str(pathlib.Path(__file__).parent / oracle_target)
        monkeypatch.setattr(draw_state.current(), "oracle", loader.make_impl(loader.import_target(path), path))
    prop = next(p for p in import_property_modules() if p.key == "softmax:matches_oracle")
    impl = loader.builtin(impl_target) if impl_target.startswith("impls.") else \
        loader.make_impl(loader.import_target(str(pathlib.Path(__file__).parent / impl_target)), impl_target)
    return run_check(Check(impl, prop, "float32"), base_settings=settings.get_profile("mutants"))


def test_a_planted_oracle_bug_is_blamed_on_the_oracle(monkeypatch, tmp_path):
    record = _softmax_oracle_check(monkeypatch, "impls.torch", "plugins/oracle_with_planted_bug.py")
    assert record["status"] == "failed", record
    assert record["message"].startswith("oracle suspected: torch and jax (float64) agree"), record["message"]
    assert record["oracle_suspected"] == "jax"
    from reports.recorder import build_document, write_reports
    html = tmp_path / "report.html"
    write_reports(build_document({}, [{"name": "torch", "module": "impls.torch", "dtypes": ["float32"]}], [record]),
                  json_path="", html_path=str(html))
    assert "oracle suspected" in html.read_text()


def test_a_wrong_implementation_does_not_blame_the_oracle(monkeypatch):
    record = _softmax_oracle_check(monkeypatch, "mutants/activations_softmax_axis_ignored.py", None)
    assert record["status"] == "failed", record
    assert "oracle suspected" not in record["message"] and record.get("oracle_suspected") is None
