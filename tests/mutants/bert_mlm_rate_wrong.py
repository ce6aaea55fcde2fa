"""MLM selection rate mask_prob * 0.8 (12% instead of 15%): the 80% [MASK] share folded into the selection.

Real bug class: reading "15% of tokens, 80% of them replaced by [MASK]" as one probability for the selection,
then still applying the 80/10/10 split. Caught by: the selection rate among non-special tokens is within a
binomial bound of mask_prob.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-bert-mlm-rate-wrong"
DTYPES = ("float32", "float64")
CATCHES = ("mlm_mask:labels_and_unselected_tokens",
           "mlm_mask:rejects_bad_input",
           "mlm_mask:selection_rate_and_80_10_10_split")


def mlm_mask(input_ids, *, seed, vocab_size, mask_token_id, special_token_ids=(), mask_prob=0.15):
    ids = np.asarray(input_ids).astype(np.int64)
    rng = np.random.default_rng(seed)
    special = np.isin(ids, np.asarray(special_token_ids, dtype=np.int64))
    selected = (rng.random(ids.shape) < mask_prob * 0.8) & ~special  # BUG: should be mask_prob
    action = rng.random(ids.shape)
    random_ids = rng.integers(0, vocab_size, size=ids.shape, dtype=np.int64)
    replaced = np.where(action < 0.8, mask_token_id, np.where(action < 0.9, random_ids, ids))
    masked_ids = np.where(selected, replaced, ids)
    labels = np.where(selected, ids, -100)
    return masked_ids.astype(np.int64), labels.astype(np.int64)
