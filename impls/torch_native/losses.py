"""Losses: ``torch.nn.functional``'s, whose semantics the contract adopts."""
import torch.nn.functional as F

from impls._validate import losses as check

__all__ = ["cross_entropy", "binary_cross_entropy_with_logits", "mse_loss", "kl_divergence"]


def cross_entropy(logits, target, *, ignore_index=-100, label_smoothing=0.0, reduction="mean"):
    """``F.cross_entropy``: per row logsumexp(z) - sum_c q_c z_c with q = (1 - s) one_hot + s / C;
    rows whose target is ``ignore_index`` give 0 and do not count in the mean."""
    check.cross_entropy(logits.shape, logits.dtype, target.shape, target.dtype, ignore_index=ignore_index,
                        label_smoothing=label_smoothing, reduction=reduction)
    check.cross_entropy_targets(target.detach().cpu().numpy(), logits.shape[1], ignore_index)
    return F.cross_entropy(logits, target, ignore_index=ignore_index, reduction=reduction,
                           label_smoothing=label_smoothing)


def binary_cross_entropy_with_logits(logits, target, *, reduction="mean"):
    """``F.binary_cross_entropy_with_logits``: max(z, 0) - z t + log(1 + exp(-|z|)), reduced."""
    check.binary_cross_entropy_with_logits(logits.shape, logits.dtype, target.shape, target.dtype,
                                           reduction=reduction)
    return F.binary_cross_entropy_with_logits(logits, target, reduction=reduction)


def mse_loss(pred, target, *, reduction="mean"):
    """``F.mse_loss``: (pred - target)**2, reduced."""
    check.mse_loss(pred.shape, pred.dtype, target.shape, target.dtype, reduction=reduction)
    return F.mse_loss(pred, target, reduction=reduction)


def kl_divergence(log_p, log_q, *, axis=-1):
    """KL(p || q) = sum(exp(log_p) * (log_p - log_q), axis) via ``F.kl_div`` with log-space target."""
    axis = check.kl_divergence(log_p.shape, log_p.dtype, log_q.shape, log_q.dtype, axis=axis)
    # F.kl_div(input, target) is KL(target || input) element-wise; the contract's p is torch's target.
    return F.kl_div(log_q, log_p, reduction="none", log_target=True).sum(dim=axis)
