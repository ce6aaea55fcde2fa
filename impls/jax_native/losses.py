"""Losses: optax's per-example losses, with PyTorch's options (``ignore_index``, ``reduction``) expressed
around them, as the contract adopts PyTorch's semantics."""

import jax
import jax.numpy as jnp
import numpy as np
import optax

from impls._jax_jit import jit
from impls._validate import losses as check

from ._util import around_axis, reshape

__all__ = ["cross_entropy", "binary_cross_entropy_with_logits", "mse_loss", "kl_divergence"]


@jit
def _mean_and_sum(per_example):
    return jnp.mean(per_example), jnp.sum(per_example)


def _reduce(per_example, reduction):
    """PyTorch's ``reduction``: the mean, the sum, or the per-example values. One kernel for both reductions,
    shared by the losses, so a shape compiles once rather than once per loss and reduction (``none``: none)."""
    if reduction == "none":
        return per_example
    mean, total = _mean_and_sum(per_example)
    return mean if reduction == "mean" else total


@jit
def _mean_where(per_row, keep):
    """PyTorch's mean over the rows that are not ignored (NaN when every row is)."""
    return jnp.mean(per_row, where=keep)


@jit(static_argnames=("smoothed",))
def _cross_entropy(logits, target, ignore_index, label_smoothing, smoothed):
    keep = target != ignore_index
    labels = jnp.where(keep, target, 0)  # any valid class: the row's loss is zeroed below
    if smoothed:
        one_hot = jax.nn.one_hot(labels, logits.shape[-1], dtype=logits.dtype)
        per_row = optax.softmax_cross_entropy(logits, optax.smooth_labels(one_hot, label_smoothing))
    else:
        per_row = optax.softmax_cross_entropy_with_integer_labels(logits, labels)
    return jnp.where(keep, per_row, jnp.zeros((), per_row.dtype)), keep


def cross_entropy(logits, target, *, ignore_index=-100, label_smoothing=0.0, reduction="mean"):
    """``optax.softmax_cross_entropy[_with_integer_labels]`` (labels through ``optax.smooth_labels``):
    per row logsumexp(z) - sum_c q_c z_c with q = (1 - s) one_hot + s / C; ignored rows give 0 and do not
    count in the mean."""
    check.cross_entropy(logits.shape, logits.dtype, target.shape, target.dtype, ignore_index=ignore_index,
                        label_smoothing=label_smoothing, reduction=reduction)
    check.cross_entropy_targets(np.asarray(target), logits.shape[1], ignore_index)
    per_row, keep = _cross_entropy(logits, target, ignore_index, label_smoothing, bool(label_smoothing > 0))
    return _mean_where(per_row, keep) if reduction == "mean" else _reduce(per_row, reduction)


@jit
def _bce(logits, target):
    return optax.sigmoid_binary_cross_entropy(logits, target)


def binary_cross_entropy_with_logits(logits, target, *, reduction="mean"):
    """``optax.sigmoid_binary_cross_entropy``: -t log_sigmoid(z) - (1 - t) log_sigmoid(-z), reduced."""
    check.binary_cross_entropy_with_logits(logits.shape, logits.dtype, target.shape, target.dtype,
                                           reduction=reduction)
    return _reduce(_bce(logits, target), reduction)


@jit
def _mse(pred, target):
    return optax.squared_error(pred, target)


def mse_loss(pred, target, *, reduction="mean"):
    """``optax.squared_error``: (pred - target)**2, reduced."""
    check.mse_loss(pred.shape, pred.dtype, target.shape, target.dtype, reduction=reduction)
    return _reduce(_mse(pred, target), reduction)


@jit
def _kl(log_p, log_q):
    # optax's (log_predictions, log_targets) measures KL(targets || predictions): p is optax's target.
    return optax.losses.kl_divergence_with_log_targets(log_q, log_p, axis=1)


def kl_divergence(log_p, log_q, *, axis=-1):
    """``optax.losses.kl_divergence_with_log_targets``: sum(exp(log_p) * (log_p - log_q), axis), on the inputs
    seen as ``(before, n, after)`` with ``axis`` in the middle (a host reshape: one kernel per such triple)."""
    axis = check.kl_divergence(log_p.shape, log_p.dtype, log_q.shape, log_q.dtype, axis=axis)
    out = _kl(around_axis(log_p, axis), around_axis(log_q, axis))
    return reshape(out, log_p.shape[:axis] + log_p.shape[axis + 1:])
