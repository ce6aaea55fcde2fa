"""What flax.nnx computes differently from the catalogue, as the suite observed it (flax 0.12.8, jax 0.10.2,
CPU, ``ci`` profile). Each finding names the checks it explains, scoped to the dtypes (and regimes) where a ``ci``
run shows it; its reproduction script is ``docs/scoreboard/repro/<id>.py``."""
import numpy as np

from impls._findings import Finding, known_deviations

_NORMS = "flax/nnx/nn/normalization.py"
_F32_F64 = ("float32", "float64")


def _checks(component, spec):
    """``(component, property, dtype)`` keys from ``{property: dtypes}``."""
    return tuple((component, prop, d) for prop, dtypes in spec.items() for d in dtypes)


_FAST_VARIANCE = Finding(
    id="flax_nnx-fast-variance",
    title="nnx normalisation layers compute var = mean(x^2) - mean(x)^2 by default (use_fast_variance=True)",
    checks=(
        *_checks("layer_norm", {"matches_oracle": ("bfloat16",) + _F32_F64, "zero_mean_unit_variance": _F32_F64,
                                "affine_invariant": _F32_F64, "finite_for_large_half_inputs": ("bfloat16",),
                                "vjp_orthogonal_to_invariances": ("float32",)}),
        *_checks("instance_norm", {"matches_oracle": ("bfloat16",) + _F32_F64, "zero_mean_unit_variance": _F32_F64,
                                   "affine_invariant": _F32_F64, "finite_for_large_half_inputs": ("bfloat16",)}),
        *_checks("group_norm", {"matches_oracle": ("bfloat16",) + _F32_F64, "zero_mean_unit_variance": _F32_F64,
                                "affine_invariant": _F32_F64, "finite_for_large_half_inputs": ("bfloat16",),
                                "extremes_are_layer_and_instance_norm": _F32_F64}),
        *_checks("batch_norm", {"zero_mean_unit_variance": _F32_F64, "affine_invariant": _F32_F64,
                                "finite_for_large_half_inputs": ("bfloat16",)}),
    ),
    cause=("LayerNorm, InstanceNorm, GroupNorm and BatchNorm default to use_fast_variance=True, and _compute_stats "
           "then forms the variance as mean(x^2) - mean(x)^2 (in float32 for half inputs, else in x's dtype). "
           "Under a large offset the two terms cancel (at 100 +- 0.1 in float32 the output is off by 7%; by "
           "1e-10 relative in float64), and for |x| above ~sqrt(dtype max) x^2 overflows, so inf - inf gives "
           "NaN outputs. The two-pass formula (use_fast_variance=False) has neither problem."),
    source=f"{_NORMS}:_compute_stats",
    kind="precision",
    repro="docs/scoreboard/repro/flax_nnx-fast-variance.py",
    options={"use_fast_variance": True},
)

_RMS_SQUARE = Finding(
    id="flax_nnx-rms-square-overflow",
    title="nnx.RMSNorm squares x unscaled: for |x| above ~sqrt(dtype max) mean(x^2) is inf and the output 0",
    checks=_checks("rms_norm", {"matches_oracle": ("bfloat16",) + _F32_F64, "zero_mean_unit_variance": _F32_F64}),
    cause=("RMSNorm calls _compute_stats(use_mean=False), which averages x^2 in x's dtype (at least float32): "
           "for |x| above ~1.8e19 (float32, bfloat16) or ~1.3e154 (float64) the square overflows to inf, "
           "rsqrt(inf + eps) is 0 and every output of the row is 0 instead of +-1"),
    source=f"{_NORMS}:_compute_stats",
    kind="precision",
    repro="docs/scoreboard/repro/flax_nnx-rms-square-overflow.py",
    regime="magnitudes above sqrt(dtype max)",
)

