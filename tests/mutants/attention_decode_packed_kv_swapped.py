"""mha_decode reading a packed ``w_qkv`` as ``[q | v | k]``: the key and value projections are swapped when
the weights are packed (separate ``wq wk wv`` are right).

Real bug class: a fused-QKV checkpoint converted with the k and v blocks in the wrong order; shapes match
(both are Hkv * D wide), so only the numbers are wrong, and only on the packed path. Caught by: mha_decode
packed ``w_qkv`` equals separate ``wq wk wv``, and the oracle comparison with packed projections.
"""
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import mha_decode as reference_mha_decode

NAME = "mutant-attention-decode-packed-kv-swapped"
DTYPES = ("float32", "float64")
CATCHES = ("mha_decode:packed_qkv_equals_separate",
           "mha_decode:matches_oracle",
           "mha_decode:chunked_decoding_equals_causal_attention")


def _swap_kv(params, num_heads, num_kv_heads):
    if not isinstance(params, dict) or "w_qkv" not in params:
        return params
    kv_heads = num_heads if num_kv_heads is None else num_kv_heads
    out = dict(params)
    for key in ("w_qkv", "b_qkv"):
        if key in params:
            w = params[key]
            width = w.shape[-1] // (num_heads + 2 * kv_heads)
            q, kv = num_heads * width, kv_heads * width
            # BUG: the columns read as q | v | k
            out[key] = w[..., list(range(q)) + list(range(q + kv, q + 2 * kv)) + list(range(q, q + kv))]
    return out


def mha_decode(x_new, cache, params, *, num_heads, num_kv_heads=None, rope_base=None):
    return reference_mha_decode(x_new, cache, _swap_kv(params, num_heads, num_kv_heads), num_heads=num_heads,
                       num_kv_heads=num_kv_heads, rope_base=rope_base)
