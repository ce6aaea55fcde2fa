"""A transformer that validates nothing of its own: unknown ``norm_position`` values fall through to pre-norm,
and token ids are used as indices as they come.

Real bug class: ``if norm_position == "post": ... else: <pre-norm>`` (a typo such as ``"Post"`` silently builds
the other architecture) and an embedding lookup ``tokens[ids]`` without a range check, where NumPy and PyTorch
read a negative id from the end of the table (id -1 becomes the last token). Caught by: the three components'
``rejects_bad_input``.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import mha_decode, sinusoidal_positions
from impls.numpy import transformer_block as _checked_block
from impls.numpy._util import upcast
from impls.numpy.transformer import _block, _norm

NAME = "mutant-transformer-accepts-bad-input"
DTYPES = ("float32", "float64")
CATCHES = ("transformer_block:rejects_bad_input", "decoder_forward:rejects_bad_input",
           "decoder_decode:rejects_bad_input")


def transformer_block(x, params, *, num_heads, num_kv_heads=None, norm="layernorm", norm_position="pre",
                      ffn="gelu", mask=None, is_causal=False, rope_base=None, bias=None, eps=1e-5):
    position = "post" if norm_position == "post" else "pre"  # BUG: anything else is pre-norm
    return _checked_block(x, params, num_heads=num_heads, num_kv_heads=num_kv_heads, norm=norm, norm_position=position,
                          ffn=ffn, mask=mask, is_causal=is_causal, rope_base=rope_base, eps=eps)


def _embed(ids, params, config, past):
    x = params["embed"]["tokens"][ids]  # BUG: no range check (negative ids wrap)
    length = ids.shape[1]
    if config["positional"] == "learned":
        x = x + params["embed"]["positions"][past:past + length]
    elif config["positional"] == "sinusoidal":
        x = x + sinusoidal_positions(past + length, config["d_model"])[past:].astype(x.dtype)
    return x


def _logits(x, params, config):
    h = _norm(x, params["final_norm"], config["norm"], 1e-5)
    w = params["embed"]["tokens"].T if config["tie_embeddings"] else params["lm_head"]["weight"]
    return (upcast(h) @ upcast(w)).astype(h.dtype)


def _rope(config):
    return 10000.0 if config["positional"] == "rope" else None


def decoder_forward(input_ids, params, config):
    x = _embed(input_ids, params, config, 0)
    for layer in params["layers"]:
        x = transformer_block(x, layer, num_heads=config["n_heads"], num_kv_heads=config["n_kv_heads"],
                              norm=config["norm"], ffn=config["ffn"], is_causal=True, rope_base=_rope(config))
    return _logits(x, params, config)


def decoder_decode(input_ids, cache, params, config):
    past = 0 if cache is None else cache[0][0].shape[2]
    x = _embed(input_ids, params, config, past)
    new_cache = []
    for i, layer in enumerate(params["layers"]):
        d = config["d_model"] // config["n_heads"]
        empty = np.zeros((x.shape[0], config["n_kv_heads"], 0, d), dtype=x.dtype)
        kv = (empty, empty) if cache is None else tuple(cache[i])
        out = {}

        def attend(u, kv=kv, layer=layer, out=out):
            y, out["c"] = mha_decode(u, kv, layer["attn"], num_heads=config["n_heads"],
                                     num_kv_heads=config["n_kv_heads"], rope_base=_rope(config))
            return y

        x = _block(x, layer, attend, norm=config["norm"], norm_position="pre", ffn=config["ffn"], eps=1e-5)
        new_cache.append(out["c"])
    return _logits(x, params, config), new_cache
