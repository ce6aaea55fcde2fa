"""kv_cache_bytes with ``head_dim = d_model // n_kv_heads``: for GQA the K/V width comes out as d_model, as if
the KV heads were wider.

Real bug class: the head dim derived from the number of KV heads (the only head count the cache code sees),
so a GQA model's cache equals its MHA twin's. Correct for MHA. Caught by: a GQA model's cache is n_kv_heads /
n_heads of its MHA twin's, LLaMA-2-70B's 320 KiB per token.
"""
from impls._validate import params as _v
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-params-kv-cache-head-dim-by-kv-heads"
DTYPES = ("float32",)
CATCHES = ("kv_cache_bytes:gqa_is_fraction_of_mha", "kv_cache_bytes:known_models_per_token")


def kv_cache_bytes(config, *, batch_size, seq_len, bytes_per_element=2):
    cfg, b, s, e = _v.check_kv_cache_args(config, batch_size, seq_len, bytes_per_element)
    head_dim = cfg.d_model // cfg.n_kv_heads  # BUG: d_model // n_heads
    return 2 * cfg.n_layers * cfg.n_kv_heads * head_dim * s * b * e
