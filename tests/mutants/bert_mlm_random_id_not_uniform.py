"""MLM's random replacement is the next id (``(id + 1) % V``), not a uniform draw from the vocabulary.

Real bug class: a "random" token derived from the original one (a cheap hash or an offset) instead of drawn
uniformly; the 80/10/10 shares stay right, but the model learns a fixed corruption. Caught by: of the selected
tokens in the upper half of the vocabulary, the share that becomes a lower-half id is 0.1 h / V (an exact
binomial test of ``selection_rate_and_80_10_10_split``).
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-bert-mlm-random-id-not-uniform"
DTYPES = ("float32",)
CATCHES = ("mlm_mask:selection_rate_and_80_10_10_split",)


def mlm_mask(input_ids, *, seed, vocab_size, mask_token_id, special_token_ids=(), mask_prob=0.15):
    ids = np.asarray(input_ids).astype(np.int64)
    rng = np.random.default_rng(seed)
    special = np.isin(ids, np.asarray(special_token_ids, dtype=np.int64))
    selected = (rng.random(ids.shape) < mask_prob) & ~special
    action = rng.random(ids.shape)
    other = (ids + 1) % vocab_size  # BUG: not a uniform draw
    random_ids = np.where(rng.random(ids.shape) < 1 / vocab_size, ids, other)  # keeps the 0.1/V redraw share
    replaced = np.where(action < 0.8, mask_token_id, np.where(action < 0.9, random_ids, ids))
    return np.where(selected, replaced, ids), np.where(selected, ids, -100)
