"""A pre-norm block that returns the feed-forward branch without adding the residual stream back.

Real bug class: ``return self.mlp(self.ln_2(h))`` instead of ``h + self.mlp(self.ln_2(h))`` -- the skip
connection around the FFN forgotten, so the block's output is only the FFN's. Caught by: with zero output
projections a pre-norm block is the identity (here it returns 0).
"""
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import feed_forward, layer_norm, rms_norm
from impls.numpy import transformer as numpy_transformer
from tests.patching import patched

NAME = "mutant-transformer-ffn-residual-skipped"
DTYPES = ("float32", "float64")
CATCHES = ("transformer_block:zero_output_projections_give_identity_or_norms", "transformer_block:matches_oracle")


def _norm(x, params, kind, eps):
    if kind == "layernorm":
        return layer_norm(x, 1, params["weight"], params.get("bias"), eps=eps)
    return rms_norm(x, 1, params["weight"], eps=eps)


def _block(x, params, attend, *, norm, norm_position, ffn, eps):
    """Pre-norm: ``h = x + attend(n1(x))``, then ``ffn(n2(h))`` (BUG: no ``h +``); post-norm is the
    reference's."""
    if norm_position != "pre":
        return numpy_transformer._block(x, params, attend, norm=norm, norm_position=norm_position, ffn=ffn, eps=eps)
    h = x + attend(_norm(x, params["attn_norm"], norm, eps))
    return feed_forward(_norm(h, params["ffn_norm"], norm, eps), params["ffn"], activation=ffn)


transformer_block = patched(numpy_transformer, _block=_block).transformer_block
