"""Properties of attention_weights (SPEC 3.6 and section 4, "Attention").

Sizes, strategies, reference computations and the family's tolerance reasoning: :mod:`properties.attention_common`;
budgets: :mod:`properties.budgets`.
"""
from __future__ import annotations

import functools
import math

import numpy as np

from properties import strategies
from properties.assertions import assert_close, require
from properties.gradients import assert_vjp_matches
from properties.oracle import expected
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import FLOATS, prop
from properties.stats import assert_binomial, per_test_alpha
from properties import budgets
from properties.attention_common import (_allowed, _kw, _p_shape, _register_attention_rejects,
                                         _register_fully_masked, _scale, attention_inputs, gradient_inputs,
                                         logit_cond)
from properties.tolerances import MASKED_PROBABILITY


@prop("attention_weights", "matches_oracle", inputs=attention_inputs, dtypes=FLOATS,
      statement="attention_weights equals the float64 NumPy oracle, relative to each probability, within the "
                "error that logit errors eps * scale * sum_d |q_d||k_d| (and the float32 dot's rounding) give it plus "
                "two roundings of a stored probability (properties.budgets; for every mask "
                "form, bottom-right causal masks with Lq != Lk, grouped heads, explicit scales, logits up to ~1e4).")
def weights_oracle(subject, case):
    q, k = case["q"], case["k"]
    got = subject.expect(subject.attention_weights(q, k, **_kw(case)), shape=_p_shape(case))
    want = expected("attention_weights", q, k, **_kw(case))
    tol, floor = budgets.weights_budget(subject.dtype, q, k, _allowed(case), _scale(case["scale"], q.shape[-1]))
    assert_close(got, want, dtype=subject.dtype, what="attention_weights vs float64 oracle", tol=tol, floor=floor)


@prop("attention_weights", "rows_are_distributions_over_allowed_keys", inputs=attention_inputs, dtypes=FLOATS,
      statement="Probabilities are >= 0; masked ones (mask AND bottom-right causal) are 0 (<= 1e-6 in float32, "
                "tolerances.MASKED_PROBABILITY per dtype) also when logits are ~1e4 in magnitude either way; each "
                "row with an allowed key sums to 1, and a row with none is all 0.")
def weights_distribution(subject, case):
    q, k = case["q"], case["k"]
    p = subject.expect(subject.attention_weights(q, k, **_kw(case)), shape=_p_shape(case)).astype(np.float64)
    allowed = _allowed(case)
    require(bool(np.all(p >= 0)), f"negative probability {p.min():.3g}")
    leak = np.where(allowed, 0.0, p)
    if leak.size:
        i = np.unravel_index(int(np.argmax(leak)), leak.shape)
        require(leak[i] <= MASKED_PROBABILITY[subject.dtype],
                f"masked probability {leak[i]:.3g} at (b, h, i, j) = {tuple(int(t) for t in i)} exceeds "
                f"{MASKED_PROBABILITY[subject.dtype]:g}" + ("" if allowed[i[:3]].any() else " (a fully masked row)"))
    rows = allowed.any(axis=-1)
    assert_close(p.sum(axis=-1)[rows], np.ones(int(rows.sum())), dtype=subject.dtype,
                 what="sum of probabilities over allowed keys", n=k.shape[2])


_register_fully_masked("attention_weights", __name__)


# --- the scale: logits' variance ------------------------------------------------------------------------------
@strategies.composite
def unit_normal_inputs(draw, dtype):
    d = draw(strategies.sampled_from((4, 8, 16)), label="D")
    seed = draw(strategies.seeds, label="seed")
    return {"q": strategies.normal((2, 2, 3, d), dtype, seed), "k": strategies.normal((2, 2, 4, d), dtype, seed + 1)}


def _logit_differences(p):
    """``s_ij - s_i0`` recovered from probabilities: ``log p_ij - log p_i0``."""
    logp = np.log(p.astype(np.float64))
    return logp[..., 1:] - logp[..., :1]


@prop("attention_weights", "unscaled_logits_are_sqrt_d_times_scaled", inputs=unit_normal_inputs,
      statement="The logits (recovered as log-probability differences) with scale=1 are sqrt(D) times those with "
                "the default scale: the variance of unscaled logits is exactly D times that of scaled ones (which "
                "is 1 for unit-variance q, k), for D in {4, 8, 16}.")
