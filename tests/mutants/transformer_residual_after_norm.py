"""A pre-norm block whose residual branch starts from the normalised input instead of the input.

Real bug class: ``x = self.ln_1(x); x = x + self.attn(x)`` -- reassigning the normed tensor to the name the
residual is taken from, so the stream becomes ``N(x) + MHA(N(x))`` and every layer re-normalises the residual
stream (the pre-norm block is no longer the identity plus branches). Caught by: with zero output projections a
pre-norm block is the identity (here it returns N_ffn(N_attn(x))).
"""
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import feed_forward, layer_norm, rms_norm
from impls.numpy import transformer as numpy_transformer
from tests.patching import patched

NAME = "mutant-transformer-residual-after-norm"
DTYPES = ("float32", "float64")
CATCHES = ("transformer_block:zero_output_projections_give_identity_or_norms", "transformer_block:matches_oracle")


def _norm(x, params, kind, eps):
    if kind == "layernorm":
        return layer_norm(x, 1, params["weight"], params.get("bias"), eps=eps)
    return rms_norm(x, 1, params["weight"], eps=eps)


def _block(x, params, attend, *, norm, norm_position, ffn, eps):
    """Pre-norm with the residual taken after each norm: ``u = n1(x); h = n2(u + attend(u)); h + ffn(h)``
    (BUG: the residual stream is the normed x); post-norm is the reference's."""
    if norm_position != "pre":
        return numpy_transformer._block(x, params, attend, norm=norm, norm_position=norm_position, ffn=ffn, eps=eps)
    u = _norm(x, params["attn_norm"], norm, eps)
    h = _norm(u + attend(u), params["ffn_norm"], norm, eps)
    return h + feed_forward(h, params["ffn"], activation=ffn)


transformer_block = patched(numpy_transformer, _block=_block).transformer_block
