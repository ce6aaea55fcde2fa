"""Dropout: ``nn.Dropout(p)`` in ``train()``/``eval()`` mode, its draw made deterministic by ``seed``."""
import torch
from torch import nn

from impls._validate import regularization as check

from ._module import build

__all__ = ["dropout"]


def dropout(x, p, *, training, seed):
    """``nn.Dropout(p)``: keep each element with probability 1 - p and scale it by 1 / (1 - p) in ``train()``
    mode; the identity in ``eval()`` mode."""
    p, seed = check.dropout(x.dtype, p, training=training, seed=seed)
    module = build(nn.Dropout, p)
    module.train(bool(training))
    # nn.Dropout takes no generator: it draws from the global one, seeded inside a fork so the caller's RNG
    # state survives the call
    devices = [x.device.index or 0] if x.device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        return module(x)
