"""Properties of dropout (docs/contract.md 3.5 and section 4, "Dropout"): exact value structure, and the mask's statistics
checked with exact binomial intervals and Hoeffding bounds (false-alarm rate <= 1e-6 per check)."""
from __future__ import annotations

import math

import numpy as np

from properties import strategies
from properties.assertions import assert_close, assert_equal, assert_rejects, require
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import FLOATS, prop
from properties.stats import assert_binomial, hoeffding_radius, per_test_alpha
from properties.tolerances import tolerance

#: drop probabilities of the statistical checks (p != 0.5 separates "drop with p" from "keep with p")
STAT_PS = (0.1, 0.25, 0.5, 0.8)
#: every p the exact checks draw, the ends included (p = 0: identity, p = 1: zeros)
ALL_PS = (0.0, 0.1, 0.25, 0.5, 0.8, 1.0)
#: the statistical checks' input: 16 rows of 64 (1024 Bernoulli draws per call)
STAT_SHAPE = (16, 64)
#: regimes of x for the exact checks: no huge values (x / (1 - p) must stay finite), zeros replaced below
VALUE_REGIMES = ("normal", "integers", "wide", "offset", "tiny")

#: examples of a statistical check, and binomial/Hoeffding tests per example: kept count, mean, row independence,
#: independence of neighbouring positions
STAT_EXAMPLES, STAT_TESTS = 8, 4
STAT_ALPHA = per_test_alpha(STAT_EXAMPLES, STAT_TESTS)
#: examples of the seed check and its one binomial test per example (agreement of two seeds' masks)
SEED_EXAMPLES, SEED_TESTS = 8, 1
SEED_ALPHA = per_test_alpha(SEED_EXAMPLES, SEED_TESTS)


def _no_zeros(x):
    """``x`` with zeros replaced by 1, so that a 0 in the output can only mean "dropped"."""
    return np.where(x == 0, np.asarray(1, x.dtype), x)


@strategies.composite
def dropout_inputs(draw, dtype, *, ps=ALL_PS, regimes=VALUE_REGIMES):
    shape = draw(strategies.shapes(1, 3), label="shape")
    x = _no_zeros(draw(strategies.arrays(shape, dtype, regimes=regimes, label="x")))
    return {"x": x, "p": draw(strategies.sampled_from(ps), label="p"), "seed": draw(strategies.seeds, label="seed")}


@strategies.composite
def statistical_inputs(draw, dtype):
    """x = s * U(0.5, 2) with one sign s for the whole array: no zeros, and a mean far from 0, so that an unscaled
    or wrongly scaled output moves the mean by many Hoeffding radii."""
    rng = strategies.rng(draw(strategies.seeds, label="x.seed"))
    sign = draw(strategies.sampled_from((1.0, -1.0)), label="sign")
    x = strategies.cast(sign * rng.uniform(0.5, 2.0, STAT_SHAPE), dtype)
    seed = draw(strategies.seeds, label="seed")
    return {"x": x, "p": draw(strategies.sampled_from(STAT_PS), label="p"), "seed": seed,
            "other_seed": draw(strategies.seeds.filter(lambda s: s != seed), label="other_seed")}


def _dropout(subject, x, p, seed, training=True):
    return subject.expect(subject.dropout(x, p, training=training, seed=seed), shape=x.shape, what="dropout output")


@prop("dropout", "eval_is_identity",
      inputs=lambda d: dropout_inputs(d, regimes=strategies.REGIMES), dtypes=FLOATS,
      statement="With training=False dropout returns x unchanged, bit for bit, for every p in [0, 1] and every x "
                "(huge values and zeros included).")
def eval_identity(subject, case):
    x = case["x"]
    assert_equal(_dropout(subject, x, case["p"], case["seed"], training=False), x, what="dropout(training=False)")


@prop("dropout", "outputs_are_zero_or_scaled_input", inputs=dropout_inputs, dtypes=FLOATS,
      statement="In training every output is 0 or x / (1 - p) (x has no zeros; within the dtype's rounding of the "
                "scale and product); p = 0 returns x exactly and p = 1 returns zeros.")
def zero_or_scaled(subject, case):
    x, p = case["x"], case["p"]
    y = _dropout(subject, x, p, case["seed"])
    if p == 0.0:
        assert_equal(y, x, what="dropout(p=0) (must keep every element unscaled)")
        return
    if p == 1.0:
        assert_equal(y.astype(np.float64), np.zeros(x.shape), what="dropout(p=1) (must drop every element)")
        return
    kept = y != 0
    # x / (1 - p): the scale and the product are each one rounding of the dtype
    assert_close(y[kept].astype(np.float64), x[kept].astype(np.float64) / (1.0 - p), dtype=subject.dtype,
                 what=f"kept outputs vs x / (1 - p) with p = {p}", n=2)


