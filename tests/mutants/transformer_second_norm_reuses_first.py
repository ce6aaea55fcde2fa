"""A block whose second norm uses the first norm's parameters.

Real bug class: a copy-paste ``self.ln_1`` where ``self.ln_2`` was meant (or one norm module registered and
called twice), so ``ffn_norm``'s weight and bias are counted, initialised and saved but never used. Caught by:
no parameter is dead (perturbing ``ffn_norm`` changes no logit).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import decoder_decode  # noqa: F401
from impls.numpy import transformer as numpy_transformer
from tests.patching import patched

NAME = "mutant-transformer-second-norm-reuses-first"
DTYPES = ("float32", "float64")
CATCHES = ("decoder_forward:no_dead_parameters", "transformer_block:matches_oracle")


def transformer_block(x, params, **options):
    """The reference block with ``ffn_norm`` replaced by ``attn_norm`` (BUG: ln_1 used twice)."""
    reference.transformer_block(x, params, **options)  # validates
    return reference.transformer_block(x, {**params, "ffn_norm": params["attn_norm"]}, **options)


# the reference decoder built from this file's block
decoder_forward = patched(numpy_transformer, transformer_block=transformer_block).decoder_forward
