"""Normalisation: LLaMA's ``LlamaRMSNorm`` (``transformers.models.llama.modeling_llama``).

``LlamaRMSNorm(hidden_size, eps=eps)`` normalises the last axis: it casts the input to float32, computes
``x * rsqrt(mean(x**2) + eps)``, casts back to the input dtype and multiplies by its weight (initialised to
ones: the catalogue's ``weight=None``). It has no form for several normalised axes.
"""
import torch

from impls._validate import norms as check

from ._util import call_with, meta
from transformers.models.llama.modeling_llama import LlamaRMSNorm

__all__ = ["rms_norm"]


def rms_norm(x, normalized_ndim, weight=None, *, eps=1e-6):
    """``LlamaRMSNorm(d, eps=eps)`` with its weight set to ``weight`` (ones when None): x / sqrt(mean(x^2) + eps) * w
    over the last axis."""
    k, eps = check.rms_norm(meta(x), normalized_ndim, meta(weight), eps=eps)
    if k != 1:
        raise NotImplementedError("transformers' LlamaRMSNorm normalises the last axis only")
    d = x.shape[-1]
    module = LlamaRMSNorm(d, eps=eps)
    # the module is initialised with ones; a model cast to x's dtype (model.to(dtype)) holds them in that dtype
    w = torch.ones(d, dtype=x.dtype, device=x.device) if weight is None else weight
    return call_with(module, {"weight": w}, x)
