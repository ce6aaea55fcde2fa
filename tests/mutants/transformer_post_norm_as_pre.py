"""A transformer block that applies its norms before the sublayers even when asked for post-norm.

Real bug class: a block written for GPT-2/LLaMA (pre-norm) reused for BERT or the original Transformer with the
``norm_position`` option read but never branched on, so ``"post"`` still computes ``x + MHA(N(x))``: the output
is no longer normalised. Caught by: post-norm outputs have zero mean and unit variance per position, and with
zero output projections a post-norm block is N_ffn(N_attn(x)) (here it is x).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-transformer-post-norm-as-pre"
DTYPES = ("float32", "float64")
CATCHES = ("transformer_block:post_norm_outputs_are_standardised",
           "transformer_block:zero_output_projections_give_identity_or_norms",
           "transformer_block:matches_oracle")


def transformer_block(x, params, *, norm_position="pre", **options):
    """The reference pre-norm block whatever ``norm_position`` says (BUG: the position is validated, then
    ignored)."""
    reference.transformer_block(x, params, norm_position=norm_position, **options)  # validates
    return reference.transformer_block(x, params, norm_position="pre", **options)
