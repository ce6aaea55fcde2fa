"""kv_cache_bytes counting ``n_heads`` K/V heads instead of ``n_kv_heads``: a GQA/MQA model's cache is reported
as large as its MHA twin's.

Real bug class: a KV-cache estimate written for multi-head attention and reused for grouped-query models
(LLaMA-2-70B, Mistral), overstating their cache by n_heads / n_kv_heads. Caught by: a GQA model's cache is
n_kv_heads / n_heads of its MHA twin's, LLaMA-2-70B's 320 KiB per token, and the comparison with the oracle.
"""
from impls._validate import params as _v
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-params-kv-cache-n-heads"
DTYPES = ("float32",)
CATCHES = ("kv_cache_bytes:gqa_is_fraction_of_mha", "kv_cache_bytes:known_models_per_token",
           "kv_cache_bytes:matches_oracle")


def kv_cache_bytes(config, *, batch_size, seq_len, bytes_per_element=2):
    cfg, b, s, e = _v.check_kv_cache_args(config, batch_size, seq_len, bytes_per_element)
    return 2 * cfg.n_layers * cfg.n_heads * cfg.head_dim * s * b * e  # BUG: n_kv_heads
