"""init_transformer_params that accepts ``d_model % n_heads != 0`` and floors the head dim
(``d_model // n_heads``): d_model=8 with 3 heads silently builds 3 heads of 2, a 6-wide attention.

Real bug class: a missing divisibility check around an integer division; the model is built with a
projection narrower than d_model instead of an error. Correct for valid configs. Caught by:
init_transformer_params ``rejects_bad_input`` (n_heads not dividing d_model).
"""
import dataclasses

from impls._validate import params as _v
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import init_transformer_params as _init_transformer_params
from impls.numpy.params import _attention, _ffn, _Init, _norm

NAME = "mutant-params-init-head-dim-floored"
DTYPES = ("float32",)


def init_transformer_params(config, *, seed):
    d_model, heads = (config.get("d_model"), config.get("n_heads")) if isinstance(config, dict) else (None, None)
    if isinstance(d_model, int) and isinstance(heads, int) and heads > 0:
        # BUG: the shared check runs on d_model rounded down to a multiple of n_heads; the rest is built from
        # the real d_model with head_dim = d_model // n_heads
        rounded = max(d_model - d_model % heads, heads)
        cfg = dataclasses.replace(_v.check_config(dict(config, d_model=rounded)), d_model=d_model)
        return _build(cfg, seed)
    return _init_transformer_params(config, seed=seed)


def _build(cfg, seed):
    init = _Init(_v.check_seed(seed, "init_transformer_params"))
    embed = {"tokens": init.normal(cfg.vocab_size, cfg.d_model)}
    if cfg.positional == "learned":
        embed["positions"] = init.normal(cfg.max_positions, cfg.d_model)
    layers = [{"attn_norm": _norm(cfg, init), "attn": _attention(cfg, init),
               "ffn_norm": _norm(cfg, init), "ffn": _ffn(cfg, init)} for _ in range(cfg.n_layers)]
    params = {"embed": embed, "layers": layers, "final_norm": _norm(cfg, init)}
    if not cfg.tie_embeddings:
        params["lm_head"] = {"weight": init.normal(cfg.d_model, cfg.vocab_size)}
    return params