_BIASED_RUNNING_VAR = Finding(
    id="flax_nnx-batchnorm-biased-running-var",
    title="nnx.BatchNorm's running variance averages the biased batch variance (PyTorch uses the unbiased one)",
    checks=(*_checks("batch_norm", {"running_stats_update": ("float16", "bfloat16") + _F32_F64,
                                    "matches_oracle": ("float16", "bfloat16", "float32")}),),
    cause=("BatchNorm.__call__ updates var <- momentum * var + (1 - momentum) * var_b with var_b the biased batch "
           "variance from _compute_stats (divided by the count n), where the catalogue (PyTorch) averages the "
           "unbiased n / (n - 1) * var_b: for a batch of 2 values per channel the running variance moves towards "
           "half the catalogue's value. Flax's momentum is the catalogue's 1 - momentum (converted by the adapter)."),
    source=f"{_NORMS}:BatchNorm.__call__",
    kind="convention",
    repro="docs/scoreboard/repro/flax_nnx-batchnorm-biased-running-var.py",
)

_FLOAT32_STATS = Finding(
    id="flax_nnx-batchnorm-float32-stats",
    title="nnx.BatchNorm stores its running statistics in float32 whatever dtype/param_dtype are",
    checks=(("batch_norm", "eval_is_per_channel_affine", "float64"), ("batch_norm", "matches_oracle", "float64")),
    cause=("BatchNorm.__init__ creates mean and var as nnx.BatchStat(jnp.zeros(..., jnp.float32)) and "
           "Variable.set_value casts what is assigned (layer.mean[...] = m) to that dtype: float64 running "
           "statistics are rounded to float32, so eval-mode outputs (and the updated statistics) carry float32 "
           "errors (2e-8 relative) in a float64 model; JAX warns that this silent float64 -> float32 scatter "
           "will become an error"),
    source=f"{_NORMS}:BatchNorm.__init__",
    kind="precision",
    repro="docs/scoreboard/repro/flax_nnx-batchnorm-float32-stats.py",
    options={"param_dtype": "float64", "dtype": "float64"},
)

_ATTN = "flax/nnx/nn/attention.py"
_JAX_ATTN = "jax/_src/nn/functions.py"
_ALL = ("float16", "bfloat16", "float32", "float64")

_FINITE_MASK = Finding(
    id="flax_nnx-finite-mask",
    title="flax attention masks with a finite large negative logit: a fully masked row attends uniformly",
    checks=(
        *_checks("attention_weights", {"matches_oracle": _ALL, "fully_masked_rows_are_zero": _ALL,
                                       "rows_are_distributions_over_allowed_keys": _ALL}),
        *_checks("scaled_dot_product_attention", {
            "fully_masked_rows_are_zero": ("bfloat16",) + _F32_F64, "masked_keys_and_values_are_ignored": _F32_F64,
            "causal_ignores_the_future": _F32_F64, "vjp_matches_finite_differences": _F32_F64,
            "matches_oracle": ("float32",)}),
        *_checks("multi_head_attention", {
            "matches_oracle": ("float32",), "masked_context_positions_are_ignored": _F32_F64,
            "causal_ignores_the_future": _F32_F64, "vjp_matches_finite_differences": ("float32",)}),
    ),
    cause=("dot_product_attention_weights replaces masked logits by jnp.finfo(dtype).min, and "
           "nnx.dot_product_attention (the attention_fn of nnx.MultiHeadAttention) calls "
           "jax.nn.dot_product_attention, whose _apply_masks does the same with a large finite negative number: "
           "in a query row with no allowed key (a padded-out sequence, causal with Lq > Lk) every logit is that "
           "same number, so softmax gives each masked key weight 1/Lk and the output is the mean of the masked "
           "values (with gradient flowing into them), where the catalogue gives weights and output 0"),
    source=f"{_ATTN}:dot_product_attention_weights",
    kind="bug",
    repro="docs/scoreboard/repro/flax_nnx-finite-mask.py",
    writeup="docs/scoreboard/upstream/flax_nnx-finite-mask.md",
)

