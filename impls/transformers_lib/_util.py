"""Helpers the transformers adapters share: array metadata for the validators and calling a module with the
drawn weights."""
from torch.func import functional_call


def meta(x):
    """``(shape, dtype)`` of a tensor, None for an absent optional one (what ``impls._validate`` takes)."""
    return None if x is None else (tuple(x.shape), x.dtype)


def call_with(module, weights: dict, *args, **kwargs):
    """``module(*args, **kwargs)`` with its parameters replaced by ``weights`` (name -> tensor).

    ``torch.func.functional_call`` is torch's way to run a module with given parameters: the drawn tensors are
    used as they are, so autograd reaches them (the VJP properties differentiate with respect to them) and a
    cached module is never mutated.
    """
    return functional_call(module, weights, args, kwargs, strict=False)
