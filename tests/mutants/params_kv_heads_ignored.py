"""count_parameters sizes wk and wv as d x d, ignoring n_kv_heads (GQA/MQA counted as MHA).

Real bug class: a parameter estimate written for multi-head attention and reused for LLaMA-2-70B / Mistral style
grouped-query attention. Caught by: count_parameters(config) equals the number of elements in
init_transformer_params(config) for any config with n_kv_heads < n_heads.
"""
from impls.numpy import asarray, init_transformer_params, to_numpy  # noqa: F401  (plug-in interface; correct init)

NAME = "mutant-params-kv-heads-ignored"
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
    attn = 4 * d * d  # BUG: wk, wv are (d, n_kv_heads * head_dim)
    if bias:
        attn += 4 * d  # BUG: bk, bv are (n_kv_heads * head_dim,)
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
