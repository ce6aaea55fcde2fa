"""BERT embeddings reading position rows 1..L instead of 0..L-1.

Real bug class: RoBERTa's `padding_idx + 1` position offset carried into a BERT port (or a 1-based position
counter). Differs whenever the position table's rows differ; fails with an IndexError-like shape error at
L == P. Caught by: embeddings are the LayerNorm of the three summed tables (differential against the oracle).
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-bert-embeddings-position-offset"
DTYPES = ("float32", "float64")
CATCHES = ("bert_embeddings:matches_oracle",
           "bert_embeddings:layer_norm_of_summed_tables",
           "bert_embeddings:rejects_bad_input")


def bert_embeddings(input_ids, token_type_ids, params, *, eps=1e-12):
    ids, types = np.asarray(input_ids), np.asarray(token_type_ids)
    positions = np.arange(ids.shape[1]) + 1  # BUG: positions start at 1
    x = params["word"][ids] + params["position"][positions] + params["token_type"][types]
    centred = x - x.mean(axis=-1, keepdims=True)
    var = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(var + eps) * params["ln_weight"] + params["ln_bias"]
