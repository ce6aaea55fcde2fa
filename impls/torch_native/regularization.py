"""Dropout: ``F.dropout`` with its draw made deterministic by ``seed``."""
import torch
import torch.nn.functional as F

from impls._validate import regularization as check

__all__ = ["dropout"]


def dropout(x, p, *, training, seed):
    """``F.dropout``: keep each element with probability 1 - p and scale it by 1 / (1 - p);
    the identity when not ``training``."""
    p, seed = check.dropout(x.dtype, p, training=training, seed=seed)
    # F.dropout draws from the global generator: seed it inside a fork so the caller's RNG state survives.
    devices = [x.device.index or 0] if x.device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        return F.dropout(x, p, training=bool(training))
