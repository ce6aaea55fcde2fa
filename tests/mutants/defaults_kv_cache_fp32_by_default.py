"""KV cache counted at 4 bytes an element by default (the catalogue's default is 2: a 16-bit cache).

Real bug class: memory planners written for fp32 inference first; every 16-bit deployment that relies on the default is planned at twice its size. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults``.
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-kv-cache-fp32-by-default"
DTYPES = ("float32",)
CATCHES = ("kv_cache_bytes:defaults_are_the_catalogue_defaults",)


def kv_cache_bytes(config, *, batch_size, seq_len, bytes_per_element=4):  # BUG: the default
    return reference.kv_cache_bytes(config, batch_size=batch_size, seq_len=seq_len, bytes_per_element=bytes_per_element)
