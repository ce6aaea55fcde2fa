"""Loss modules: ``nn.CrossEntropyLoss``, ``nn.BCEWithLogitsLoss``, ``nn.MSELoss``, ``nn.KLDivLoss``
(parameter-free: built once per option and called as ``criterion(input, target)``)."""
from torch import nn

from impls._validate import losses as check

from ._module import build

__all__ = ["cross_entropy", "binary_cross_entropy_with_logits", "mse_loss", "kl_divergence"]


def cross_entropy(logits, target, *, ignore_index=-100, label_smoothing=0.0, reduction="mean"):
    """``nn.CrossEntropyLoss(ignore_index, reduction, label_smoothing)``: per row logsumexp(z) - sum_c q_c z_c
    with q = (1 - s) one_hot + s / C; rows whose target is ``ignore_index`` give 0 and do not count in the mean."""
    check.cross_entropy(logits.shape, logits.dtype, target.shape, target.dtype, ignore_index=ignore_index,
                        label_smoothing=label_smoothing, reduction=reduction)
    check.cross_entropy_targets(target.detach().cpu().numpy(), logits.shape[1], ignore_index)
    criterion = build(nn.CrossEntropyLoss, ignore_index=int(ignore_index), reduction=reduction,
                      label_smoothing=float(label_smoothing))
    return criterion(logits, target)


def binary_cross_entropy_with_logits(logits, target, *, reduction="mean"):
    """``nn.BCEWithLogitsLoss(reduction)``: max(z, 0) - z t + log(1 + exp(-|z|)), reduced."""
    check.binary_cross_entropy_with_logits(logits.shape, logits.dtype, target.shape, target.dtype,
                                           reduction=reduction)
    return build(nn.BCEWithLogitsLoss, reduction=reduction)(logits, target)


def mse_loss(pred, target, *, reduction="mean"):
    """``nn.MSELoss(reduction)``: (pred - target)**2, reduced."""
    check.mse_loss(pred.shape, pred.dtype, target.shape, target.dtype, reduction=reduction)
    return build(nn.MSELoss, reduction=reduction)(pred, target)


def kl_divergence(log_p, log_q, *, axis=-1):
    """KL(p || q) = sum(p (log_p - log_q), axis): ``nn.KLDivLoss(reduction="none", log_target=True)`` takes the
    model's log-probabilities as input and the reference distribution as target, computing
    exp(target) (target - input) element-wise, so the catalogue's log_q is its input and log_p its target; the
    element-wise result is summed over ``axis``."""
    axis = check.kl_divergence(log_p.shape, log_p.dtype, log_q.shape, log_q.dtype, axis=axis)
    return build(nn.KLDivLoss, reduction="none", log_target=True)(log_q, log_p).sum(dim=axis)
