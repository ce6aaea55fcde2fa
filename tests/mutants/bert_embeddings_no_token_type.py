"""BERT embeddings that ignore token_type_ids and always add the type-0 row (segment B looks like segment A).

Real bug class: a wrapper drops the `token_type_ids` argument, so the model falls back to all-zero types and
next-sentence / QA pairs lose their segment signal. Caught by: embeddings are the LayerNorm of the three
summed tables (differential against the oracle whenever a type id is not 0).
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-bert-embeddings-no-token-type"
DTYPES = ("float32", "float64")
CATCHES = ("bert_embeddings:matches_oracle",
           "bert_embeddings:layer_norm_of_summed_tables",
           "bert_embeddings:rejects_bad_input")


def bert_embeddings(input_ids, token_type_ids, params, *, eps=1e-12):
    ids = np.asarray(input_ids)
    types = np.zeros_like(ids)  # BUG: token_type_ids is never used
    x = params["word"][ids] + params["position"][: ids.shape[1]] + params["token_type"][types]
    centred = x - x.mean(axis=-1, keepdims=True)
    var = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(var + eps) * params["ln_weight"] + params["ln_bias"]
