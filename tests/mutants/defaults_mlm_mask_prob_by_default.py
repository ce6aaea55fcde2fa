"""MLM selection probability 0.3 by default.

Real bug class: a masking rate from a later paper (RoBERTa ablations, 'Should you mask 15%?') left as the default. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-mlm-mask-prob-by-default"
DTYPES = ("float32",)
CATCHES = ("mlm_mask:defaults_are_the_catalogue_defaults",)


def mlm_mask(input_ids, *, seed, vocab_size, mask_token_id, special_token_ids=(), mask_prob=0.3):  # BUG: the default
    return reference.mlm_mask(input_ids, seed=seed, vocab_size=vocab_size, mask_token_id=mask_token_id, special_token_ids=special_token_ids, mask_prob=mask_prob)
