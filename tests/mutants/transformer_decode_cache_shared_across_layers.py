"""KV-cache decoding that hands layer 0's cache to every layer.

Real bug class: one ``past_key_values`` pair threaded through the layer loop (``past = cache[0]`` or a variable
reassigned by each layer) instead of one pair per layer, so layer ``i > 0`` attends over the keys and values
another layer projected. Invisible for one layer or an empty cache. Caught by: decoding in chunks, the cache
passed along, equals ``decoder_forward`` on the whole.
"""
import numpy as np

from impls._validate import transformer as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import decoder_forward, mha_decode  # noqa: F401
from impls.numpy.transformer import _block, _check, _embed, _head, _meta_tree

NAME = "mutant-transformer-decode-cache-shared-across-layers"
DTYPES = ("float32", "float64")
CATCHES = ("decoder_decode:chunked_decoding_equals_forward", "decoder_decode:matches_oracle")


def decoder_decode(input_ids, cache, params, config):
    dims = _check("decoder_decode", input_ids, params, config, cache)
    cfg = dims.cfg
    x = _embed(input_ids, params, dims, dims.past)
    new_cache = []
    for i, layer in enumerate(params["layers"]):
        if cache is None:
            empty = np.zeros((dims.batch, cfg.n_kv_heads, 0, cfg.head_dim), dtype=x.dtype)
            past = (empty, empty)
        else:
            past = tuple(cache[0])  # BUG: layer 0's cache for every layer
        V.block(_meta_tree(x, "x"), _meta_tree(layer, "layer"), cfg.norm, "pre", cfg.ffn, dims.eps)
        out = {}

        def attend(u, past=past, layer=layer, out=out):
            y, out["cache"] = mha_decode(u, past, layer["attn"], num_heads=cfg.n_heads, num_kv_heads=cfg.n_kv_heads,
                                         rope_base=dims.rope_base)
            return y

        x = _block(x, layer, attend, norm=cfg.norm, norm_position="pre", ffn=cfg.ffn, eps=dims.eps)
        new_cache.append(out["cache"])
    return _head(x, params, dims), new_cache
