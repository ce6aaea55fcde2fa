"""count_parameters sizing every attention head d_model wide: wq/wk/wv/wo counted as ``d x (heads * d)``
instead of ``d x (heads * d / heads)``.

Real bug class: forgetting that the heads split d_model (``head_dim = d_model // n_heads``) and giving each head
its own full-width projection, so the count grows with n_heads. Correct for one head. Caught by: an MHA
block's parameter count does not depend on n_heads, a block at d_ff = 4d holds 12 d^2 weights, and the
comparison with the oracle.
"""
from impls._validate import params as _v
from impls.numpy import asarray, init_transformer_params, to_numpy  # noqa: F401  (plug-in interface; correct init)

NAME = "mutant-params-count-head-dim-is-d-model"
DTYPES = ("float32",)
CATCHES = ("count_parameters:mha_block_independent_of_n_heads", "count_parameters:block_is_twelve_d_squared",
           "count_parameters:matches_oracle")


def count_parameters(config):
    cfg = _v.check_config(config)
    d, f = cfg.d_model, cfg.d_ff
    q_dim, kv_dim = cfg.n_heads * d, cfg.n_kv_heads * d  # BUG: head_dim is d // n_heads, not d
    norm = 2 * d if cfg.norm == "layernorm" else d
    attn = 2 * d * q_dim + 2 * d * kv_dim + ((q_dim + 2 * kv_dim + d) if cfg.bias else 0)
    ffn = 3 * d * f if cfg.ffn == "swiglu" else 2 * d * f + ((f + d) if cfg.bias else 0)
    embed = cfg.vocab_size * d + (cfg.max_positions * d if cfg.positional == "learned" else 0)
    head = 0 if cfg.tie_embeddings else d * cfg.vocab_size
    return embed + cfg.n_layers * (2 * norm + attn + ffn) + norm + head
