"""count_parameters counts a bias for RMSNorm, which has a weight only.

Real bug class: carrying LayerNorm's `2 * d` per norm over to an RMSNorm model. Caught by:
count_parameters(config) equals the number of elements in init_transformer_params(config) for any config with
norm='rmsnorm'.
"""
from impls.numpy import asarray, init_transformer_params, to_numpy  # noqa: F401  (plug-in interface; correct init)

NAME = "mutant-params-rmsnorm-counted-with-bias"
DTYPES = ("float32", "float64")
CATCHES = ("count_parameters:matches_oracle",
           "count_parameters:block_is_twelve_d_squared",
           "count_parameters:equals_init_element_count",
           "count_parameters:matches_closed_form")


def count_parameters(config):
    vocab, d, layers = config["vocab_size"], config["d_model"], config["n_layers"]
    heads, kv_heads, d_ff = config["n_heads"], config["n_kv_heads"], config["d_ff"]
    head_dim = d // heads
    bias = config["bias"]
    norm = 2 * d  # BUG: RMSNorm has no bias, only layernorm does
    attn = d * heads * head_dim + 2 * d * kv_heads * head_dim + heads * head_dim * d
    if bias:
        attn += heads * head_dim + 2 * kv_heads * head_dim + d
    if config["ffn"] == "swiglu":
        ffn = 3 * d * d_ff
    else:
        ffn = 2 * d * d_ff + ((d_ff + d) if bias else 0)
    total = vocab * d + layers * (2 * norm + attn + ffn) + norm
    if config["positional"] == "learned":
        total += config["max_positions"] * d
    if not config["tie_embeddings"]:
        total += d * vocab
    return total
