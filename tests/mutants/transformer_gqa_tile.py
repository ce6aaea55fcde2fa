"""A GQA decoder that expands its K/V heads by tiling instead of repeating each head for its group.

Real bug class: ``k.repeat(1, group, 1, 1)`` (tile: heads 0, 1, 0, 1) where ``repeat_interleave(group, dim=1)``
(0, 0, 1, 1) was meant, so query head ``h`` reads K/V head ``h % Hkv`` instead of ``h // (H / Hkv)``; invisible
for MHA and MQA. Caught by: a GQA model equals the MHA model whose K/V projections repeat each K/V head.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-transformer-gqa-tile"
DTYPES = ("float32", "float64")
CATCHES = ("decoder_forward:grouped_kv_equals_repeated_mha", "decoder_forward:matches_oracle")


def _tiled(attn, h, hkv, head_dim):
    """``wk, wv, bk, bv`` widened to ``h`` heads by tiling (BUG: tile, not repeat_interleave: query head ``i``
    reads kv head ``i % hkv``)."""
    out = dict(attn)
    for key in ("wk", "wv", "bk", "bv"):
        if key in out:
            a = out[key]
            heads = a.reshape(a.shape[:-1] + (hkv, head_dim))
            tiled = np.tile(heads, (1,) * (heads.ndim - 2) + (h // hkv, 1))
            out[key] = tiled.reshape(a.shape[:-1] + (h * head_dim,))
    return out


def decoder_forward(input_ids, params, config):
    """The reference decoder on key/value projections tiled to one per query head."""
    reference.decoder_forward(input_ids, params, config)  # validates
    h, hkv = config["n_heads"], config["n_kv_heads"]
    head_dim = config["d_model"] // h
    layers = [{**layer, "attn": _tiled(layer["attn"], h, hkv, head_dim)} for layer in params["layers"]]
    return reference.decoder_forward(input_ids, {**params, "layers": layers}, {**config, "n_kv_heads": h})
