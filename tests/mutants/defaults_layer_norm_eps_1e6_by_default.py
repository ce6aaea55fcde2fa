"""LayerNorm with `eps=1e-6` by default (the catalogue's is 1e-5).

Real bug class: ViT/timm and many JAX codebases use 1e-6 for LayerNorm; a kernel ported from them changes every small-variance row of a model trained with 1e-5. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-layer-norm-eps-1e6-by-default"
DTYPES = ("float32",)
CATCHES = ("layer_norm:defaults_are_the_catalogue_defaults@float32",)


def layer_norm(x, normalized_ndim, weight=None, bias=None, *, eps=1e-6):  # BUG: the default
    return reference.layer_norm(x, normalized_ndim, weight, bias, eps=eps)
