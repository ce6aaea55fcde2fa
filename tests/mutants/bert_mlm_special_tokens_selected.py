"""MLM masking that excludes special tokens from the labels but not from the replacement: [CLS]/[SEP] get masked.

Real bug class: the special-token mask is applied to one of the two outputs only (a refactor moves the
replacement before the `probability_matrix.masked_fill_(special_mask, 0)` line). Caught by: special tokens are
never selected / unselected tokens (label -100) are unchanged.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-bert-mlm-special-tokens-selected"
DTYPES = ("float32", "float64")
CATCHES = ("mlm_mask:labels_and_unselected_tokens", "mlm_mask:rejects_bad_input")


def mlm_mask(input_ids, *, seed, vocab_size, mask_token_id, special_token_ids=(), mask_prob=0.15):
    ids = np.asarray(input_ids).astype(np.int64)
    rng = np.random.default_rng(seed)
    selected = rng.random(ids.shape) < mask_prob
    action = rng.random(ids.shape)
    random_ids = rng.integers(0, vocab_size, size=ids.shape, dtype=np.int64)
    replaced = np.where(action < 0.8, mask_token_id, np.where(action < 0.9, random_ids, ids))
    masked_ids = np.where(selected, replaced, ids)
    special = np.isin(ids, np.asarray(special_token_ids, dtype=np.int64))
    labels = np.where(selected & ~special, ids, -100)  # BUG: specials excluded here only
    return masked_ids.astype(np.int64), labels.astype(np.int64)
