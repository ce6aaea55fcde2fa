"""Feed-forward with ReLU by default (the original Transformer's; the catalogue's default is GELU).

Real bug class: a block written from 'Attention is all you need' keeps its activation as the default. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-ffn-relu-by-default"
DTYPES = ("float32",)
CATCHES = ("feed_forward:defaults_are_the_catalogue_defaults@float32",)


def feed_forward(x, params, *, activation='relu'):  # BUG: the default
    return reference.feed_forward(x, params, activation=activation)
