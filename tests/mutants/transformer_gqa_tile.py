"""A GQA decoder that expands its K/V heads by tiling instead of repeating each head for its group.

Real bug class: ``k.repeat(1, group, 1, 1)`` (tile: heads 0, 1, 0, 1) where ``repeat_interleave(group, dim=1)``
(0, 0, 1, 1) was meant, so query head ``h`` reads K/V head ``h % Hkv`` instead of ``h // (H / Hkv)``; invisible
for MHA and MQA. Caught by: a GQA model equals the MHA model whose K/V projections repeat each K/V head.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import transformer_block
from impls.numpy.transformer import _check, _embed, _head

NAME = "mutant-transformer-gqa-tile"
DTYPES = ("float32", "float64")
CATCHES = ("decoder_forward:grouped_kv_equals_repeated_mha", "decoder_forward:matches_oracle")


def _tiled(attn, h, hkv, head_dim):
    out = dict(attn)
    for key in ("wk", "wv", "bk", "bv"):
        if key in out:
            a = out[key]
            heads = a.reshape(a.shape[:-1] + (hkv, head_dim))
            out[key] = np.tile(heads, (1,) * (heads.ndim - 2) + (h // hkv, 1)).reshape(a.shape[:-1] + (h * head_dim,))
    return out  # BUG: tile, not repeat_interleave


def decoder_forward(input_ids, params, config):
    dims = _check("decoder_forward", input_ids, params, config)
    cfg = dims.cfg
    x = _embed(input_ids, params, dims, 0)
    for layer in params["layers"]:
        layer = {**layer, "attn": _tiled(layer["attn"], cfg.n_heads, cfg.n_kv_heads, cfg.head_dim)}
        x = transformer_block(x, layer, num_heads=cfg.n_heads, norm=cfg.norm, ffn=cfg.ffn, is_causal=True,
                              rope_base=dims.rope_base, eps=dims.eps)
    return _head(x, params, dims)
