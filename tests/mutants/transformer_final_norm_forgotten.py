"""A decoder that feeds the last block's output straight into the LM head, without the final norm.

Real bug class: a pre-norm stack ported from a post-norm one (where the last block already ends in a norm), so
``ln_f`` is created and counted but never applied: the logits see the unnormalised residual stream. Caught by:
no parameter is dead (perturbing ``final_norm`` changes no logit).
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import transformer as numpy_transformer
from tests.patching import patched

NAME = "mutant-transformer-final-norm-forgotten"
DTYPES = ("float32", "float64")
CATCHES = ("decoder_forward:no_dead_parameters", "decoder_forward:matches_oracle")


def _head(x, params, dims):
    """The LM head on the last block's output (BUG: no final norm)."""
    weight = params["embed"]["tokens"].T if dims.cfg.tie_embeddings else params["lm_head"]["weight"]
    return (x.astype(np.float64) @ weight.astype(np.float64)).astype(x.dtype)


decoder_forward = patched(numpy_transformer, _head=_head).decoder_forward
