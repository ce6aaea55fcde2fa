"""KV-cache decoding whose learned or sinusoidal positions restart at 0 in every chunk.

Real bug class: ``position_ids = arange(T)`` computed from the new tokens alone, ignoring the cache length
``P``: every generated token is embedded at position 0 (RoPE, applied inside attention at ``P..P+T-1``, is
unaffected). Caught by: decoding in chunks equals ``decoder_forward`` on the whole, and the oracle with P > 0.
"""
import numpy as np

from impls._validate import transformer as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import decoder_forward, mha_decode  # noqa: F401
from impls.numpy.transformer import _block, _check, _embed, _head, _meta_tree

NAME = "mutant-transformer-decode-positions-restart"
DTYPES = ("float32", "float64")
CATCHES = ("decoder_decode:chunked_decoding_equals_forward", "decoder_decode:matches_oracle")


def decoder_decode(input_ids, cache, params, config):
    dims = _check("decoder_decode", input_ids, params, config, cache)
    cfg = dims.cfg
    x = _embed(input_ids, params, dims, 0)  # BUG: positions 0..T-1, not P..P+T-1
    new_cache = []
    for i, layer in enumerate(params["layers"]):
        if cache is None:
            empty = np.zeros((dims.batch, cfg.n_kv_heads, 0, cfg.head_dim), dtype=x.dtype)
            past = (empty, empty)
        else:
            past = tuple(cache[i])
        V.block(_meta_tree(x, "x"), _meta_tree(layer, "layer"), cfg.norm, "pre", cfg.ffn, dims.eps)
        out = {}

        def attend(u, past=past, layer=layer, out=out):
            y, out["cache"] = mha_decode(u, past, layer["attn"], num_heads=cfg.n_heads, num_kv_heads=cfg.n_kv_heads,
                                         rope_base=dims.rope_base)
            return y

        x = _block(x, layer, attend, norm=cfg.norm, norm_position="pre", ffn=cfg.ffn, eps=dims.eps)
        new_cache.append(out["cache"])
    return _head(x, params, dims), new_cache
