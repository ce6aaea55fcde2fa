"""Default scale ``1/D`` instead of ``1/sqrt(D)``.

Real bug class: ``scores / d_k`` instead of ``scores / sqrt(d_k)`` — attention gets flatter as D grows.
Caught by: the differential check (any D > 1) and the statistical logit-variance check (variance ~1/D
instead of ~1 with scaling).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-attention-scale-1-over-d"
DTYPES = ("float32", "float64")
CATCHES = ("attention_weights:unscaled_logits_are_sqrt_d_times_scaled",
           "attention_weights:default_scale_gives_unit_logit_variance",
           "attention_weights:matches_oracle",
           "scaled_dot_product_attention:matches_oracle")


def attention_weights(q, k, *, scale=None, **options):
    """The reference with the default scale ``1 / D`` (BUG: should be ``1 / sqrt(D)``)."""
    reference.attention_weights(q, k, scale=scale, **options)  # validates
    return reference.attention_weights(q, k, scale=1.0 / q.shape[-1] if scale is None else scale, **options)


def scaled_dot_product_attention(q, k, v, *, scale=None, **options):
    """The reference with the default scale ``1 / D`` (BUG: should be ``1 / sqrt(D)``)."""
    reference.scaled_dot_product_attention(q, k, v, scale=scale, **options)  # validates
    return reference.scaled_dot_product_attention(q, k, v, scale=1.0 / q.shape[-1] if scale is None else scale,
                                                  **options)
