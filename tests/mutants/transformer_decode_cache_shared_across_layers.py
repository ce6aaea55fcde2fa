"""KV-cache decoding that hands layer 0's cache to every layer.

Real bug class: one ``past_key_values`` pair threaded through the layer loop (``past = cache[0]`` or a variable
reassigned by each layer) instead of one pair per layer, so layer ``i > 0`` attends over the keys and values
another layer projected. Invisible for one layer or an empty cache. Caught by: decoding in chunks, the cache
passed along, equals ``decoder_forward`` on the whole.
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import decoder_forward, mha_decode  # noqa: F401

NAME = "mutant-transformer-decode-cache-shared-across-layers"
DTYPES = ("float32", "float64")
CATCHES = ("decoder_decode:chunked_decoding_equals_forward", "decoder_decode:matches_oracle")


def decoder_decode(input_ids, cache, params, config):
    """The reference decoding with layer 0's cache given to every layer (BUG: ``cache[0]`` for ``cache[i]``)."""
    reference.decoder_decode(input_ids, cache, params, config)  # validates
    shared = None if cache is None else [cache[0]] * len(cache)
    return reference.decoder_decode(input_ids, shared, params, config)
