"""Cross entropy that never checks the target values: a target of -5 (not ignore_index) silently picks the
logit of class C - 5 through negative indexing.

Real bug class: no range check on class indices (a padding id other than ignore_index, or labels shifted by
one), which NumPy/JAX gathers accept without complaint; PyTorch raises. Correct for valid targets. Caught by:
cross_entropy ``rejects_bad_input`` (target -5, or C, which crashes with an IndexError).
"""
import numpy as np

from impls._validate import losses as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.losses import _reduce

NAME = "mutant-losses-ce-negative-target-wraps"
DTYPES = ("float32", "float64")


def cross_entropy(logits, target, *, ignore_index=-100, label_smoothing=0.0, reduction="mean"):
    logits, target = np.asarray(logits), np.asarray(target)
    V.cross_entropy(logits.shape, logits.dtype, target.shape, target.dtype, ignore_index=ignore_index,
                    label_smoothing=label_smoothing, reduction=reduction)
    # BUG: V.cross_entropy_targets is not called: targets outside [0, C) are used as indices
    ls = float(label_smoothing)
    z = upcast(logits)
    z = z - z.max(axis=1, keepdims=True)
    lse = np.log(np.exp(z).sum(axis=1))
    ignored = target == ignore_index
    safe_target = np.where(ignored, 0, target)
    nll = lse - z[np.arange(z.shape[0]), safe_target]
    if ls:
        nll = (1.0 - ls) * nll + ls * (lse - z.mean(axis=1))
    loss = np.where(ignored, 0.0, nll).astype(z.dtype)
    if reduction == "mean":
        with np.errstate(invalid="ignore", divide="ignore"):
            out = loss.sum() / np.sum(~ignored)
    else:
        out = _reduce(loss, reduction)
    return np.asarray(out, dtype=z.dtype).astype(logits.dtype)
