"""A block that never forwards ``is_causal`` to its attention.

Real bug class: a wrapper whose signature grew an ``is_causal`` option that is accepted but not passed on
(``self.attn(h, mask=mask)``), so a causal block attends to later positions. Caught by: a causal block's outputs
at positions 0..i ignore the inputs after i.
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-transformer-block-causal-dropped"
DTYPES = ("float32", "float64")
CATCHES = ("transformer_block:causal_ignores_the_future", "transformer_block:matches_oracle")


def transformer_block(x, params, *, is_causal=False, **options):
    """The reference block whose attention never gets ``is_causal`` (BUG: not passed on)."""
    reference.transformer_block(x, params, is_causal=is_causal, **options)  # validates
    return reference.transformer_block(x, params, **options)
