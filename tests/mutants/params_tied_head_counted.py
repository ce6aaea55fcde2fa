"""count_parameters counts the LM head even when it is tied to the token embedding.

Real bug class: summing every weight matrix of a model whose `lm_head.weight` is the embedding tensor (the GPT-2
'163M vs 124M' confusion). Caught by: count_parameters(config) equals the number of elements in
init_transformer_params(config) for any config with tie_embeddings=True.
"""
from impls.numpy import asarray, init_transformer_params, to_numpy  # noqa: F401  (plug-in interface; correct init)

NAME = "mutant-params-tied-head-counted"
DTYPES = ("float32", "float64")
CATCHES = ("count_parameters:matches_oracle",
           "count_parameters:equals_init_element_count",
           "count_parameters:matches_closed_form",
           "count_parameters:rejects_bad_input")


def count_parameters(config):
    vocab, d, layers = config["vocab_size"], config["d_model"], config["n_layers"]
    heads, kv_heads, d_ff = config["n_heads"], config["n_kv_heads"], config["d_ff"]
    head_dim = d // heads
    bias = config["bias"]
    norm = 2 * d if config["norm"] == "layernorm" else d
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
    total += d * vocab  # BUG: a tied head shares the embedding, it adds no parameters
    return total
