"""BERT embeddings whose LayerNorm takes its mean and variance over the batch and feature axes together
(per position, across sequences) instead of over the features of each token.

Real bug class: a normalisation over the wrong axes (``BatchNorm1d``-style statistics, or ``mean(dim=(0, 2))``
on a ``(B, L, d)`` tensor): each token's output then depends on the other sequences of the batch. Identical
for a batch of one sequence, which is what a quick check feeds. Caught by: rows are per token (changing one
sequence changes the others), and the oracle comparison.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-bert-embeddings-stats-over-batch"
DTYPES = ("float32", "float64")
CATCHES = ("bert_embeddings:matches_oracle",
           "bert_embeddings:layer_norm_of_summed_tables",
           "bert_embeddings:rejects_bad_input",
           "bert_embeddings:rows_are_per_token")


def bert_embeddings(input_ids, token_type_ids, params, *, eps=1e-12):
    ids, types = np.asarray(input_ids), np.asarray(token_type_ids)
    positions = np.arange(ids.shape[1])
    x = params["word"][ids] + params["position"][positions] + params["token_type"][types]
    centred = x - x.mean(axis=(0, 2), keepdims=True)  # BUG: statistics over (B, d), not d
    var = (centred * centred).mean(axis=(0, 2), keepdims=True)
    return centred / np.sqrt(var + eps) * params["ln_weight"] + params["ln_bias"]
