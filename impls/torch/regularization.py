"""Dropout (SPEC 3.5) for the PyTorch implementation, drawing from ``torch.Generator().manual_seed(seed)``."""
import torch

from .._validate import regularization as V
from ._util import upcast

__all__ = ["dropout"]


def dropout(x, p, *, training, seed):
    """Inverted dropout: ``y = x * keep / (1 - p)`` with ``keep ~ Bernoulli(1 - p)`` i.i.d. per element;
    ``p == 1`` gives zeros, ``training=False`` returns ``x``."""
    p, seed = V.dropout(x.dtype, p, training=training, seed=seed)
    if not training:
        return x
    # drawn on the CPU generator and moved, so a seed gives the same mask on every device
    u = torch.rand(tuple(x.shape), generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    keep = (u >= p).to(x.device)  # P(u >= p) = 1 - p for u ~ U[0, 1)
    scale = 1.0 / (1.0 - p) if p < 1.0 else 0.0
    xc = upcast(x)
    # where(), not keep * x: a dropped inf must give 0, not NaN
    return torch.where(keep, xc * scale, torch.zeros_like(xc)).to(x.dtype)
