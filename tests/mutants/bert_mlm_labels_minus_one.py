"""MLM labels use -1 for unselected tokens instead of -100, the ignore_index cross entropy expects.

Real bug class: the old pytorch-pretrained-bert / Keras convention (-1) mixed with PyTorch's default
`ignore_index=-100`: the loss then indexes class -1 (the last class) for every visible token. Caught by:
unselected tokens carry label -100.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-bert-mlm-labels-minus-one"
DTYPES = ("float32", "float64")
CATCHES = ("mlm_mask:deterministic_in_seed",
           "mlm_mask:labels_and_unselected_tokens",
           "mlm_mask:rejects_bad_input",
           "mlm_mask:selection_rate_and_80_10_10_split")


def mlm_mask(input_ids, *, seed, vocab_size, mask_token_id, special_token_ids=(), mask_prob=0.15):
    ids = np.asarray(input_ids).astype(np.int64)
    rng = np.random.default_rng(seed)
    special = np.isin(ids, np.asarray(special_token_ids, dtype=np.int64))
    selected = (rng.random(ids.shape) < mask_prob) & ~special
    action = rng.random(ids.shape)
    random_ids = rng.integers(0, vocab_size, size=ids.shape, dtype=np.int64)
    replaced = np.where(action < 0.8, mask_token_id, np.where(action < 0.9, random_ids, ids))
    masked_ids = np.where(selected, replaced, ids)
    labels = np.where(selected, ids, -1)  # BUG: -1 instead of -100
    return masked_ids.astype(np.int64), labels.astype(np.int64)
