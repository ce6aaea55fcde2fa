"""What Equinox computes differently from the catalogue, as the suite observed it (equinox 0.13.8, jax 0.10.2,
CPU, ``ci`` profile). Each finding names the checks it explains, scoped to the dtypes and the input regime where
a ``ci`` run shows it; its reproduction script is ``docs/scoreboard/repro/<id>.py``."""
from impls._findings import Finding, known_deviations

_NORMS = "equinox/nn/_normalisation.py"
_HUGE = "magnitudes above sqrt(dtype max)"  # the regime of properties/regimes.py
_F32_F64 = ("float32", "float64")


def _checks(component, spec):
    """``(component, property, dtype)`` keys from ``{property: dtypes}``."""
    return tuple((component, prop, d) for prop, dtypes in spec.items() for d in dtypes)


_SPREAD = {"matches_oracle": ("bfloat16",) + _F32_F64, "zero_mean_unit_variance": _F32_F64,
           "finite_for_large_half_inputs": ("bfloat16",)}

_VARIANCE_OVERFLOW = Finding(
    id="equinox-norm-variance-overflow",
    title="eqx.nn.LayerNorm/GroupNorm form mean and variance unscaled: huge inputs give 0 or NaN",
    checks=(*_checks("layer_norm", _SPREAD), *_checks("group_norm", _SPREAD)),
    cause=("LayerNorm.__call__ and GroupNorm.__call__ compute jnp.mean(x) and jnp.var(x) in x's dtype (float32 for "
           "half inputs) without rescaling: for |x| above ~sqrt(dtype max) (1.8e19 in float32/bfloat16, 1.3e154 "
           "in float64) the squared deviations overflow, var is inf and rsqrt(inf) makes the whole row 0 instead "
           "of +-1.4; when the values are near the dtype's max the sum inside the mean overflows too and the "
           "row is NaN"),
    source=f"{_NORMS}:LayerNorm.__call__",
    kind="precision",
    repro="docs/scoreboard/repro/equinox-norm-variance-overflow.py",
    regime=_HUGE,
)

_RMS_SQUARE = Finding(
    id="equinox-rms-square-overflow",
    title="eqx.nn.RMSNorm squares x unscaled: for |x| above ~sqrt(dtype max) the output is 0",
    checks=_checks("rms_norm", {"matches_oracle": ("bfloat16",) + _F32_F64, "zero_mean_unit_variance": _F32_F64}),
    cause=("RMSNorm.__call__ computes rsqrt(jnp.mean(x**2) + eps) in x's dtype (at least float32): for |x| above "
           "~1.8e19 (float32, bfloat16) or ~1.3e154 (float64) x**2 overflows to inf and every output of the row "
           "is 0 instead of +-1"),
    source=f"{_NORMS}:RMSNorm.__call__",
    kind="precision",
    repro="docs/scoreboard/repro/equinox-rms-square-overflow.py",
    regime=_HUGE,
)

_FINITE_MASK = Finding(
    id="equinox-finite-mask",
    title="eqx.nn.MultiheadAttention masks with finfo.min: a fully masked query row attends uniformly",
    checks=_checks("multi_head_attention", {
        "matches_oracle": ("float16", "bfloat16") + _F32_F64, "masked_context_positions_are_ignored": _F32_F64,
        "causal_ignores_the_future": _F32_F64, "vjp_matches_finite_differences": _F32_F64}),
    cause=("dot_product_attention_weights replaces masked logits by jnp.finfo(logits.dtype).min before the "
           "softmax: in a query row with no allowed key (a padded-out sequence, causal with Lq > Lk) every logit "
           "is that same number, so the row's weights are 1/Lk on the masked keys and its output the mean of "
           "their values (with gradient flowing into them), where the catalogue gives 0"),
    source="equinox/nn/_attention.py:dot_product_attention_weights",
    kind="bug",
    repro="docs/scoreboard/repro/equinox-finite-mask.py",
    writeup="docs/scoreboard/upstream/equinox-finite-mask.md",
)

_ROPE_THETA = Finding(
    id="equinox-rope-theta-cache",
    title="eqx.nn.RotaryPositionalEmbedding ignores theta once a module of the same size and dtype has run",
    checks=_checks("rope", {"matches_oracle": ("float16", "bfloat16") + _F32_F64,
                            "vjp_matches_finite_differences": _F32_F64}),
    cause=("RotaryPositionalEmbedding.__call__ memoises its cos/sin tables in the module-level dict "
           "internal_rope_embedding_cache under the key (embedding_size, dtype), without theta: every later "
           "module of that size and dtype rotates with the first module's frequencies (base 500000 rotated as "
           "10000: 1.3% error at row 2 of a unit input, growing with the position)"),
    source="equinox/nn/_embedding.py:RotaryPositionalEmbedding.__call__",
    kind="bug",
    repro="docs/scoreboard/repro/equinox-rope-theta-cache.py",
    writeup="docs/scoreboard/upstream/equinox-rope-theta-cache.md",
)

FINDINGS = (_VARIANCE_OVERFLOW, _RMS_SQUARE, _FINITE_MASK, _ROPE_THETA)
KNOWN_DEVIATIONS = known_deviations(FINDINGS)
