"""Argument checks for the assembled transformer (SPEC 3.10), shared by every built-in backend.

Backends hand over ``meta`` pairs ``(shape, dtype)`` for arrays (dtype names like ``"float32"``; torch's
``"torch.float32"`` is accepted), nested dicts/lists of such pairs for ``params`` and caches, the smallest and
largest token id as Python ints, and plain Python values. Nothing here touches an array. Every check raises
``ValueError`` (a shape or value breaks a convention) or ``TypeError`` (wrong kind of argument) with a message
naming the component. The attention, feed-forward and norm parameters themselves are checked by those
components when the block calls them.
"""
import math
import numbers
from typing import NamedTuple

from impls._validate import dtype_name
from impls._validate.params import FFNS, NORMS, check_config

NORM_POSITIONS = ("pre", "post")
BLOCK_KEYS = ("attn_norm", "attn", "ffn_norm", "ffn")
_INTS = ("int64", "int32")


class ModelDims(NamedTuple):
    """What a ``decoder_forward``/``decoder_decode`` call needs beyond the arrays."""
    cfg: object  # impls._validate.params.Config
    batch: int
    new_len: int
    past: int
    rope_base: float | None
    eps: float


def _shape(meta) -> tuple:
    return tuple(int(n) for n in meta[0])


def _eps(component, eps):
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real):
        raise TypeError(f"{component}: eps must be a real number, got {type(eps).__name__}")
    if not (math.isfinite(eps) and eps >= 0):
        raise ValueError(f"{component}: eps={eps} must be finite and >= 0")
    return float(eps)


def _norm_params(component, name, params, norm, d_model):
    if not isinstance(params, dict):
        raise TypeError(f"{component}: params[{name!r}] must be a dict {{weight[, bias]}}, "
                        f"got {type(params).__name__}")
    allowed = ("weight", "bias") if norm == "layernorm" else ("weight",)
    extra = sorted(set(params) - set(allowed))
    if extra:
        raise ValueError(f"{component}: params[{name!r}] has unexpected keys {extra} for norm={norm!r} "
                         f"(expected among {list(allowed)}; RMSNorm has no bias)")
    if "weight" not in params:
        raise ValueError(f"{component}: params[{name!r}] lacks 'weight'")
    for key, meta in params.items():
        if _shape(meta) != (d_model,):
            raise ValueError(f"{component}: params[{name!r}][{key!r}] must have shape ({d_model},), "
                             f"got {_shape(meta)}")


def block(x, params, norm, norm_position, ffn, eps, component="transformer_block"):
    """Checks ``transformer_block``'s own arguments (the sub-components check theirs): x ``(B, L, d)``, params
    ``{attn_norm, attn, ffn_norm, ffn}``, the norm kind and position, the FFN kind and eps; returns eps."""
    if norm_position not in NORM_POSITIONS:
        raise ValueError(f"{component}: unknown norm_position {norm_position!r}; expected one of {NORM_POSITIONS}")
    if norm not in NORMS:
        raise ValueError(f"{component}: unknown norm {norm!r}; expected one of {NORMS}")
    if ffn not in FFNS:
        raise ValueError(f"{component}: unknown ffn {ffn!r}; expected one of {FFNS}")
    eps = _eps(component, eps)
    shape = _shape(x)
    if len(shape) != 3:
        raise ValueError(f"{component}: x must have shape (B, L, d), got {shape} (rank {len(shape)})")
    if not isinstance(params, dict):
        raise TypeError(f"{component}: params must be a dict {{attn_norm, attn, ffn_norm, ffn}}, "
                        f"got {type(params).__name__}")
    missing = [k for k in BLOCK_KEYS if k not in params]
    extra = sorted(set(params) - set(BLOCK_KEYS))
    if missing or extra:
        raise ValueError(f"{component}: params must have exactly the keys {list(BLOCK_KEYS)}; "
                         f"missing {missing}, unexpected {extra}")
    for key in ("attn", "ffn"):
        if not isinstance(params[key], dict):
            raise TypeError(f"{component}: params[{key!r}] must be a dict of arrays, got "
                            f"{type(params[key]).__name__}")
    for key in ("attn_norm", "ffn_norm"):
        _norm_params(component, key, params[key], norm, shape[-1])
    return eps


def token_ids(component, ids, lowest, highest, vocab_size):
    """``input_ids`` must be an int64/int32 ``(B, T)`` array with every id in ``[0, vocab_size)``; ``lowest`` and
    ``highest`` are its smallest and largest id (None when it is empty or not an integer array)."""
    dtype = dtype_name(ids[1])
    if dtype not in _INTS:
        raise TypeError(f"{component}: input_ids must be an integer array ({', '.join(_INTS)}), got {dtype}")
    shape = _shape(ids)
    if len(shape) != 2:
        raise ValueError(f"{component}: input_ids must have shape (B, T), got {shape} (rank {len(shape)})")
    if lowest is not None and (lowest < 0 or highest >= vocab_size):
        bad = lowest if lowest < 0 else highest
        raise ValueError(f"{component}: token id {bad} outside [0, vocab_size={vocab_size})")
    return shape