_NEG_INF_BIAS = Finding(
    id="flax_nnx-neg-inf-bias",
    title="flax attention adds the bias unmasked: a row whose logits are all -inf comes back NaN",
    checks=(
        *_checks("attention_weights", {"bias_matches_oracle": _ALL, "bias_neg_inf_equals_masking": _F32_F64}),
        *_checks("scaled_dot_product_attention", {"bias_matches_oracle": _F32_F64,
                                                  "bias_neg_inf_equals_masking": _F32_F64}),
    ),
    cause=("dot_product_attention_weights (and jax.nn.dot_product_attention's _dot_product_attention_core) add "
           "the bias to the logits and apply only the boolean mask: a -inf bias entry is not a masked key, so a "
           "row whose logits are all -inf gives softmax(-inf - (-inf)) = NaN, and a row whose allowed keys all "
           "have a -inf bias puts its weight on the masked keys (their finite large negative logit wins); the "
           "catalogue treats -inf as a masked key (the row is 0). In float16 the mask-only rows of the same "
           "checks show the finite-mask finding."),
    source=f"{_ATTN}:dot_product_attention_weights",
    kind="convention",
    repro="docs/scoreboard/repro/flax_nnx-neg-inf-bias.py",
)

_HALF_CPU = Finding(
    id="flax_nnx-half-attention-cpu",
    title="nnx.dot_product_attention / MultiHeadAttention fail on CPU for float16 and bfloat16 inputs",
    checks=(
        *_checks("scaled_dot_product_attention", {"matches_oracle": ("float16", "bfloat16"),
                                                  "bias_matches_oracle": ("float16", "bfloat16"),
                                                  "fully_masked_rows_are_zero": ("float16",)}),
        *_checks("multi_head_attention", {"matches_oracle": ("float16", "bfloat16")}),
    ),
    cause=("nnx.dot_product_attention calls jax.nn.dot_product_attention, whose _dot_product_attention_core "
           "asks for the q k^T and p v products with preferred_element_type=float32 for half inputs; XLA:CPU "
           "rejects these dots ('The precision F16_F16_F32 is not supported by dot_general on CPU', 'Algorithm "
           "not supported by the ElementalIrEmitter: ALG_DOT_BF16_BF16_F32'), so a jitted half-precision model raises "
           "on CPU (called eagerly, op by op, it runs)"),
    source=f"{_JAX_ATTN}:_dot_product_attention_core",
    kind="bug",
    repro="docs/scoreboard/repro/flax_nnx-half-attention-cpu.py",
    writeup="docs/scoreboard/upstream/flax_nnx-half-attention-cpu.md",
)

_FLOAT32_SOFTMAX = Finding(
    id="flax_nnx-float32-softmax",
    title="nnx.dot_product_attention computes the softmax in float32 for float64 inputs",
    checks=(
        *_checks("scaled_dot_product_attention", {"matches_oracle": ("float64",),
                                                  "convex_combination_of_allowed_values": ("float64",),
                                                  "bias_constant_along_keys_changes_nothing": ("float64",)}),
        *_checks("multi_head_attention", {"matches_oracle": ("float64",),
                                          "self_attention_is_permutation_equivariant": ("float64",),
                                          "cross_attention_ignores_context_order": ("float64",),
                                          "vjp_matches_finite_differences": ("float64",)}),
    ),
    cause=("jax.nn.dot_product_attention (called by nnx.dot_product_attention, the default attention_fn of "
           "nnx.MultiHeadAttention) casts the logits to float32 before the softmax (_dot_product_attention_core: "
           "padded_logits.astype(np.float32)): float64 attention carries float32 errors (2e-7 relative on the "
           "outputs, 1e-6 on logits ~1e2). The masked rows of these checks also show flax_nnx-finite-mask."),
    source=f"{_JAX_ATTN}:_dot_product_attention_core",
    kind="precision",
    repro="docs/scoreboard/repro/flax_nnx-float32-softmax.py",
)

