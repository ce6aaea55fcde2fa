"""BERT embeddings' LayerNorm with PyTorch's `eps=1e-5` by default (BERT's is 1e-12).

Real bug class: `nn.LayerNorm(d)` written without BERT's `layer_norm_eps`. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-bert-embeddings-torch-eps-by-default"
DTYPES = ("float32",)
CATCHES = ("bert_embeddings:defaults_are_the_catalogue_defaults@float32",)


def bert_embeddings(input_ids, token_type_ids, params, *, eps=1e-5):  # BUG: the default
    return reference.bert_embeddings(input_ids, token_type_ids, params, eps=eps)