def assert_pairs_independent(mask: np.ndarray, p: float, *, alpha: float, what: str) -> None:
    """Disjoint neighbouring pairs (positions 2j, 2j+1 of each row) of independent Bernoulli(1 - p) draws agree
    (both kept or both dropped) with probability p^2 + (1 - p)^2, independently across pairs: an exact binomial
    test. A kernel that draws one random number for two neighbours (or repeats a short mask) fails it."""
    pairs = mask[..., : mask.shape[-1] // 2 * 2].reshape(-1, 2)
    assert_binomial(int((pairs[:, 0] == pairs[:, 1]).sum()), len(pairs), p * p + (1 - p) ** 2, alpha=alpha,
                    what=what)


@prop("dropout", "kept_fraction_mean_and_row_independence", inputs=statistical_inputs,
      max_examples=STAT_EXAMPLES, statistical=True, dtypes=FLOATS,
      statement="On x of shape (16, 64), p in {0.1, 0.25, 0.5, 0.8}: the number of kept elements is "
                "Binomial(1024, 1 - p); the output mean is within the Hoeffding radius of mean(x) (outputs i lie in "
                "an interval of width |x_i| / (1 - p)); and, given row 0's mask with K0 kept positions, the other "
                "15 rows keep Binomial(15 K0, 1 - p) of those positions (rows drop independently); and the 512 disjoint "
                "neighbouring pairs of positions agree in Binomial(512, p^2 + (1 - p)^2) of them (positions drop "
                "independently). Every dtype the implementation declares. Exact binomial "
                f"intervals; false-alarm rate <= 1e-6 per check ({STAT_TESTS} tests x {STAT_EXAMPLES} examples, "
                f"alpha = {STAT_ALPHA:.2g} each).")
def statistics(subject, case):
    x, p = case["x"], case["p"]
    y = _dropout(subject, x, p, case["seed"])
    kept = y != 0
    n = x.size
    assert_binomial(int(kept.sum()), n, 1 - p, alpha=STAT_ALPHA, what=f"kept elements (p = {p})")
    x64 = x.astype(np.float64)
    widths = np.abs(x64) / (1 - p)
    radius = hoeffding_radius(n, float(np.sqrt(np.mean(widths ** 2))), STAT_ALPHA)
    # plus the outputs' rounding (a relative tolerance of each |y_i|, at most |x_i| / (1 - p))
    rounding = tolerance(subject.dtype, n=n) * float(widths.mean())
    gap = abs(float(y.astype(np.float64).mean()) - float(x64.mean()))
    require(gap <= radius + rounding,
            f"mean of the dropout output {y.astype(np.float64).mean():.6g} differs from mean(x) {x64.mean():.6g} "
            f"by {gap:.4g} > Hoeffding radius {radius:.4g} (+ rounding {rounding:.2g}) at alpha {STAT_ALPHA:.2g}")
    row0 = kept[0]
    others = kept[1:][:, row0]
    assert_binomial(int(others.sum()), int(others.size), 1 - p, alpha=STAT_ALPHA,
                    what=f"elements of rows 1..15 kept at the {int(row0.sum())} positions row 0 keeps (p = {p})")
    assert_pairs_independent(kept, p, alpha=STAT_ALPHA, what=f"neighbouring positions both kept or both dropped "
                                                             f"(p = {p})")


@prop("dropout", "deterministic_per_seed_independent_across_seeds", inputs=statistical_inputs,
      max_examples=SEED_EXAMPLES, statistical=True, dtypes=FLOATS,
      statement="The same seed gives the same output bit for bit; two different seeds give masks that agree at "
                "Binomial(1024, p^2 + (1 - p)^2) positions (independent draws; exact interval, false-alarm rate "
                f"<= 1e-6 per check: {SEED_TESTS} test x {SEED_EXAMPLES} examples), and in particular differ "
                "(equal masks have probability (p^2 + (1 - p)^2)^1024 <= 0.82^1024 < 1e-88).")
def seeds(subject, case):
    x, p = case["x"], case["p"]
    a = _dropout(subject, x, p, case["seed"])
    b = _dropout(subject, x, p, case["seed"])
    assert_equal(b, a, what=f"a second dropout call with the same seed {case['seed']}")
    c = _dropout(subject, x, p, case["other_seed"])
    mask_a, mask_c = a != 0, c != 0
    # (p^2 + (1 - p)^2)^n is largest at the p farthest from 1/2 (0.1 here: 0.82)
    equal_probability = math.exp(x.size * math.log(p * p + (1 - p) ** 2))
    assert equal_probability < 1e-6
    require(not np.array_equal(mask_a, mask_c),
            f"seeds {case['seed']} and {case['other_seed']} give the same mask (probability "
            f"{equal_probability:.2g} for independent masks)")
    assert_binomial(int((mask_a == mask_c).sum()), x.size, p * p + (1 - p) ** 2, alpha=SEED_ALPHA,
                    what=f"positions where the masks of seeds {case['seed']} and {case['other_seed']} agree")


@prop("dropout", "rejects_bad_input", inputs=dropout_inputs, dtypes=("float32",), max_examples=5,
      statement="dropout raises ValueError/TypeError for p outside [0, 1] (1.5, -0.1, NaN), in training and in "
                "eval, and for a non-integer seed.")
def rejects(subject, case):
    x, seed = case["x"], case["seed"]
    for bad in (1.5, -0.1, float("nan")):
        for training in (True, False):
            assert_rejects(subject, "dropout", x, bad, why=f"p={bad} (training={training})", training=training,
                           seed=seed)
    assert_rejects(subject, "dropout", x, 0.5, why="seed=1.5", training=True, seed=1.5)
