"""kv_cache_bytes ignoring ``bytes_per_element``: the cache is always counted at 2 bytes (fp16) per element.

Real bug class: a hard-coded 16-bit element size, so an fp32 or 8-bit (FP8/INT8) KV cache is mis-sized by 2x.
Correct at the default. Caught by: the cache is linear in bytes_per_element, and the comparison with the oracle.
"""
from impls._validate import params as _v
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-params-kv-cache-width-ignored"
DTYPES = ("float32",)
CATCHES = ("kv_cache_bytes:linear_in_batch_length_and_width", "kv_cache_bytes:matches_oracle")


def kv_cache_bytes(config, *, batch_size, seq_len, bytes_per_element=2):
    cfg, b, s, _ = _v.check_kv_cache_args(config, batch_size, seq_len, bytes_per_element)
    return 2 * cfg.n_layers * cfg.n_kv_heads * cfg.head_dim * s * b * 2  # BUG: * bytes_per_element