def _model_params(component, params, cfg):
    if not isinstance(params, dict):
        raise TypeError(f"{component}: params must be the nested dict of init_transformer_params, "
                        f"got {type(params).__name__}")
    for key in ("embed", "layers", "final_norm") + (() if cfg.tie_embeddings else ("lm_head",)):
        if key not in params:
            raise ValueError(f"{component}: params lacks {key!r}")
    embed = params["embed"]
    if not isinstance(embed, dict) or "tokens" not in embed:
        raise ValueError(f"{component}: params['embed'] must be a dict with 'tokens'")
    d, v = cfg.d_model, cfg.vocab_size
    if _shape(embed["tokens"]) != (v, d):
        raise ValueError(f"{component}: params['embed']['tokens'] must have shape (vocab_size, d_model) = "
                         f"{(v, d)}, got {_shape(embed['tokens'])}")
    if cfg.positional == "learned":
        if "positions" not in embed or _shape(embed["positions"]) != (cfg.max_positions, d):
            got = _shape(embed["positions"]) if "positions" in embed else "none"
            raise ValueError(f"{component}: learned positions need params['embed']['positions'] of shape "
                             f"(max_positions, d_model) = {(cfg.max_positions, d)}, got {got}")
    layers = params["layers"]
    if not isinstance(layers, (list, tuple)) or len(layers) != cfg.n_layers:
        got = len(layers) if isinstance(layers, (list, tuple)) else type(layers).__name__
        raise ValueError(f"{component}: params['layers'] must be a list of n_layers={cfg.n_layers} blocks, "
                         f"got {got}")
    _norm_params(component, "final_norm", params["final_norm"], cfg.norm, d)
    if not cfg.tie_embeddings:
        head = params["lm_head"]
        if not isinstance(head, dict) or "weight" not in head or _shape(head["weight"]) != (d, v):
            raise ValueError(f"{component}: params['lm_head']['weight'] must have shape (d_model, vocab_size) "
                             f"= {(d, v)}")


def _options(component, config):
    rope_base = config.get("rope_base", 10000.0)
    if isinstance(rope_base, bool) or not isinstance(rope_base, numbers.Real) or \
            not (math.isfinite(rope_base) and rope_base > 0):
        raise ValueError(f"{component}: config['rope_base'] must be a finite number > 0, got {rope_base!r}")
    return float(rope_base), _eps(component, config.get("norm_eps", 1e-5))


def model(component, ids, lowest, highest, params, config, cache=None):
    """Checks ``decoder_forward`` (``cache`` None) and ``decoder_decode``: the config, the token ids, the
    parameter tree's outer structure and, for decoding, a cache of one ``(k, v)`` pair per layer, each
    ``(B, Hkv, P, D)``; the positions ``P .. P+T-1`` must exist for learned positions. Returns the sizes."""
    cfg = check_config(config)
    batch, new_len = token_ids(component, ids, lowest, highest, cfg.vocab_size)
    _model_params(component, params, cfg)
    rope_base, eps = _options(component, config)
    past = 0
    if cache is not None:
        if not isinstance(cache, (list, tuple)):
            raise TypeError(f"{component}: cache must be None or a list of (k, v) pairs, one per layer, "
                            f"got {type(cache).__name__}")
        if len(cache) != cfg.n_layers:
            raise ValueError(f"{component}: cache has {len(cache)} layers, the model has n_layers={cfg.n_layers}")
        want = None
        for i, pair in enumerate(cache):
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise TypeError(f"{component}: cache[{i}] must be a pair (k, v), got {type(pair).__name__}")
            k, v = (_shape(m) for m in pair)
            if len(k) != 4 or k != v:
                raise ValueError(f"{component}: cache[{i}] k {k} and v {v} must both be (B, Hkv, P, D)")
            if want is None:
                want = (batch, cfg.n_kv_heads, k[2], cfg.head_dim)
            if k != want:
                raise ValueError(f"{component}: cache[{i}] has shape {k}; expected (B, Hkv, P, D) = {want} "
                                 f"(batch {batch}, n_kv_heads {cfg.n_kv_heads}, head_dim {cfg.head_dim}, "
                                 f"the same P in every layer)")
        past = want[2] if want else 0
    if cfg.positional == "learned" and past + new_len > cfg.max_positions:
        raise ValueError(f"{component}: positions {past}..{past + new_len - 1} exceed max_positions="
                         f"{cfg.max_positions} of the learned position table")
    return ModelDims(cfg, batch, new_len, past, rope_base if cfg.positional == "rope" else None, eps)