def _tanh_gelu_tail(case, dtype) -> bool:
    """gelu(approximate=True) of some x < -2: where 1 + tanh(u) cancels (100 ulps lost at -2.9, everything below
    ~-6 in float32)."""
    return bool(case.get("approximate")) and float(np.min(np.asarray(case["x"], dtype=np.float64))) < -2.0


_ACT = "jax/_src/nn/functions.py"

_TANH_GELU = Finding(
    id="flax_nnx-tanh-gelu-tail",
    title="nnx.gelu(approximate=True) is 0 in the left tail: 1 + tanh(u) cancels in the input's dtype",
    checks=_checks("gelu", {"matches_oracle": _F32_F64}),
    cause=("nnx.gelu is jax.nn.gelu, whose approximate form evaluates x * 0.5 * (1 + tanh(u)) in the input's "
           "dtype: in the left tail tanh(u) rounds to -1 and the output is 0 (100% relative error) where the "
           "true value is ~1e-21 at x = -8 in float32 (114 ulps already at x = -2.93) (~3e-38 at x = -10 in float64); the exact (erf) form "
           "does not cancel"),
    source=f"{_ACT}:gelu",
    kind="precision",
    repro="docs/scoreboard/repro/flax_nnx-tanh-gelu-tail.py",
    regime=_tanh_gelu_tail,
)

_HALF_ACTIVATIONS = Finding(
    id="flax_nnx-half-activations",
    title="nnx.sigmoid/silu/gelu compute in float16/bfloat16 themselves: errors beyond one rounding, silu 0 below -11",
    checks=(*_checks("sigmoid", {"matches_oracle": ("float16", "bfloat16")}), ("silu", "matches_oracle", "float16"),
            *_checks("gelu", {"matches_oracle": ("float16", "bfloat16")})),
    cause=("nnx.sigmoid/silu/gelu are jax.nn's, which evaluate the formula in the input's half dtype instead of "
           "float32: sigmoid (lax.logistic) is 0.58 ulp off at x = 0.03 in float16 (not the correctly rounded "
           "value), exp(-x) overflows float16 for x < -11.09 so sigmoid and silu = x * sigmoid(x) are 0 where "
           "silu(-12.2) = -6e-5, and the exact gelu's erfc in half precision is 3 ulps off (x = -3.76 float16, "
           "x = -12.25 bfloat16)"),
    source=f"{_ACT}:sigmoid",
    kind="precision",
    repro="docs/scoreboard/repro/flax_nnx-half-activations.py",
)

_LOG_SOFTMAX = Finding(
    id="flax_nnx-log-softmax-near-zero",
    title="nnx.log_softmax loses all relative accuracy on outputs near 0 (log of a sum near 1, not log1p)",
    checks=_checks("log_softmax", {"matches_oracle": _ALL}),
    cause=("nnx.log_softmax is jax.nn.log_softmax: shifted - log(sum(exp(shifted))); for the dominant entry the "
           "result is -log(1 + e) with e = sum of the other exp terms, and forming 1 + e in the input's dtype "
           "rounds e away: -1.19e-7 instead of -9.84e-8 in float32 (21% relative), 0 in float16/bfloat16, 1e-9 "
           "relative in float64; log1p of the sum without the dominant term keeps it"),
    source=f"{_ACT}:log_softmax",
    kind="precision",
    repro="docs/scoreboard/repro/flax_nnx-log-softmax-near-zero.py",
)

FINDINGS = (_FAST_VARIANCE, _RMS_SQUARE, _BIASED_RUNNING_VAR, _FLOAT32_STATS, _FINITE_MASK, _NEG_INF_BIAS,
            _HALF_CPU, _FLOAT32_SOFTMAX, _TANH_GELU, _HALF_ACTIVATIONS, _LOG_SOFTMAX)
KNOWN_DEVIATIONS = known_deviations(FINDINGS)
