"""kv_cache_bytes that trusts its arguments: batch_size or seq_len of 0, negative or a float give a figure (0, a
negative or a float number of bytes) instead of an error.

Real bug class: a one-line formula with no argument checks; ``seq_len=-1`` from an unset option silently gives a
negative cache size. The formula is right. Caught by: kv_cache_bytes rejects bad input.
"""
from impls._validate import params as _v
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-params-kv-cache-unvalidated"
DTYPES = ("float32",)
CATCHES = ("kv_cache_bytes:rejects_bad_input",)


def kv_cache_bytes(config, *, batch_size, seq_len, bytes_per_element=2):
    cfg = _v.check_config(config)  # BUG: batch_size, seq_len and bytes_per_element are not checked
    return 2 * cfg.n_layers * cfg.n_kv_heads * cfg.head_dim * seq_len * batch_size * bytes_per_element
