"""Exact tail bounds for the statistical properties, so that a correct implementation never fails by chance.

Every statistical property states its false-alarm probability: at most :data:`FALSE_ALARM` per check. A check
runs up to ``max_examples`` examples and each example makes ``tests`` tests, so each single test gets
``alpha = FALSE_ALARM / (max_examples * tests)`` (a union bound over everything the check could reject on).
A test accepts an observed count ``k`` of ``n`` Bernoulli(``p``) trials iff ``k`` lies in the central interval
whose two tails each have probability at most ``alpha / 2`` — exact binomial quantiles, no normal approximation.
"""
from __future__ import annotations

from scipy import stats as _stats

from properties.assertions import require

#: the largest false-alarm probability any statistical check may have (docs/contract.md section 2)
FALSE_ALARM = 1e-6


def per_test_alpha(max_examples: int, tests: int = 1) -> float:
    """The significance level of one test in a check of ``max_examples`` examples with ``tests`` tests each."""
    return FALSE_ALARM / (max_examples * tests)


def binomial_interval(n: int, p: float, alpha: float) -> tuple[int, int]:
    """``[lo, hi]`` with ``P(K < lo) <= alpha/2`` and ``P(K > hi) <= alpha/2`` for ``K ~ Binomial(n, p)``."""
    if n == 0:
        return 0, 0
    lo = int(_stats.binom.ppf(alpha / 2, n, p))
    # ppf gives the smallest k with CDF(k) >= q; step down while the lower tail still fits, up for the upper
    while lo > 0 and _stats.binom.cdf(lo - 1, n, p) > alpha / 2:
        lo -= 1
    hi = int(_stats.binom.isf(alpha / 2, n, p))
    while hi < n and _stats.binom.sf(hi, n, p) > alpha / 2:
        hi += 1
    return lo, hi


def assert_binomial(k: int, n: int, p: float, *, alpha: float, what: str) -> None:
    """``k`` successes in ``n`` trials are consistent with success probability ``p`` at level ``alpha``."""
    lo, hi = binomial_interval(n, p, alpha)
    require(lo <= k <= hi, f"{what}: {k} of {n} (rate {k / max(n, 1):.4f}), outside [{lo}, {hi}], the exact "
                           f"binomial interval for p = {p:g} at false-alarm level {alpha:.2g}")


def hoeffding_radius(n: int, value_range: float, alpha: float) -> float:
    """``r`` with ``P(|mean - E mean| >= r) <= alpha`` for ``n`` independent values in an interval of width
    ``value_range`` (two-sided Hoeffding: ``2 exp(-2 n r^2 / range^2)``)."""
    import math
    return value_range * math.sqrt(math.log(2.0 / alpha) / (2.0 * n))
