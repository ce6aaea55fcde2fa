"""MLM masking without the random-token branch: 90% of selected tokens become [MASK], 10% stay.

Real bug class: a simplified re-implementation of BERT's 80/10/10 rule that folds the "random word" case into
the mask case. Caught by: the 80/10/10 split of selected tokens is within binomial bounds.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-bert-mlm-no-random-replacement"
DTYPES = ("float32", "float64")
CATCHES = ("mlm_mask:rejects_bad_input", "mlm_mask:selection_rate_and_80_10_10_split")


def mlm_mask(input_ids, *, seed, vocab_size, mask_token_id, special_token_ids=(), mask_prob=0.15):
    ids = np.asarray(input_ids).astype(np.int64)
    rng = np.random.default_rng(seed)
    special = np.isin(ids, np.asarray(special_token_ids, dtype=np.int64))
    selected = (rng.random(ids.shape) < mask_prob) & ~special
    action = rng.random(ids.shape)
    replaced = np.where(action < 0.9, mask_token_id, ids)  # BUG: no uniform random replacement
    masked_ids = np.where(selected, replaced, ids)
    labels = np.where(selected, ids, -100)
    return masked_ids.astype(np.int64), labels.astype(np.int64)
