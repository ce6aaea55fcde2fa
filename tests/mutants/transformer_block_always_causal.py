"""A block that always applies the causal mask, whatever ``is_causal`` says.

Real bug class: a decoder block reused as an encoder block with ``is_causal=True`` hard-coded in its attention
call, so a bidirectional (BERT-style) block silently hides the future. Caught by: without mask and positions a
block is equivariant to permuting the sequence (a causal block is not).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-transformer-block-always-causal"
DTYPES = ("float32", "float64")
CATCHES = ("transformer_block:permutation_equivariant_without_mask_and_positions",
           "transformer_block:matches_oracle")


def transformer_block(x, params, *, is_causal=False, **options):
    """The reference block with causal self-attention whatever ``is_causal`` says (BUG: hard-coded True)."""
    reference.transformer_block(x, params, is_causal=is_causal, **options)  # validates
    return reference.transformer_block(x, params, is_causal=True, **options)
