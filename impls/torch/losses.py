"""Losses (SPEC 3.3) for the PyTorch implementation, from elementary tensor ops (no ``torch.nn.functional``).

Half-precision inputs are computed in float32 and the result rounded back once. Everything is differentiable
by autograd; the max used for the log-sum-exp shift is detached (its gradient cancels exactly).
"""
import torch

from .._validate import losses as V
from ._util import compute_dtype, upcast
from .activations import _log_sum_exp

__all__ = ["cross_entropy", "binary_cross_entropy_with_logits", "mse_loss", "kl_divergence"]


def _reduce(loss, reduction):
    """``mean``/``sum`` over every element, or ``none``."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def cross_entropy(logits, target, *, ignore_index=-100, label_smoothing=0.0, reduction="mean"):
    """Per row ``(1 - ls) * (lse - z[t]) + ls * mean_c(lse - z[c])`` with ``lse = logsumexp(z)``.

    Rows with ``target == ignore_index`` give 0; ``mean`` divides by the number of other rows (NaN when every
    row is ignored, as ``torch.nn.functional.cross_entropy``).
    """
    V.cross_entropy(logits.shape, logits.dtype, target.shape, target.dtype, ignore_index=ignore_index,
                    label_smoothing=label_smoothing, reduction=reduction)
    V.cross_entropy_targets(target.detach().cpu().numpy(), logits.shape[1], ignore_index)
    ls = float(label_smoothing)
    x = upcast(logits)
    z = x - x.max(dim=1, keepdim=True).values.detach()
    lse = _log_sum_exp(z, 1)[:, 0]  # log1p of the others' terms: a confident row's loss stays accurate
    target = target.to(device=logits.device, dtype=torch.int64)
    ignored = target == ignore_index
    safe_target = torch.where(ignored, torch.zeros_like(target), target)
    loss = lse - torch.gather(z, 1, safe_target[:, None])[:, 0]
    if ls:
        # a branch, not 0 * smooth: mean_c(z) may overflow for huge spreads, and 0 * inf is NaN
        loss = (1.0 - ls) * loss + ls * (lse - z.mean(dim=1))
    loss = torch.where(ignored, torch.zeros_like(loss), loss)
    if reduction == "mean":
        out = loss.sum() / (~ignored).sum().to(loss.dtype)
    else:
        out = _reduce(loss, reduction)
    return out.to(logits.dtype)


def binary_cross_entropy_with_logits(logits, target, *, reduction="mean"):
    """``max(x, 0) - x * t + log1p(exp(-|x|))``, finite for every finite x.

    Written per sign of x with the other branch fed 0, so that the gradient at x = 0 is ``sigmoid(0) - t``
    (abs/max kinks would give a one-sided value there) and no branch ever sees exp overflow.
    """
    V.binary_cross_entropy_with_logits(logits.shape, logits.dtype, target.shape, target.dtype,
                                       reduction=reduction)
    dtype = torch.promote_types(logits.dtype, target.dtype)
    x, t = logits.to(compute_dtype(dtype)), target.to(compute_dtype(dtype))
    pos = x >= 0
    zero = torch.zeros_like(x)
    xp, xn = torch.where(pos, x, zero), torch.where(pos, zero, x)
    loss = torch.where(pos, xp * (1 - t) + torch.log1p(torch.exp(-xp)), torch.log1p(torch.exp(xn)) - xn * t)
    return _reduce(loss, reduction).to(dtype)


def mse_loss(pred, target, *, reduction="mean"):
    """``(pred - target) ** 2`` element-wise, then reduced."""
    V.mse_loss(pred.shape, pred.dtype, target.shape, target.dtype, reduction=reduction)
    dtype = torch.promote_types(pred.dtype, target.dtype)
    diff = pred.to(compute_dtype(dtype)) - target.to(compute_dtype(dtype))
    return _reduce(diff * diff, reduction).to(dtype)


def kl_divergence(log_p, log_q, *, axis=-1):
    """``sum(p * (log_p - log_q), axis)`` with ``p = exp(log_p)``; terms with ``p == 0`` count as 0."""
    axis = V.kl_divergence(log_p.shape, log_p.dtype, log_q.shape, log_q.dtype, axis=axis)
    dtype = torch.promote_types(log_p.dtype, log_q.dtype)
    lp, lq = log_p.to(compute_dtype(dtype)), log_q.to(compute_dtype(dtype))
    p = torch.exp(lp)
    zero = p == 0
    # the difference is masked before the product too: -inf - -inf is NaN and would poison the gradient
    diff = torch.where(zero, torch.zeros_like(lp), lp - lq)
    return (p * diff).sum(dim=axis).to(dtype)