def unscaled_ratio(subject, case):
    q, k = case["q"], case["k"]
    d = q.shape[-1]
    shape = (q.shape[0], q.shape[1], q.shape[2], k.shape[2])
    scaled = subject.expect(subject.attention_weights(q, k), shape=shape)
    unscaled = subject.expect(subject.attention_weights(q, k, scale=1.0), shape=shape)
    require(bool(np.all(unscaled > 0)), "a probability underflowed: strategy too extreme")
    # each log-probability is off by the probabilities' relative error (eps * logit cond), a difference by twice
    # that; the scaled one is then multiplied by sqrt(D)
    cond = 2.0 * (1.0 + math.sqrt(d)) * logit_cond(q, k, 1.0)
    assert_close(_logit_differences(unscaled), math.sqrt(d) * _logit_differences(scaled), dtype=subject.dtype,
                 what="unscaled logit differences vs sqrt(D) x scaled ones", n=d + k.shape[2], cond=cond)


#: the statistical check of the default scale: independent samples, thresholds, and examples per check
VARIANCE_SHAPE = (128, 4)  # (B, H): 512 independent (q, k0, k1) triples per example
VARIANCE_THRESHOLDS = (0.5, 2.0)
VARIANCE_EXAMPLES = 10


@functools.lru_cache(maxsize=None)
def _central_probability(d: int, t: float) -> float:
    """``P(|Z| <= t)`` for ``Z = q . w / sqrt(D)``, q, w independent N(0, I_D): given q, Z ~ N(0, |q|^2 / D),
    so ``Z = sqrt(G) N`` with ``G = chi2_D / D ~ Gamma(D/2, scale 2/D)`` independent of ``N ~ N(0, 1)``; the
    mixture integral is evaluated to ~1e-12 by quadrature."""
    from scipy import integrate
    from scipy import stats as sps
    gamma = sps.gamma(d / 2.0, scale=2.0 / d)
    value, _ = integrate.quad(lambda g: gamma.pdf(g) * (2.0 * sps.norm.cdf(t / math.sqrt(g)) - 1.0),
                              0.0, np.inf, epsabs=1e-13, epsrel=1e-12, limit=200)
    return float(value)


@strategies.composite
def variance_inputs(draw, dtype):
    d = draw(strategies.sampled_from((4, 16)), label="D")
    seed = draw(strategies.seeds, label="seed")
    b, h = VARIANCE_SHAPE
    return {"q": strategies.normal((b, h, 1, d), dtype, seed), "k": strategies.normal((b, h, 2, d), dtype, seed + 1)}


@prop("attention_weights", "default_scale_gives_unit_logit_variance", inputs=variance_inputs,
      max_examples=VARIANCE_EXAMPLES, statistical=True,
      statement="With the default scale 1/sqrt(D) and unit-normal q, k, each logit difference (s1 - s0)/sqrt(2) "
                "= q.(k1 - k0)/sqrt(2D) has variance 1 and the exact law sqrt(chi2_D/D) N(0,1); over 512 "
                "independent draws the counts of |.| <= 0.5 and <= 2 lie in their exact binomial intervals "
                "(false-alarm rate <= 1e-6 per check: 2 tests x 10 examples at 5e-8 each). A scale of 1/D or 1 "
                "moves these fractions by > 0.2.")
def default_scale_variance(subject, case):
    q, k = case["q"], case["k"]
    d = q.shape[-1]
    p = subject.expect(subject.attention_weights(q, k), shape=(q.shape[0], q.shape[1], 1, 2))
    require(bool(np.all(p > 0)), "a probability underflowed for unit-normal inputs")
    z = (_logit_differences(p) / math.sqrt(2.0)).reshape(-1)
    alpha = per_test_alpha(VARIANCE_EXAMPLES, len(VARIANCE_THRESHOLDS))
    for t in VARIANCE_THRESHOLDS:
        assert_binomial(int(np.sum(np.abs(z) <= t)), z.size, _central_probability(d, t), alpha=alpha,
                        what=f"count of |scaled logit difference| / sqrt 2 <= {t} (D={d})")

@prop("attention_weights", "vjp_matches_finite_differences", inputs=gradient_inputs, needs=("vjp",),
      statement="The VJP of attention_weights w.r.t. q and k agrees with central finite differences of the float64 "
                "oracle (masks, causal, grouped heads; masked and fully masked entries have zero gradient).")
def weights_gradient(subject, case):
    q, k = case["q"], case["k"]
    cot = strategies.normal(_p_shape(case), subject.dtype, case["cotangent_seed"])
    assert_vjp_matches(subject, "attention_weights", (q, k), _kw(case), cot, wrt=(0, 1),
                       n=q.shape[-1] + k.shape[2], cond=logit_cond(q, k, case["scale"], _allowed(case)))


_register_attention_rejects("attention_weights", __name__)
