"""MLM with token 0 treated as special by default (the catalogue's default is no special tokens).

Real bug class: a padding id assumed in a library helper's default. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-mlm-special-tokens-by-default"
DTYPES = ("float32",)
CATCHES = ("mlm_mask:defaults_are_the_catalogue_defaults",)


def mlm_mask(input_ids, *, seed, vocab_size, mask_token_id, special_token_ids=(0,), mask_prob=0.15):  # BUG: the default
    return reference.mlm_mask(input_ids, seed=seed, vocab_size=vocab_size, mask_token_id=mask_token_id, special_token_ids=special_token_ids, mask_prob=mask_prob)
