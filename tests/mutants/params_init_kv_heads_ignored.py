"""init_transformer_params allocating wk and wv (and their biases) with ``n_heads`` heads instead of
``n_kv_heads``: every GQA/MQA config gets full-size K/V projections.

Real bug class: grouped-query attention wired into the attention code but not into the initialiser (the
projections sized ``d_model x d_model``); the model still runs if K/V are repeated, but has the wrong
parameters. Correct for MHA configs. Caught by: init shapes match the config, and the comparison with the
oracle's shapes.
"""
from impls._validate import params as _v
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy.params import _ffn, _Init, _norm

NAME = "mutant-params-init-kv-heads-ignored"
DTYPES = ("float32",)


def _attention(cfg, init):
    d, q_dim = cfg.d_model, cfg.n_heads * cfg.head_dim
    kv_dim = q_dim  # BUG: should be cfg.n_kv_heads * cfg.head_dim
    out = {"wq": init.normal(d, q_dim), "wk": init.normal(d, kv_dim), "wv": init.normal(d, kv_dim),
           "wo": init.normal(q_dim, d)}
    if cfg.bias:
        out.update(bq=init.zeros(q_dim), bk=init.zeros(kv_dim), bv=init.zeros(kv_dim), bo=init.zeros(d))
    return out


def init_transformer_params(config, *, seed):
    cfg = _v.check_config(config)
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
