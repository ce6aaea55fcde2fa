"""A tied LM head that reshapes the token embedding to ``(d, V)`` instead of transposing it.

Real bug class: ``tokens.reshape(d_model, vocab_size)`` (or ``.view``) where ``tokens.T`` was meant -- the
shapes fit, so nothing complains, but logit ``v`` is no longer the dot product with token ``v``'s embedding. Here
only in the full-sequence path: decoding (``tokens.T``) and the forward disagree. Caught by: decoding in chunks
equals ``decoder_forward``.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import decoder_decode, transformer_block  # noqa: F401
from impls.numpy import transformer as numpy_transformer
from tests.patching import patched

NAME = "mutant-transformer-tied-head-reshaped"
DTYPES = ("float32", "float64")
CATCHES = ("decoder_decode:chunked_decoding_equals_forward", "decoder_forward:matches_oracle")


def _head(x, params, dims):
    """The final norm, then a tied head read as ``tokens.reshape(d, V)`` (BUG: should be ``tokens.T``)."""
    cfg = dims.cfg
    norm = params["final_norm"]
    if cfg.norm == "layernorm":
        h = reference.layer_norm(x, 1, norm["weight"], norm.get("bias"), eps=dims.eps)
    else:
        h = reference.rms_norm(x, 1, norm["weight"], eps=dims.eps)
    tokens = params["embed"]["tokens"]
    weight = tokens.reshape(cfg.d_model, cfg.vocab_size) if cfg.tie_embeddings else params["lm_head"]["weight"]
    return (h.astype(np.float64) @ weight.astype(np.float64)).astype(h.dtype)


decoder_forward = patched(numpy_transformer, _head=_head).decoder_forward
