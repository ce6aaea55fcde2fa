"""MLM selects tokens in spans of two: each selection decision covers a token and its right neighbour.

Real bug class: span masking (SpanBERT, whole-word masking over two-piece words) applied where the contract
asks for independent tokens; the selection rate stays mask_prob. Caught by: disjoint neighbouring pairs of
eligible tokens are both selected or both not with probability p^2 + (1 - p)^2 (here: always), an exact
binomial test of ``selection_rate_and_80_10_10_split``.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-bert-mlm-spans-of-two"
DTYPES = ("float32",)
CATCHES = ("mlm_mask:selection_rate_and_80_10_10_split",)


def mlm_mask(input_ids, *, seed, vocab_size, mask_token_id, special_token_ids=(), mask_prob=0.15):
    ids = np.asarray(input_ids).astype(np.int64)
    rng = np.random.default_rng(seed)
    special = np.isin(ids, np.asarray(special_token_ids, dtype=np.int64))
    draws = rng.random(ids.shape[:-1] + ((ids.shape[-1] + 1) // 2,))
    selected = (np.repeat(draws, 2, axis=-1)[..., : ids.shape[-1]] < mask_prob) & ~special  # BUG: spans of two
    action = rng.random(ids.shape)
    random_ids = rng.integers(0, vocab_size, size=ids.shape, dtype=np.int64)
    replaced = np.where(action < 0.8, mask_token_id, np.where(action < 0.9, random_ids, ids))
    return np.where(selected, replaced, ids), np.where(selected, ids, -100)
