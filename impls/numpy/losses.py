"""Losses (SPEC 3.3) for the NumPy implementation, the float64 oracle.

Half-precision inputs are computed in float32 and the result rounded back once.
"""
import numpy as np

from .._validate import losses as V
from ._util import compute_dtype, upcast
from .activations import _log_sum_exp

__all__ = ["cross_entropy", "binary_cross_entropy_with_logits", "mse_loss", "kl_divergence"]


def _reduce(loss, reduction):
    """``mean``/``sum`` over every element, or ``none``. A mean whose running sum overflows (losses near the
    dtype's max) is taken of the scaled terms instead: the mean itself is finite."""
    if reduction == "mean":
        with np.errstate(over="ignore"):
            mean = loss.mean()
        if np.isfinite(mean) or not np.isfinite(loss).all():
            return mean
        return (loss / loss.size).sum()
    if reduction == "sum":
        return loss.sum()
    return loss


def cross_entropy(logits, target, *, ignore_index=-100, label_smoothing=0.0, reduction="mean"):
    """Per row ``(1 - ls) * (lse - z[t]) + ls * mean_c(lse - z[c])`` with ``lse = logsumexp(z)``.

    Rows with ``target == ignore_index`` give 0; ``mean`` divides by the number of other rows, so it is
    NaN when every row is ignored (0/0, as in PyTorch).
    """
    logits, target = np.asarray(logits), np.asarray(target)
    V.cross_entropy(logits.shape, logits.dtype, target.shape, target.dtype, ignore_index=ignore_index,
                    label_smoothing=label_smoothing, reduction=reduction)
    V.cross_entropy_targets(target, logits.shape[1], ignore_index)
    ls = float(label_smoothing)
    # shifting by the row max keeps exp() <= 1 and makes z exact for logits close to the max
    z = upcast(logits)
    z = z - z.max(axis=1, keepdims=True)
    lse = _log_sum_exp(z, 1)[:, 0]  # log1p of the others' terms: a confident row's loss stays accurate
    ignored = target == ignore_index
    safe_target = np.where(ignored, 0, target)
    nll = lse - z[np.arange(z.shape[0]), safe_target]
    if ls:
        # a branch, not 0 * smooth: mean_c(z) may overflow for huge spreads, and 0 * inf is NaN
        nll = (1.0 - ls) * nll + ls * (lse - z.mean(axis=1))
    loss = np.where(ignored, 0.0, nll).astype(z.dtype)
    if reduction == "mean":
        with np.errstate(invalid="ignore", divide="ignore"):
            out = loss.sum() / np.sum(~ignored)
    else:
        out = _reduce(loss, reduction)
    return np.asarray(out, dtype=z.dtype).astype(logits.dtype)


def binary_cross_entropy_with_logits(logits, target, *, reduction="mean"):
    """``max(x, 0) - x * t + log1p(exp(-|x|))``, which is ``-t log sigmoid(x) - (1-t) log(1 - sigmoid(x))``
    and finite for every finite x."""
    logits, target = np.asarray(logits), np.asarray(target)
    V.binary_cross_entropy_with_logits(logits.shape, logits.dtype, target.shape, target.dtype,
                                       reduction=reduction)
    dtype = np.result_type(logits.dtype, target.dtype)
    x, t = logits.astype(compute_dtype(dtype)), target.astype(compute_dtype(dtype))
    loss = np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))
    return np.asarray(_reduce(loss, reduction)).astype(dtype)


def mse_loss(pred, target, *, reduction="mean"):
    """``(pred - target) ** 2`` element-wise, then reduced."""
    pred, target = np.asarray(pred), np.asarray(target)
    V.mse_loss(pred.shape, pred.dtype, target.shape, target.dtype, reduction=reduction)
    dtype = np.result_type(pred.dtype, target.dtype)
    diff = pred.astype(compute_dtype(dtype)) - target.astype(compute_dtype(dtype))
    return np.asarray(_reduce(diff * diff, reduction)).astype(dtype)


def kl_divergence(log_p, log_q, *, axis=-1):
    """``sum(p * (log_p - log_q), axis)`` with ``p = exp(log_p)``; terms with ``p == 0`` count as 0."""
    log_p, log_q = np.asarray(log_p), np.asarray(log_q)
    axis = V.kl_divergence(log_p.shape, log_p.dtype, log_q.shape, log_q.dtype, axis=axis)
    dtype = np.result_type(log_p.dtype, log_q.dtype)
    lp, lq = log_p.astype(compute_dtype(dtype)), log_q.astype(compute_dtype(dtype))
    p = np.exp(lp)
    # p == 0 (log_p = -inf) contributes 0 even where log_q = -inf too (0 * (-inf - -inf) would be NaN)
    with np.errstate(invalid="ignore"):
        terms = np.where(p == 0, 0.0, p * (lp - lq))
    return np.asarray(terms.sum(axis=axis)).astype(dtype)
