"""Precision helpers of the PyTorch implementation (the shared plumbing — device, ``asarray``/``to_numpy``/
``vjp`` — is :mod:`impls._torch_common`, re-exported here)."""
import torch

from impls._torch_common import DEVICE, asarray, to_numpy, vjp  # noqa: F401

_HALF = (torch.float16, torch.bfloat16)


def compute_dtype(dtype):
    """float32 for half-precision tensors (accumulate wide, round once at the end), else ``dtype``."""
    return torch.float32 if dtype in _HALF else dtype


def upcast(x):
    """``x`` in its compute dtype."""
    return x.to(compute_dtype(x.dtype))
