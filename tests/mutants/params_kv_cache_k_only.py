"""kv_cache_bytes without the factor 2: only the K cache is counted, not V.

Real bug class: "the KV cache holds n_layers x seq_len x d_kv values" — one tensor per layer instead of two
(keys and values), halving the estimate. Caught by: the known models' per-token KV cache (LLaMA-2-7B 512 KiB at
16 bits), and the comparison with the oracle.
"""
from impls._validate import params as _v
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-params-kv-cache-k-only"
DTYPES = ("float32",)
CATCHES = ("kv_cache_bytes:known_models_per_token", "kv_cache_bytes:matches_oracle")


def kv_cache_bytes(config, *, batch_size, seq_len, bytes_per_element=2):
    cfg, b, s, e = _v.check_kv_cache_args(config, batch_size, seq_len, bytes_per_element)
    return cfg.n_layers * cfg.n_kv_heads * cfg.head_dim * s * b * e  # BUG: K and V, a factor 2
